"""Who may connect to a run's sockets: ZeroMQ CURVE keys made for one run.

Without them any process on the machine could connect to a run's tcp port (or its ipc
file) and trade in it. With them, every socket a run binds is a CURVE server, and only a
client holding one of the run's client keys completes the handshake: the runner makes a
key pair per process and hands each its own on standard input (never on a command line,
never in a world-readable file). The ZAP handler of the binding process
(``actors.runtime.zap``) names the process a key belongs to, so a message can be checked
against who sent it. ``tradeswarm state`` gets a key of its own, good only for the
read-only state socket, from a file in the run folder that only its owner can read.

``inproc`` sockets never leave their process and take no keys.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import msgspec
import zmq

# The ZAP domain of each bound socket: the key set it accepts, and the name its refused
# handshakes are counted under.
CONTROL = "control"
MARKET_DATA = "market_data"
MARKET_CREDIT = "market_credit"
ROUTER = "router"
STATE = "state"
STATE_READER = "state-reader"  # the owner of the state key, as the ZAP handler names it


class LinkKeys(msgspec.Struct, frozen=True, kw_only=True):
    """What one process of a run holds: the run's server key pair (for the sockets it
    binds), its own client key pair (for those it connects), and which client key is
    whose. Keys are Z85 text, as ZeroMQ takes them."""

    server_public: str
    server_secret: str
    client_public: str
    client_secret: str
    clients: dict[str, str]  # client public key -> the process (node) that holds it
    state_public: str  # the read-only key of ``tradeswarm state``


class RunKeys(msgspec.Struct, frozen=True, kw_only=True):
    """Every key of one run, made by the runner; a process gets its ``for_node`` share."""

    server_public: str
    server_secret: str
    nodes: dict[str, tuple[str, str]]  # node name -> (public, secret)
    state: tuple[str, str]

    def for_node(self, node: str) -> LinkKeys:
        return self._share(*self.nodes[node])

    def for_runner(self) -> LinkKeys:
        """The runner binds the control socket and connects only to the state socket,
        as the state reader."""
        return self._share(*self.state)

    def _share(self, client_public: str, client_secret: str) -> LinkKeys:
        return LinkKeys(
            server_public=self.server_public,
            server_secret=self.server_secret,
            client_public=client_public,
            client_secret=client_secret,
            clients={key: name for name, (key, _) in self.nodes.items()},
            state_public=self.state[0],
        )

    def state_reader(self) -> StateKey:
        public, secret = self.state
        return StateKey(server_public=self.server_public, public=public, secret=secret)


class StateKey(msgspec.Struct, frozen=True, kw_only=True):
    """The read-only key ``tradeswarm state`` reads from the run folder."""

    server_public: str
    public: str
    secret: str


def new_run_keys(node_names: list[str]) -> RunKeys:
    server_public, server_secret = _key_pair()
    return RunKeys(
        server_public=server_public,
        server_secret=server_secret,
        nodes={name: _key_pair() for name in node_names},
        state=_key_pair(),
    )


def _key_pair() -> tuple[str, str]:
    public, secret = zmq.curve_keypair()
    return public.decode("ascii"), secret.decode("ascii")


def is_local(endpoint: str) -> bool:
    """An inproc endpoint never leaves its process: no handshake, no keys."""
    return endpoint.startswith("inproc://")


def secure_server(sock: zmq.Socket, server_public: str, server_secret: str, domain: str) -> None:
    """Before ``bind``: only CURVE clients the ZAP handler accepts for ``domain``."""
    sock.setsockopt(zmq.CURVE_SERVER, 1)
    sock.setsockopt(zmq.CURVE_PUBLICKEY, server_public.encode("ascii"))
    sock.setsockopt(zmq.CURVE_SECRETKEY, server_secret.encode("ascii"))
    sock.setsockopt(zmq.ZAP_DOMAIN, domain.encode("ascii"))
    sock.setsockopt(zmq.ZAP_ENFORCE_DOMAIN, 1)


def secure_client(sock: zmq.Socket, server_public: str, public: str, secret: str) -> None:
    """Before ``connect``: speak CURVE to the run's server key with this key pair."""
    sock.setsockopt(zmq.CURVE_SERVERKEY, server_public.encode("ascii"))
    sock.setsockopt(zmq.CURVE_PUBLICKEY, public.encode("ascii"))
    sock.setsockopt(zmq.CURVE_SECRETKEY, secret.encode("ascii"))


def write_state_key(path: Path, key: StateKey) -> None:
    """Created with mode 0600 from the start: never readable by another user, even for
    the moment between writing and a chmod."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(msgspec.to_builtins(key), file)
        file.write("\n")


def read_state_key(path: Path) -> StateKey:
    return msgspec.json.decode(path.read_bytes(), type=StateKey)

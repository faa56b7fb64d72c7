"""The runner's control socket: what every actor says to the runner, checked for who said it.

A forged ``ActorFinished`` used to end a run early with a complete-looking folder, and a
forged ``ActorFailed`` aborted any run with a message of the sender's choosing. Here a
control message counts only if its sender may say it: an actor speaks for itself, a host
for the instruments it runs, and only the broker hands over results and progress. The
sender is known twice over: by its socket identity, and, when the run has keys, by the
process its CURVE key belongs to (the ``User-Id`` the ZAP handler gives it), which no
peer can choose. What fails the check, or does not decode, is counted and dropped with a
throttled, escaped warning; refused handshakes are counted by a monitor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import zmq

from tradeswarm.actors.runtime.binding import REFUSED_HANDSHAKES
from tradeswarm.actors.runtime.config import InstrumentHostConfig
from tradeswarm.actors.runtime.node import NodeConfig
from tradeswarm.actors.runtime.throttled_log import ThrottledLog
from tradeswarm.messages import (
    BROKER_NAME,
    BrokerResults,
    DecodeError,
    Message,
    RunProgress,
    decode,
    encode,
    instrument_name,
)
from tradeswarm.messages.link_keys import CONTROL, LinkKeys, is_local, secure_server
from tradeswarm.messages.printable import printable
from tradeswarm.messages.sockets import open_socket

log = logging.getLogger(__name__)

# The broker hands over every fill of the run in one message.
CONTROL_MAX_MESSAGE_BYTES = 1024 * 1024 * 1024 // 4


@dataclass(frozen=True)
class Received:
    sender: str  # the actor whose socket it came from
    message: object


def speakers(nodes: list[NodeConfig]) -> dict[str, frozenset[str]]:
    """Each actor's name -> the names it may report under (a host: its instruments too)."""
    return {
        config.name: frozenset(
            {config.name}
            | (
                {instrument_name(symbol) for symbol in config.symbols}
                if isinstance(config, InstrumentHostConfig)
                else set()
            )
        )
        for node in nodes
        for config in node.actors
    }


class ControlSocket:
    def __init__(
        self,
        context: zmq.Context,
        endpoint: str,
        nodes: list[NodeConfig],
        keys: LinkKeys | None,
    ) -> None:
        self.counters = {f"malformed.{CONTROL}": 0, f"refused.{CONTROL}": 0}
        self._speaks_for = speakers(nodes)
        self._node_speaks_for = {
            node.name: frozenset().union(*(self._speaks_for[c.name] for c in node.actors))
            for node in nodes
        }
        self._secured = keys is not None and not is_local(endpoint)
        self._warnings = ThrottledLog(log)
        self._sock = open_socket(context, zmq.ROUTER, max_bytes=CONTROL_MAX_MESSAGE_BYTES)
        self._sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        # A restarted process takes its actors' names over from the dead connection.
        self._sock.setsockopt(zmq.ROUTER_HANDOVER, 1)
        self._poller = zmq.Poller()
        self._poller.register(self._sock, zmq.POLLIN)
        self._monitor: zmq.Socket | None = None
        if self._secured:
            assert keys is not None
            secure_server(self._sock, keys.server_public, keys.server_secret, CONTROL)
            self._monitor = self._sock.get_monitor_socket(REFUSED_HANDSHAKES)
            self._monitor.setsockopt(zmq.LINGER, 0)
            self._poller.register(self._monitor, zmq.POLLIN)
        self._sock.bind(endpoint)

    def receive(self, timeout_ms: int) -> Received | None:
        """The next control message a sender had the right to send, or None when nothing
        came in ``timeout_ms`` (what is dropped meanwhile does not extend the wait)."""
        ready = dict(self._poller.poll(timeout_ms))
        if self._monitor is not None and self._monitor in ready:
            while self._monitor.poll(0):
                self._monitor.recv_multipart()
                self._refuse("a connection without a run key")
        if self._sock not in ready:
            return None
        frames = self._sock.recv_multipart(copy=False)
        identity = frames[0].bytes
        sender = identity.decode("utf-8", errors="replace")
        try:
            message = decode(frames[-1].bytes)
        except DecodeError as error:
            self.counters[f"malformed.{CONTROL}"] += 1
            self._warnings.warning(
                "malformed",
                f"runner: dropped a malformed control message from {printable(identity)}: "
                f"{printable(str(error))}",
            )
            return None
        user = frames[-1].get("User-Id") if self._secured else None
        node = user if isinstance(user, str) else None
        if not self._may_say(sender, node, message):
            self._refuse(f"a {type(message).__name__} from {printable(identity)}")
            return None
        return Received(sender, message)

    def _may_say(self, sender: str, node: str | None, message: object) -> bool:
        allowed = self._speaks_for.get(sender, frozenset())
        if node is not None:
            allowed = allowed & self._node_speaks_for.get(node, frozenset())
        if isinstance(message, BrokerResults | RunProgress):
            return BROKER_NAME in allowed and sender == BROKER_NAME
        actor = getattr(message, "actor", None)
        return isinstance(actor, str) and actor in allowed

    def _refuse(self, what: str) -> None:
        self.counters[f"refused.{CONTROL}"] += 1
        self._warnings.warning("refused", f"runner: refused {what} on the control socket")

    def tell(self, actor: str, message: Message) -> bool:
        """False when ``actor`` is not connected (mandatory routing)."""
        try:
            self._sock.send_multipart([actor.encode(), encode(message)])
        except zmq.ZMQError as error:
            if error.errno != zmq.EHOSTUNREACH:
                raise
            return False
        return True

    def close(self) -> None:
        if self._monitor is not None:
            self._sock.disable_monitor()
            self._monitor.close(linger=0)
            self._monitor = None
        self._sock.close(linger=0)

"""The ZAP handler of one process: which client keys each of its bound sockets accepts.

A CURVE server socket asks the process's ZAP handler about every client that completes
the handshake; with no handler, libzmq would let any key in. pyzmq's
``ThreadAuthenticator`` is that handler; we give it the run's key sets, one per ZAP
domain (every actor's key for the actors' sockets, only the state key for the read-only
state socket), and have it name a client by the process its key belongs to, so that name
travels with every message as its ``User-Id``. A refused handshake is counted by the
socket's monitor (``actors.runtime.socket_actor``), not here.
"""

from __future__ import annotations

import logging

import zmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils import z85

from tradeswarm.messages.link_keys import (
    CONTROL,
    MARKET_CREDIT,
    MARKET_DATA,
    ROUTER,
    STATE,
    STATE_READER,
    LinkKeys,
)

ACTOR_DOMAINS = (CONTROL, MARKET_DATA, MARKET_CREDIT, ROUTER)


class _KeySets:
    """The credentials provider ``configure_curve_callback`` calls, on its own thread."""

    def __init__(self, allowed: dict[str, frozenset[bytes]]) -> None:
        self._allowed = allowed

    def callback(self, domain: str, key: bytes) -> bool:
        return key in self._allowed.get(domain, frozenset())


class RunAuthenticator(ThreadAuthenticator):
    def __init__(self, context: zmq.Context, names: dict[bytes, str]) -> None:
        super().__init__(context, log=logging.getLogger("tradeswarm.zap"))
        self._names = names

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The process that holds the key, not the key itself."""
        return self._names.get(z85.encode(client_public_key), "unknown")


def start_authenticator(context: zmq.Context, keys: LinkKeys) -> RunAuthenticator:
    """Started before the process binds a secured socket; stopped before its context ends."""
    actors = frozenset(key.encode("ascii") for key in keys.clients)
    state = keys.state_public.encode("ascii")
    allowed = {domain: actors for domain in ACTOR_DOMAINS}
    allowed[STATE] = frozenset({state})
    names = {key.encode("ascii"): name for key, name in keys.clients.items()}
    names[state] = STATE_READER
    authenticator = RunAuthenticator(context, names)
    authenticator.start()
    provider = _KeySets(allowed)
    for domain in allowed:
        authenticator.configure_curve_callback(domain, credentials_provider=provider)
    return authenticator

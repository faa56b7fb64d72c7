"""Binding an actor's sockets: what a refused CURVE handshake means, in words, and an
inproc address taken again after a restart.

Split from ``actors.runtime.socket_actor`` so that the actor there reads as its poll loop
and its control link; these are the two facts of ZeroMQ it has to work around.
"""

from __future__ import annotations

import time

import zmq

INPROC_REBIND_SECONDS = 2.0  # a crashed binder's inproc address is freed as it is reaped
REFUSED_HANDSHAKES = (
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
    | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
    | zmq.EVENT_HANDSHAKE_FAILED_AUTH
)
_HANDSHAKE_FAILURES: dict[int, str] = {
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "its key is not one this socket accepts",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "it does not speak CURVE with the run's key",
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "its handshake failed",
}


def refused_handshake(frames: list[bytes]) -> str:
    """Why a handshake was refused, from a socket monitor's event frames."""
    event = int.from_bytes(frames[0][:2], "little")
    return _HANDSHAKE_FAILURES.get(event, f"handshake event {event}")


def bind_retrying(sock: zmq.Socket, endpoint: str) -> None:
    """An inproc address stays taken until the socket that held it is reaped: a thread
    restarted in the ``single`` topology waits for its predecessor's."""
    deadline = time.monotonic() + INPROC_REBIND_SECONDS
    while True:
        try:
            sock.bind(endpoint)
            return
        except zmq.ZMQError as error:
            retry = error.errno == zmq.EADDRINUSE and endpoint.startswith("inproc://")
            if not retry or time.monotonic() > deadline:
                raise
            time.sleep(0.01)

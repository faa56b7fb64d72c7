"""Socket helpers that make the safe choice the default: no linger, bounded waits."""

from __future__ import annotations

import zmq

# No message of a run comes near this (a chunk of bars is well under a megabyte): a frame
# above it is a peer gone wrong, and libzmq drops the connection instead of taking it
# into memory. The runner's control socket, which takes the broker's results (every fill
# of the run in one message), gets a larger one.
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def open_socket(
    context: zmq.Context,
    kind: int,
    *,
    identity: bytes | None = None,
    max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
) -> zmq.Socket:
    sock = context.socket(kind)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.MAXMSGSIZE, max_bytes)
    sock.setsockopt(zmq.SNDHWM, 0)
    sock.setsockopt(zmq.RCVHWM, 0)
    if identity is not None:
        sock.setsockopt(zmq.IDENTITY, identity)
    return sock


def recv_multipart_within(sock: zmq.Socket, timeout_ms: int) -> list[bytes] | None:
    """One multipart message, or ``None`` if nothing came in ``timeout_ms``."""
    if sock.poll(timeout_ms, zmq.POLLIN):
        return sock.recv_multipart()
    return None

"""Socket helpers that make the safe choice the default: no linger, bounded waits."""

from __future__ import annotations

import zmq


def open_socket(context: zmq.Context, kind: int, *, identity: bytes | None = None) -> zmq.Socket:
    sock = context.socket(kind)
    sock.setsockopt(zmq.LINGER, 0)
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

"""ZeroMQ helpers for tests, after pyzmq's own ``tests/conftest.py``: nothing here can hang.

A receive either returns a message or fails the test; a context that cannot terminate (a
socket was left open) fails the test after a timeout instead of blocking the session; the
fixtures built on these live in ``tests/conftest.py``.
"""

from __future__ import annotations

import socket
import threading

import pytest
import zmq

RECEIVE_TIMEOUT_SECONDS = 5.0
TERMINATE_TIMEOUT_SECONDS = 5.0


def recv_multipart_or_fail(
    sock: zmq.Socket, timeout_seconds: float = RECEIVE_TIMEOUT_SECONDS
) -> list[bytes]:
    """The next multipart message on ``sock``; the test fails if none comes in time.

    ZeroMQ delivers a multipart message whole, so once the poll says readable the receive
    cannot block."""
    if not sock.poll(round(timeout_seconds * 1000), zmq.POLLIN):
        pytest.fail(f"nothing arrived on a {_kind(sock)} socket within {timeout_seconds:g} s")
    return sock.recv_multipart()


def recv_or_fail(sock: zmq.Socket, timeout_seconds: float = RECEIVE_TIMEOUT_SECONDS) -> bytes:
    """The next single-frame message on ``sock``; the test fails if none comes in time, or
    if what came has more than one frame."""
    frames = recv_multipart_or_fail(sock, timeout_seconds)
    if len(frames) != 1:
        pytest.fail(f"expected one frame on a {_kind(sock)} socket, got {len(frames)}")
    return frames[0]


def terminate_context(
    context: zmq.Context, timeout_seconds: float = TERMINATE_TIMEOUT_SECONDS
) -> None:
    """``context.term()``, which blocks while any of its sockets is open, on a daemon thread
    named ``zmq-term-<id>``; the test fails if it has not returned in ``timeout_seconds``.

    The thread is left behind on failure: it returns as soon as the last socket closes."""
    terminating = threading.Thread(target=context.term, name=term_thread_name(context), daemon=True)
    terminating.start()
    terminating.join(timeout_seconds)
    if terminating.is_alive():
        pytest.fail(
            f"the ZeroMQ context did not terminate within {timeout_seconds:g} s: "
            "a socket was left open (close it, or open it with the zmq_socket fixture)"
        )


def term_thread_name(context: zmq.Context) -> str:
    return f"zmq-term-{id(context):x}"


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now.

    Another process may take it before the caller binds it; a socket that can bind
    wherever it likes should rather call ``sock.bind_to_random_port("tcp://127.0.0.1")``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _kind(sock: zmq.Socket) -> str:
    return zmq.SocketType(sock.type).name

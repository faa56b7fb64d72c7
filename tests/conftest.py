"""Fixtures for every test: ZeroMQ contexts and sockets that cannot hang a test session;
and the one place that marks the tests that run the swarm end to end ``slow``.

After pyzmq's ``tests/conftest.py``: sockets are closed with linger 0, the context is
terminated with a timeout (an open socket fails the test instead of blocking teardown),
and tcp tests take random free loopback ports. Receiving with a timeout is
``tests.zmq_support.recv_multipart_or_fail``.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zmq

from tests.integration.harness import SWARM_FIXTURES
from tests.zmq_support import TERMINATE_TIMEOUT_SECONDS, free_loopback_port, terminate_context

pytest_plugins = ["pytester"]
INTEGRATION = Path(__file__).parent / "integration"

# A suite started as a background job of a script (``cmd &`` where job control is off, as in
# a subshell) inherits SIGINT ignored, and so would every CLI it starts: Python leaves an
# ignored SIGINT ignored. The tests that press Ctrl-C on a run or a sweep need it live, as
# at a terminal; a handler (unlike SIG_IGN) is not inherited across exec.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``slow``: everything in ``tests/integration``, and any test that takes a fixture
    declared with ``harness.runs_the_swarm`` (one that runs a scenario)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.is_relative_to(INTEGRATION) or fixtures & SWARM_FIXTURES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def zmq_term_timeout_seconds() -> float:
    """How long teardown waits for the context to terminate; override it to test that."""
    return TERMINATE_TIMEOUT_SECONDS


@pytest.fixture
def zmq_context(zmq_term_timeout_seconds: float) -> Iterator[zmq.Context]:
    """A context of the test's own (not ``Context.instance()``), terminated at teardown."""
    context: zmq.Context = zmq.Context()
    yield context
    terminate_context(context, zmq_term_timeout_seconds)


@pytest.fixture
def zmq_socket(zmq_context: zmq.Context) -> Iterator[Callable[[int], zmq.Socket]]:
    """``zmq_socket(zmq.DEALER)``: a socket of ``zmq_context`` with linger 0, closed at
    teardown (before the context terminates) whether the test closed it or not.

    A socket belongs to one thread: call this from the thread that will use the socket."""
    opened: list[zmq.Socket] = []

    def open_socket(kind: int) -> zmq.Socket:
        sock = zmq_context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        opened.append(sock)
        return sock

    yield open_socket
    for sock in opened:
        sock.close(linger=0)


@pytest.fixture
def loopback_port() -> Callable[[], int]:
    """``loopback_port()``: a free TCP port on 127.0.0.1, a different one at each call."""
    given: set[int] = set()

    def new_port() -> int:
        port = free_loopback_port()
        while port in given:
            port = free_loopback_port()
        given.add(port)
        return port

    return new_port

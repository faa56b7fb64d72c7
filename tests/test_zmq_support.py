"""The ZeroMQ fixtures and helpers themselves: they return or fail, and never hang."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import zmq

from tests.zmq_support import (
    recv_multipart_or_fail,
    recv_or_fail,
    term_thread_name,
    terminate_context,
)

SHORT_SECONDS = 0.05


def run_inner(pytester: pytest.Pytester) -> pytest.RunResult:
    """Pytest in this process on the files ``pytester`` made; hypothesis's plugin left out
    (its summary hook costs a second of imports)."""
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def test_a_message_that_arrives_is_returned(zmq_socket: Callable[[int], zmq.Socket]) -> None:
    sender, receiver = zmq_socket(zmq.PAIR), zmq_socket(zmq.PAIR)
    receiver.bind("inproc://arrives")
    sender.connect("inproc://arrives")
    sender.send_multipart([b"topic/", b"body"])
    sender.send(b"one frame")
    assert recv_multipart_or_fail(receiver) == [b"topic/", b"body"]
    assert recv_or_fail(receiver) == b"one frame"


def test_nothing_arriving_fails_the_test_in_time(zmq_socket: Callable[[int], zmq.Socket]) -> None:
    receiver = zmq_socket(zmq.PULL)
    receiver.bind("inproc://silent")
    with pytest.raises(pytest.fail.Exception, match="nothing arrived on a PULL socket"):
        recv_multipart_or_fail(receiver, SHORT_SECONDS)


def test_a_message_of_several_frames_fails_a_single_frame_receive(
    zmq_socket: Callable[[int], zmq.Socket],
) -> None:
    sender, receiver = zmq_socket(zmq.PAIR), zmq_socket(zmq.PAIR)
    receiver.bind("inproc://frames")
    sender.connect("inproc://frames")
    sender.send_multipart([b"a", b"b"])
    with pytest.raises(pytest.fail.Exception, match="expected one frame"):
        recv_or_fail(receiver)


def test_a_context_with_an_open_socket_fails_instead_of_hanging() -> None:
    context = zmq.Context()
    left_open = context.socket(zmq.DEALER)
    with pytest.raises(pytest.fail.Exception, match="did not terminate"):
        terminate_context(context, SHORT_SECONDS)
    left_open.close(linger=0)  # the blocked term() returns now
    (terminating,) = [t for t in threading.enumerate() if t.name == term_thread_name(context)]
    terminating.join(5.0)
    assert not terminating.is_alive()
    assert context.closed


def test_sockets_left_open_by_a_test_are_closed_before_the_context_terminates(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        "from tests.conftest import zmq_context, zmq_socket, zmq_term_timeout_seconds"
    )
    pytester.makepyfile(
        """
        import zmq

        def test_leaves_its_sockets_open(zmq_socket):
            zmq_socket(zmq.PUB).bind("inproc://left-open")
            zmq_socket(zmq.SUB).connect("inproc://left-open")
        """
    )
    run_inner(pytester).assert_outcomes(passed=1)


def test_a_socket_opened_around_the_factory_fails_the_test_at_teardown(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest
        from tests.conftest import zmq_context, zmq_socket

        @pytest.fixture
        def zmq_term_timeout_seconds():
            return 0.05

        @pytest.fixture
        def leaked():
            sockets = []
            yield sockets
            for sock in sockets:  # after zmq_context's teardown failed: lets term() return
                sock.close(linger=0)
        """
    )
    pytester.makepyfile(
        """
        import zmq

        def test_leaks_a_socket(leaked, zmq_context):
            leaked.append(zmq_context.socket(zmq.DEALER))
        """
    )
    result = run_inner(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*did not terminate within 0.05 s*"])


def test_loopback_ports_are_distinct_and_free(
    loopback_port: Callable[[], int], zmq_socket: Callable[[int], zmq.Socket]
) -> None:
    ports = [loopback_port() for _ in range(5)]
    assert len(set(ports)) == 5
    for port in ports:
        zmq_socket(zmq.ROUTER).bind(f"tcp://127.0.0.1:{port}")

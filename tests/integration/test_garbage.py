"""Garbage sent to a live actor's socket is counted and dropped; the run still completes
with the same fills. The garbage comes with a key of the run (a process of the run gone
wrong): without one it would not get past the handshake (``test_security``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import zmq

from tests.integration.harness import write_synthetic_scenario
from tests.zmq_support import recv_or_fail
from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.messages import Fill, TradingState, TradingStateRequest, decode, encode
from tradeswarm.messages.link_keys import secure_client
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.data_source import bar_source
from tradeswarm.scenarios.run.plan import plan_nodes
from tradeswarm.scenarios.run.swarm import Swarm

GARBAGE = [
    b"\x00\xff garbage",
    b"\x93\xa3Bar\x01",
    b"",
    encode(TradingStateRequest(request_id="x"))[:-3],
]


def _run(
    scenario_path: Path, journal: Path, *, garbage_from: zmq.Socket | None
) -> tuple[list[Fill], dict[str, int]]:
    scenario = load_scenario(scenario_path)
    nodes = plan_nodes(scenario, bar_source(scenario)[0], journal)
    with Swarm(nodes, topology="processes") as swarm:
        swarm.launch()
        if garbage_from is not None:
            assert swarm.keys is not None
            public, secret = swarm.keys.nodes[nodes[-1].name]
            secure_client(garbage_from, swarm.keys.server_public, public, secret)
            _send_garbage_to_router(garbage_from, swarm.endpoints.router)
        swarm.release()
        swarm.wait(60.0)
    fills = [message for message in read_journal(journal) if isinstance(message, Fill)]
    return fills, swarm.stopped["broker"]


def _send_garbage_to_router(sock: zmq.Socket, endpoint: str) -> None:
    """Garbage first, then a real request on the same socket: its answer proves the router
    carried, and the broker read past, the garbage."""
    sock.connect(endpoint)
    for body in GARBAGE:
        sock.send(body)
    sock.send_multipart([b"not a message", b"\xc1"])
    sock.send(encode(TradingStateRequest(request_id="after-garbage")))
    reply = decode(recv_or_fail(sock, timeout_seconds=30.0))
    assert isinstance(reply, TradingState)
    assert reply.request_id == "after-garbage"


def test_garbage_sent_to_the_router_is_counted_and_the_fills_are_unchanged(
    tmp_path: Path, zmq_socket: Callable[[int], zmq.Socket]
) -> None:
    scenario = write_synthetic_scenario(tmp_path, symbols=3, bars=3000)
    clean_fills, clean_broker = _run(scenario, tmp_path / "clean.msgpack", garbage_from=None)
    dirty_fills, dirty_broker = _run(
        scenario, tmp_path / "dirty.msgpack", garbage_from=zmq_socket(zmq.DEALER)
    )
    assert clean_broker["malformed"] == 0
    assert dirty_broker["malformed"] == len(GARBAGE) + 2
    assert len(clean_fills) > 20
    assert dirty_fills == clean_fills

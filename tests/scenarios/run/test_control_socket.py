"""The runner takes a control message only from a sender that may say it: by identity,
and over CURVE by the process its key belongs to, which no peer can choose."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from tests.integration.harness import write_synthetic_scenario
from tests.zmq_support import free_loopback_port
from tradeswarm.actors.runtime.node import NodeConfig
from tradeswarm.actors.runtime.zap import start_authenticator
from tradeswarm.messages import ActorFinished, ActorReady, BrokerResults, RunProgress, encode
from tradeswarm.messages.link_keys import RunKeys, new_run_keys, secure_client
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.control_socket import ControlSocket, Received, speakers
from tradeswarm.scenarios.run.data_source import bar_source
from tradeswarm.scenarios.run.plan import plan_nodes
from tradeswarm.scenarios.run.summary import dropped_frames

WAIT_MS = 5000


@pytest.fixture
def nodes(tmp_path: Path) -> list[NodeConfig]:
    scenario = load_scenario(write_synthetic_scenario(tmp_path, symbols=4, bars=50, shards=2))
    return plan_nodes(scenario, bar_source(scenario)[0], tmp_path / "j.msgpack")


def test_a_host_speaks_for_itself_and_its_instruments_only(nodes: list[NodeConfig]) -> None:
    said = speakers(nodes)
    assert said["instruments-0"] == {"instruments-0", "instrument/S000", "instrument/S002"}
    assert said["broker"] == {"broker"}


@pytest.fixture
def secured(nodes: list[NodeConfig]) -> Iterator[tuple[ControlSocket, RunKeys, str]]:
    context = zmq.Context()
    keys = new_run_keys([node.name for node in nodes])
    runner = keys.for_node(nodes[0].name)
    authenticator = start_authenticator(context, runner)
    endpoint = f"tcp://127.0.0.1:{free_loopback_port()}"
    control = ControlSocket(context, endpoint, nodes, runner)
    yield control, keys, endpoint
    control.close()
    authenticator.stop()
    context.destroy(linger=0)


def _peer(keys: RunKeys, node: str, identity: bytes, endpoint: str) -> zmq.Socket:
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.IDENTITY, identity)
    public, secret = keys.nodes[node]
    secure_client(sock, keys.server_public, public, secret)
    sock.connect(endpoint)
    return sock


def test_a_key_cannot_speak_for_another_process_even_under_its_name(
    secured: tuple[ControlSocket, RunKeys, str],
) -> None:
    control, keys, endpoint = secured
    # A host's key under the broker's identity: the identity alone would pass.
    impostor = _peer(keys, "instruments-0", b"broker", endpoint)
    impostor.send(encode(ActorFinished(actor="broker", counters={})))
    impostor.send(encode(RunProgress(through_ts_ns=1, bars=1)))
    impostor.send(encode(BrokerResults(fills=[], statements=[])))
    host = _peer(keys, "instruments-1", b"instruments-1", endpoint)
    host.send(encode(ActorFinished(actor="instrument/S000", counters={})))  # not its own
    host.send(encode(ActorFinished(actor="instrument/S001", counters={"bars": 5})))
    host.send(encode(ActorReady(actor="instruments-1")))
    accepted: list[Received] = []
    for _ in range(100):  # the two peers' messages interleave: wait for all seven
        received = control.receive(WAIT_MS // 100)
        if received is not None:
            accepted.append(received)
        if len(accepted) == 2 and control.counters["refused.control"] == 4:
            break
    assert accepted == [
        Received("instruments-1", ActorFinished(actor="instrument/S001", counters={"bars": 5})),
        Received("instruments-1", ActorReady(actor="instruments-1")),
    ]
    assert control.counters == {"malformed.control": 0, "refused.control": 4}
    for sock in (impostor, host):
        sock.close()


def test_a_peer_without_the_run_key_is_refused_at_the_handshake_and_counted(
    secured: tuple[ControlSocket, RunKeys, str],
) -> None:
    control, _, endpoint = secured
    outsider = zmq.Context.instance().socket(zmq.DEALER)
    outsider.setsockopt(zmq.LINGER, 0)
    outsider.setsockopt(zmq.IDENTITY, b"broker")
    outsider.connect(endpoint)
    with contextlib.suppress(zmq.Again):  # refused, it may have no peer: never block
        outsider.send(encode(ActorFinished(actor="broker", counters={})), zmq.NOBLOCK)
    for _ in range(50):
        assert control.receive(WAIT_MS // 50) is None
        if control.counters["refused.control"]:
            break
    assert control.counters["refused.control"] >= 1
    outsider.close()


def test_the_summary_adds_up_what_each_socket_dropped() -> None:
    table = dropped_frames(
        {"refused.control": 3, "malformed.control": 1},
        {
            "broker": {"refused.broker": 8, "malformed": 2, "malformed.broker": 2, "fills": 9},
            "router": {"refused.router": 1, "refused.state": 1},
            "instruments-0": {"malformed.market_data": 4},
        },
    )
    assert table == {
        "broker": {"refused": 8, "malformed": 2},
        "control": {"refused": 3, "malformed": 1},
        "market_data": {"refused": 0, "malformed": 4},
        "router": {"refused": 1, "malformed": 0},
        "state": {"refused": 1, "malformed": 0},
    }

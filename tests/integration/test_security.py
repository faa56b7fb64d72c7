"""Nobody outside a run can trade in it, end it, or flood it, over tcp on the loopback.

The outsider test is the attack of the issue, replayed against ``tradeswarm run`` as a user
starts it: an injected order and cancels, forged ``StepDone``, ``ActorFinished`` and
``ActorFailed``, an identity holding a newline and ESC sequences, an unknown CURVE key and
100,000 garbage frames. The insider test holds a real key of the run (a process of the run
gone wrong) and sends what that process has no right to send. In both the run's fills are
byte-identical to a clean run's and every refusal is counted.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from tests.integration.harness import finish_cli, run_cli, start_cli, write_synthetic_scenario
from tests.integration.test_no_leaks import _wait_for
from tests.zmq_support import recv_or_fail
from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.messages import (
    ActorFailed,
    ActorFinished,
    CancelRequest,
    Fill,
    OrderRequest,
    OrderType,
    Side,
    StepDone,
    TradingState,
    TradingStateRequest,
    decode,
    encode,
)
from tradeswarm.messages.link_keys import secure_client
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.data_source import bar_source
from tradeswarm.scenarios.run.plan import plan_nodes
from tradeswarm.scenarios.run.swarm import Swarm

SYMBOLS = ["S000", "S001", "S002", "S003"]
GARBAGE_FRAMES = 100_000
ESCAPES = b"\n\x1b[2J\x1b[1;32mrun finished OK\x1b[0m\n"


def _scenario(folder: Path, bars: int) -> Path:
    path = write_synthetic_scenario(folder, symbols=len(SYMBOLS), bars=bars, shards=2)
    path.write_text(path.read_text().replace("[data]", 'transport = "tcp"\n[data]', 1))
    return path


def _order(symbol: str, client_order_id: str) -> OrderRequest:
    return OrderRequest(
        client_order_id=client_order_id,
        symbol=symbol,
        side=Side.BUY,
        quantity=5000.0,
        order_type=OrderType.MARKET,
        decided_ts_ns=0,
        seq=0,
    )


@pytest.fixture
def context() -> Iterator[zmq.Context]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


def _dealer(context: zmq.Context, endpoint: str, identity: bytes) -> zmq.Socket:
    sock = context.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SNDHWM, 0)
    sock.setsockopt(zmq.IDENTITY, identity)
    return sock


def _send(sock: zmq.Socket, data: bytes) -> None:
    """Never blocks: once its handshake is refused, a DEALER has no peer, and a blocking
    send would wait forever; what it cannot queue it drops, as a flood would."""
    with contextlib.suppress(zmq.Again):
        sock.send(data, zmq.NOBLOCK)


def _attack_from_outside(context: zmq.Context, endpoints: dict[str, str]) -> None:
    router = _dealer(context, endpoints["router"], b"inst/instruments-0")
    router.connect(endpoints["router"])
    for symbol in SYMBOLS:
        _send(router, encode(_order(symbol, "EVIL-1")))
        _send(
            router,
            encode(
                CancelRequest(client_order_id=f"{symbol}-1", symbol=symbol, decided_ts_ns=0, seq=1)
            ),
        )
        _send(router, encode(StepDone(sender=symbol, through_ts_ns=2**62)))
    control = _dealer(context, endpoints["control"], b"broker")
    control.connect(endpoints["control"])
    for actor in ("broker", "market_data", "router", "instruments-0", "instruments-1"):
        _send(control, encode(ActorFinished(actor=actor, counters={})))
    _send(control, encode(ActorFailed(actor="broker", reason="forged")))
    forger = _dealer(context, endpoints["control"], ESCAPES)
    forger.connect(endpoints["control"])
    _send(forger, encode(ActorFailed(actor=ESCAPES.decode(), reason=ESCAPES.decode())))
    stranger = _dealer(context, endpoints["router"], b"stranger")
    public, secret = zmq.curve_keypair()
    stranger.setsockopt(zmq.CURVE_SERVERKEY, zmq.curve_keypair()[0])
    stranger.setsockopt(zmq.CURVE_PUBLICKEY, public)
    stranger.setsockopt(zmq.CURVE_SECRETKEY, secret)
    stranger.connect(endpoints["router"])
    _send(stranger, encode(_order("S000", "EVIL-2")))
    flood = _dealer(context, endpoints["market_data"], b"flood")
    flood.connect(endpoints["market_data"])
    for index in range(GARBAGE_FRAMES):
        _send(flood, index.to_bytes(4, "little") + b"\xc1 garbage")
    host, port = endpoints["router"].removeprefix("tcp://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"\xff\x00\x1b[2J garbage " * 10_000)


def test_an_outsider_can_neither_trade_nor_end_nor_flood_a_tcp_run(
    tmp_path: Path, context: zmq.Context
) -> None:
    scenario = _scenario(tmp_path, bars=30_000)
    clean = run_cli("run", str(scenario), "--out", "clean", "--quiet", cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr

    process = start_cli("run", str(scenario), "--out", "attacked", "--quiet", cwd=tmp_path)
    endpoints_file = tmp_path / "attacked" / "endpoints.json"
    _wait_for(endpoints_file.exists, "the swarm to start")
    _attack_from_outside(context, json.loads(endpoints_file.read_text()))
    attacked = finish_cli(process)

    assert attacked.returncode == 0, attacked.stderr
    clean_fills = (tmp_path / "clean" / "fills.csv").read_bytes()
    assert (tmp_path / "attacked" / "fills.csv").read_bytes() == clean_fills
    assert "EVIL" not in clean_fills.decode()
    dropped = json.loads((tmp_path / "attacked" / "summary.json").read_text())["dropped_frames"]
    assert dropped["router"]["refused"] >= 2, dropped  # the DEALER and the stranger's key
    assert dropped["control"]["refused"] >= 2, dropped
    assert dropped["market_data"]["refused"] >= 1, dropped
    assert "\x1b" not in attacked.stderr
    assert len(attacked.stderr.splitlines()) < 50, attacked.stderr[-2000:]
    state_key = tmp_path / "attacked" / "state.key"
    assert state_key.stat().st_mode & 0o777 == 0o600


def _fills(journal: Path) -> list[Fill]:
    return [message for message in read_journal(journal) if isinstance(message, Fill)]


def _swarm_run(scenario_path: Path, journal: Path, insider: bool) -> tuple[list[Fill], Swarm]:
    scenario = load_scenario(scenario_path)
    nodes = plan_nodes(scenario, bar_source(scenario)[0], journal)
    with Swarm(nodes, topology="processes", transport="tcp") as swarm:
        swarm.launch()
        if insider:
            _misbehave_from_inside(swarm)
        swarm.release()
        swarm.wait(60.0)
    return _fills(journal), swarm


def _misbehave_from_inside(swarm: Swarm) -> None:
    """A key of instruments-0 speaking for what instruments-1 runs, under an identity no
    host has; and the read-only state key trying to trade."""
    keys = swarm.keys
    assert keys is not None
    context = zmq.Context.instance()
    public, secret = keys.nodes["instruments-0"]
    rogue = _dealer(context, swarm.endpoints.router, b"inst/instruments-9")
    secure_client(rogue, keys.server_public, public, secret)
    rogue.connect(swarm.endpoints.router)
    for symbol in SYMBOLS:
        rogue.send(encode(_order(symbol, "EVIL-3")))
        rogue.send(encode(StepDone(sender=symbol, through_ts_ns=2**62)))
    rogue.send(encode(TradingStateRequest(request_id="after-the-forgeries")))
    reply = decode(recv_or_fail(rogue, timeout_seconds=30.0))
    assert isinstance(reply, TradingState) and reply.fills == 0

    reader = keys.state_reader()
    tool = _dealer(context, swarm.endpoints.state, b"tool/reader")
    secure_client(tool, reader.server_public, reader.public, reader.secret)
    tool.connect(swarm.endpoints.state)
    tool.send(encode(_order("S000", "EVIL-4")))
    tool.send(encode(TradingStateRequest(request_id="read-only")))
    answer = decode(recv_or_fail(tool, timeout_seconds=30.0))
    assert isinstance(answer, TradingState) and answer.request_id == "read-only"
    trader = _dealer(context, swarm.endpoints.router, b"tool/trader")
    secure_client(trader, reader.server_public, reader.public, reader.secret)
    trader.connect(swarm.endpoints.router)
    _send(trader, encode(_order("S000", "EVIL-5")))
    for sock in (rogue, tool, trader):
        sock.close(linger=0)


def test_a_key_of_the_run_cannot_speak_for_what_it_does_not_run(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, bars=3000)
    clean_fills, clean = _swarm_run(scenario, tmp_path / "clean.msgpack", insider=False)
    fills, swarm = _swarm_run(scenario, tmp_path / "insider.msgpack", insider=True)
    assert len(clean_fills) > 20
    assert fills == clean_fills
    broker = swarm.stopped["broker"]
    assert broker["refused.broker"] == 2 * len(SYMBOLS)  # every order and every StepDone
    assert broker["orders"] == clean.stopped["broker"]["orders"]
    router = swarm.stopped["router"]
    assert router["refused.state"] == 1  # the read-only key's order
    assert router["state_requests"] == 1  # the tool's
    assert router["refused.router"] >= 1  # the read-only key on the order socket

"""The broker's order lifecycle, run through the CLI as a user runs it.

The breakout demo on daily bars uses DAY limit entries, GTC protective stops and
cancel-and-sell exits; its journal must show each of them, and every lifecycle event the
broker journaled for a symbol must have reached that symbol's FSM actor. A minute-bar run
with a volume cap shows orders filled piecewise over several bars. Both topologies trade
the same.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.messages import (
    CancelRequest,
    Fill,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    OrderType,
    Side,
    TimeInForce,
)
from tradeswarm.scenarios.config.scenario import Scenario, load_scenario
from tradeswarm.scenarios.run.data_source import bar_source

SYMBOLS = ("AAPL", "IBM", "MSFT")
COUNTERS = {
    OrderAck: "received_acks",
    Fill: "received_fills",
    OrderCancelled: "received_cancels",
    OrderReject: "received_rejects",
}
VOLUME_LIMIT = 0.001


def _run(scenario: Path, cwd: Path, topology: str) -> Path:
    result = run_cli(
        "run", str(scenario), "--topology", topology, "--out", topology, "--quiet", cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    return cwd / topology


def _journal(out: Path) -> list[Any]:
    return list(read_journal(out / "journal.msgpack"))


def _summary(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text())


def _assert_every_event_reached_its_instrument(out: Path, journal: list[Any]) -> None:
    """The instrument actor counts what it receives; the broker journals what it sends."""
    summary = _summary(out)
    for symbol in summary["symbols"]:
        counters = summary["actor_counters"][f"instrument/{symbol}"]
        journaled = Counter(
            type(message) for message in journal if getattr(message, "symbol", None) == symbol
        )
        received = {name: counters.get(name, 0) for name in COUNTERS.values()}
        expected = {name: journaled[kind] for kind, name in COUNTERS.items()}
        assert received == expected, symbol
        assert counters["fsm_errors"] == 0, symbol
    hosts = [name for name in summary["actor_counters"] if name.startswith("instruments-")]
    assert hosts, "the hosts of the instruments report their counters"
    assert summary["malformed_messages"] == {}


def test_breakout_demo_journals_limits_stops_cancels_and_every_event_reaches_its_fsm(
    tmp_path: Path,
) -> None:
    scenario = SCENARIOS / "breakout_demo.toml"
    single = _run(scenario, tmp_path, "single")
    processes = _run(scenario, tmp_path, "processes")

    journal = _journal(processes)
    requests = {m.client_order_id: m for m in journal if isinstance(m, OrderRequest)}
    limits = {
        order_id
        for order_id, request in requests.items()
        if request.order_type is OrderType.LIMIT and request.time_in_force is TimeInForce.DAY
    }
    stops = {
        order_id
        for order_id, request in requests.items()
        if request.order_type is OrderType.STOP and request.time_in_force is TimeInForce.GTC
    }
    fills = [m for m in journal if isinstance(m, Fill)]
    cancels = [m for m in journal if isinstance(m, OrderCancelled)]
    stop_fills = [fill for fill in fills if fill.client_order_id in stops]
    end_of_day = [c for c in cancels if c.reason == "end_of_day"]

    for symbol in SYMBOLS:
        assert any(requests[i].symbol == symbol for i in limits), symbol
        assert any(requests[i].symbol == symbol for i in stops), symbol
    assert len(limits) > 50 and len(stops) > 50
    assert sum(isinstance(m, CancelRequest) for m in journal) > 20
    # A requested cancel is the exit's: it takes down the protective stop.
    requested = [c for c in cancels if c.reason == "requested"]
    assert len(requested) > 20
    assert {c.client_order_id for c in requested} <= stops
    # Stops were hit, as sell stops: at or below the stop price (no slippage in the demo).
    assert len(stop_fills) > 5
    for fill in stop_fills:
        assert fill.side is Side.SELL
        assert fill.price <= requests[fill.client_order_id].stop_price + 1e-9
    # Only DAY limits expire, each at the close of the one session it was meant for: the
    # bar after the one it was decided on (daily bars are stamped at the close).
    assert len(end_of_day) >= 5
    assert {c.client_order_id for c in end_of_day} <= limits
    bars = whole_bars(load_scenario(processes / "scenario.toml"))
    acked = {m.client_order_id: m.ts_ns for m in journal if isinstance(m, OrderAck)}
    for cancel in end_of_day:
        stamps = bars[cancel.symbol].ts_ns
        following = stamps[np.searchsorted(stamps, acked[cancel.client_order_id], "right")]
        assert cancel.ts_ns == int(following), cancel

    _assert_every_event_reached_its_instrument(processes, journal)
    _assert_every_event_reached_its_instrument(single, _journal(single))
    assert (single / "fills.csv").read_bytes() == (processes / "fills.csv").read_bytes()
    assert (single / "journal.msgpack").read_bytes() == (processes / "journal.msgpack").read_bytes()


def _volume_capped_scenario(folder: Path) -> Path:
    path = folder / "volume_capped.toml"
    path.write_text(
        f"""
[run]
name = "volume-capped"
seed = 3
topology = "processes"

[data]
source = "synthetic"
symbols = ["S000", "S001"]
bars_per_symbol = 600
calendar = "XNYS"

[strategy]
name = "sma_crossover"
params = {{ fast = 5, slow = 20, quantity = 100 }}

[broker]
starting_cash = 1000000.0

[broker.slippage]
model = "volume_share"
volume_limit = {VOLUME_LIMIT}
"""
    )
    return path


def test_volume_capped_minute_orders_fill_partially_over_several_bars(tmp_path: Path) -> None:
    scenario = _volume_capped_scenario(tmp_path)
    single = _run(scenario, tmp_path, "single")
    processes = _run(scenario, tmp_path, "processes")
    assert (single / "fills.csv").read_bytes() == (processes / "fills.csv").read_bytes()

    journal = _journal(processes)
    fills = [m for m in journal if isinstance(m, Fill)]
    requests = {m.client_order_id: m for m in journal if isinstance(m, OrderRequest)}
    bars = whole_bars(load_scenario(processes / "scenario.toml"))
    volume_at = {
        symbol: dict(zip(columns.ts_ns.tolist(), columns.volume.tolist(), strict=True))
        for symbol, columns in bars.items()
    }
    assert any(fill.remaining > 0 for fill in fills)

    by_order: dict[str, list[Fill]] = {}
    for fill in fills:
        by_order.setdefault(fill.client_order_id, []).append(fill)
        # Never more than the cap lets trade on the bar (one order per symbol at a time).
        cap = math.floor(VOLUME_LIMIT * volume_at[fill.symbol][fill.ts_ns] + 1e-9)
        assert 0 < fill.quantity <= cap, fill
    completed = [order_fills for order_fills in by_order.values() if order_fills[-1].remaining == 0]
    assert len(completed) >= 10
    for order_fills in completed:
        quantity = requests[order_fills[0].client_order_id].quantity
        assert len(order_fills) >= 3  # 100 shares at about 10 a bar
        assert len({fill.ts_ns for fill in order_fills}) == len(order_fills)
        assert sum(fill.quantity for fill in order_fills) == quantity
        remaining = [fill.remaining for fill in order_fills]
        assert remaining == sorted(remaining, reverse=True)
        assert all(left > 0 for left in remaining[:-1])
        for before, after in itertools.pairwise(order_fills):
            assert after.remaining == before.remaining - after.quantity

    _assert_every_event_reached_its_instrument(processes, journal)
    _assert_every_event_reached_its_instrument(single, _journal(single))


def whole_bars(scenario: Scenario) -> dict[str, BarColumns]:
    return load_bars(bar_source(scenario)[0], scenario.data.calendar or None)

"""Restart from the journal: a broker book rebuilt from a run's journal (and its bars) is in
the state the run ended with, as ``summary.json`` reports it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.actors.broker.book import BrokerBook
from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.actors.broker.replay import interleave, replay
from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.messages import Bar, OrderCancelled, OrderRequest
from tradeswarm.scenarios.config.scenario import Scenario, load_scenario
from tradeswarm.scenarios.run.data_source import bar_source


def _bars(scenario: Scenario) -> list[Bar]:
    bars = []
    for symbol, columns in whole_bars(scenario).items():
        bars += [
            Bar(symbol=symbol, ts_ns=t, open=o, high=h, low=lo, close=c, volume=v)
            for t, o, h, lo, c, v in zip(
                columns.ts_ns.tolist(),
                columns.open.tolist(),
                columns.high.tolist(),
                columns.low.tolist(),
                columns.close.tolist(),
                columns.volume.tolist(),
                strict=True,
            )
        ]
    return bars


def _run_and_replay(scenario: Path, cwd: Path) -> tuple[BrokerBook, list[Any], dict[str, Any]]:
    result = run_cli("run", str(scenario), "--out", "out", "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    out = cwd / "out"
    summary = json.loads((out / "summary.json").read_text())
    ran = load_scenario(out / "scenario.toml")
    journal = list(read_journal(out / "journal.msgpack"))
    book = replay(ran.broker.settings(), ran.data.symbols, interleave(journal, _bars(ran)))
    return book, journal, summary


def _assert_book_is_the_run_end_state(book: BrokerBook, summary: dict[str, Any]) -> None:
    state = book.snapshot("replayed")
    assert state.cash == summary["final_cash"]
    assert state.equity == summary["final_equity"]
    assert {p.symbol: p.quantity for p in state.positions} == summary["positions"]
    assert state.fills == summary["fills"]
    assert state.open_orders == []
    assert summary["actor_counters"]["broker"]["fills"] == state.fills


def test_a_book_replayed_from_the_breakout_journal_is_the_book_the_run_ended_with(
    tmp_path: Path,
) -> None:
    book, journal, summary = _run_and_replay(SCENARIOS / "breakout_demo.toml", tmp_path)

    assert summary["fills"] > 100 and summary["positions"]
    _assert_book_is_the_run_end_state(book, summary)
    assert book.seen_order_ids == {
        m.client_order_id for m in journal if isinstance(m, OrderRequest)
    }
    # The run's end cancelled what was still open (the last stop); the replay did too.
    end_of_data = [
        m for m in journal if isinstance(m, OrderCancelled) and m.reason == "end_of_data"
    ]
    assert end_of_data
    assert all(m.client_order_id in book.closed_orders for m in end_of_data)

    # Without bars the book is exact but for marks and stop triggers (the docstring's
    # promise): same cash, positions, fills and orders.
    bare = replay(book.settings, book.symbols, journal)
    assert (bare.cash, bare.fills) == (book.cash, book.fills)

    def held(replayed: BrokerBook) -> list[tuple[str, float, float]]:
        return [(p.symbol, p.quantity, p.average_cost) for p in replayed.snapshot().positions]

    assert held(bare) == held(book)
    assert bare.open_orders == {} and bare.seen_order_ids == book.seen_order_ids


def test_a_replay_follows_last_minute_resubmissions_and_volume_capped_fills(
    tmp_path: Path,
) -> None:
    """The broker re-submits last-minute cancels under ``<id>/next`` with no request in the
    journal; the replay must recognise them, and partial fills, and end in the same state."""
    scenario = tmp_path / "resubmit.toml"
    scenario.write_text(
        """
[run]
name = "resubmit"
seed = 5
topology = "processes"

[data]
source = "synthetic"
symbols = ["S000"]
bars_per_symbol = 990
start = "2024-07-02"
calendar = "XNYS"

[strategy]
name = "tests.integration.strategies_for_tests:SESSION_ORDERS"
params = { bid_price = 1.0, quantity = 40 }

[broker]
starting_cash = 1000000.0
resubmit_next_session = true

[broker.slippage]
model = "volume_share"
volume_limit = 0.001
"""
    )
    book, journal, summary = _run_and_replay(scenario, tmp_path)

    ids = {getattr(m, "client_order_id", "") for m in journal}
    resubmitted = {client_order_id for client_order_id in ids if client_order_id.endswith("/next")}
    assert len(resubmitted) == 2  # 2024-07-02 -> 07-03 and 07-03 -> 07-05
    assert any(getattr(m, "remaining", 0) > 0 for m in journal)  # filled in pieces
    assert summary["positions"] == {"S000": 80.0}
    _assert_book_is_the_run_end_state(book, summary)
    assert resubmitted <= set(book.closed_orders)
    # The last session's last-minute cancel is still waiting for a next open.
    assert [r.client_order_id for r in book.last_minute_cancelled] == [
        m.client_order_id
        for m in journal
        if isinstance(m, OrderCancelled) and m.reason == "last_minute"
    ][-1:]


def whole_bars(scenario: Scenario) -> dict[str, BarColumns]:
    return load_bars(bar_source(scenario)[0], scenario.data.calendar or None)

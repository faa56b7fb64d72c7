"""Session rules of the broker, through the CLI on XNYS minute bars around July 4th, 2024.

A user's own table (``strategies_for_tests:SESSION_ORDERS``) bids a DAY limit far below
the market at every open and buys at the market at every close. The limit never trades,
so it expires at the close (``end_of_day``); the market order is decided in the last
minute, so the broker cancels it at once (``last_minute``). 2024-07-03 closes early, at
13:00 New York; 2024-07-04 is a holiday; 2024-07-05 is a regular session.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.integration.harness import run_cli
from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.actors.broker.requests import RESUBMIT_SUFFIX
from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.messages import Fill, OrderAck, OrderCancelled, OrderReject, OrderRequest, OrderType
from tradeswarm.scenarios.config.scenario import Scenario, load_scenario
from tradeswarm.scenarios.run.data_source import bar_source

STRATEGY = "tests.integration.strategies_for_tests:SESSION_ORDERS"
SYMBOL = "S000"
QUANTITY = 10
# 390 + 390 + 210 (early close) + 390 minutes: 2024-07-01 to 2024-07-05, no 2024-07-04.
BARS = 1380
# Each session's first and last bar, in UTC (New York is on EDT, UTC-4).
SESSIONS = {
    "2024-07-01": ("2024-07-01T13:31:00Z", "2024-07-01T20:00:00Z"),
    "2024-07-02": ("2024-07-02T13:31:00Z", "2024-07-02T20:00:00Z"),
    "2024-07-03": ("2024-07-03T13:31:00Z", "2024-07-03T17:00:00Z"),
    "2024-07-05": ("2024-07-05T13:31:00Z", "2024-07-05T20:00:00Z"),
}
COUNTERS = {
    OrderAck: "received_acks",
    Fill: "received_fills",
    OrderCancelled: "received_cancels",
    OrderReject: "received_rejects",
}


def _ns(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp()) * 10**9


def _iso(ts_ns: int) -> str:
    return datetime.fromtimestamp(ts_ns // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _scenario(folder: Path, *, resubmit: bool) -> Path:
    path = folder / f"sessions_{'resubmit' if resubmit else 'plain'}.toml"
    path.write_text(
        f"""
[run]
name = "sessions"
seed = 5
topology = "processes"

[data]
source = "synthetic"
symbols = ["{SYMBOL}"]
bars_per_symbol = {BARS}
start = "2024-07-01"
calendar = "XNYS"

[strategy]
name = "{STRATEGY}"
params = {{ bid_price = 1.0, quantity = {QUANTITY} }}

[broker]
starting_cash = 1000000.0
last_minute_seconds = 60.0
resubmit_next_session = {"true" if resubmit else "false"}
"""
    )
    return path


def _run(folder: Path, *, resubmit: bool) -> tuple[Path, list[Any], dict[str, Any]]:
    out = folder / ("resubmit" if resubmit else "plain")
    result = run_cli(
        "run", str(_scenario(folder, resubmit=resubmit)), "--out", out.name, "--quiet", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    journal = list(read_journal(out / "journal.msgpack"))
    return out, journal, json.loads((out / "summary.json").read_text())


def _cancels_by_close(journal: list[Any]) -> dict[str, list[tuple[str, str]]]:
    """Each cancel as (reason, kind of order), keyed by its time."""
    requests = {m.client_order_id: m for m in journal if isinstance(m, OrderRequest)}
    found: dict[str, list[tuple[str, str]]] = {}
    for message in journal:
        if isinstance(message, OrderCancelled):
            request = requests[message.client_order_id]
            kind = f"{request.order_type}/{request.time_in_force}"
            found.setdefault(_iso(message.ts_ns), []).append((message.reason, kind))
    return {ts: sorted(cancels) for ts, cancels in found.items()}


def _assert_fsm_saw_every_event(summary: dict[str, Any], journal: list[Any]) -> None:
    counters = summary["actor_counters"][f"instrument/{SYMBOL}"]
    journaled = Counter(type(message) for message in journal)
    assert {name: counters.get(name, 0) for name in COUNTERS.values()} == {
        name: journaled[kind] for kind, name in COUNTERS.items()
    }
    assert counters["fsm_errors"] == 0
    assert counters["bars"] == BARS


# Every session: one DAY limit expired and one market order cancelled in the last minute,
# both at the session's last bar (13:00 New York on the early close of 2024-07-03).
EXPECTED_CANCELS = {
    close: [("end_of_day", "limit/day"), ("last_minute", "market/gtc")]
    for _, close in SESSIONS.values()
}


def test_the_table_passes_tradeswarm_check(tmp_path: Path) -> None:
    result = run_cli("check", STRATEGY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_day_limits_expire_and_last_minute_orders_are_cancelled_at_each_real_close(
    tmp_path: Path,
) -> None:
    out, journal, summary = _run(tmp_path, resubmit=False)

    bars = whole_bars(load_scenario(out / "scenario.toml"))[SYMBOL]
    stamps = [_iso(ts) for ts in bars.ts_ns.tolist()]
    assert len(stamps) == BARS
    assert not any(stamp.startswith("2024-07-04") for stamp in stamps)
    for day, (first, last) in SESSIONS.items():
        of_day = [stamp for stamp in stamps if stamp.startswith(day)]
        assert (of_day[0], of_day[-1]) == (first, last)

    assert _cancels_by_close(journal) == EXPECTED_CANCELS
    # Each last-minute order was acknowledged, then cancelled, at the same instant.
    acks = {m.client_order_id: m.ts_ns for m in journal if isinstance(m, OrderAck)}
    for cancel in journal:
        if isinstance(cancel, OrderCancelled) and cancel.reason == "last_minute":
            assert acks[cancel.client_order_id] == cancel.ts_ns
    # The DAY limits were placed at each open.
    limits = [
        _iso(m.decided_ts_ns)
        for m in journal
        if isinstance(m, OrderRequest) and m.order_type is OrderType.LIMIT
    ]
    assert limits == [first for first, _ in SESSIONS.values()]
    assert not any(isinstance(m, Fill) for m in journal)
    assert summary["positions"] == {}
    _assert_fsm_saw_every_event(summary, journal)


def test_last_minute_orders_come_back_at_the_next_open_when_resubmitting(tmp_path: Path) -> None:
    _, journal, summary = _run(tmp_path, resubmit=True)

    assert _cancels_by_close(journal) == EXPECTED_CANCELS
    last_minute = [
        m.client_order_id
        for m in journal
        if isinstance(m, OrderCancelled) and m.reason == "last_minute"
    ]
    acks = {m.client_order_id: _iso(m.ts_ns) for m in journal if isinstance(m, OrderAck)}
    fills = {m.client_order_id: m for m in journal if isinstance(m, Fill)}
    opens = [first for first, _ in SESSIONS.values()]
    # Cancelled in the last minute of one session, back at the next one's open (its
    # first bar), and filled at the market on the bar after. The last session has no next.
    for order_id, next_open in zip(last_minute, opens[1:], strict=False):
        again = order_id + RESUBMIT_SUFFIX
        assert acks[again] == next_open
        assert _iso(fills[again].ts_ns) == next_open.replace(":31:", ":32:")
        assert fills[again].quantity == QUANTITY and fills[again].remaining == 0
    assert last_minute[-1] + RESUBMIT_SUFFIX not in acks
    assert sorted(fills) == sorted(order_id + RESUBMIT_SUFFIX for order_id in last_minute[:-1])
    assert summary["positions"] == {SYMBOL: QUANTITY * (len(SESSIONS) - 1)}
    _assert_fsm_saw_every_event(summary, journal)


def whole_bars(scenario: Scenario) -> dict[str, BarColumns]:
    return load_bars(bar_source(scenario)[0], scenario.data.calendar or None)

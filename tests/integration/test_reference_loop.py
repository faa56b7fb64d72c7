"""The swarm trades exactly what a plain Python loop over the same bars trades.

The loop is written from the rules, not from the engine: market orders filled at the next
bar's open, no costs, SMA(10, 30) compared in exact integer arithmetic (closes in
micro-dollars), so equal averages are equal. ``crossing`` is backtrader's CrossOver
(a sign change of fast - slow against the last non-zero difference); ``regime`` holds long
whenever fast is above slow.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.integration.harness import SCENARIOS, run_cli

QUANTITY = 100


def reference_trades(
    path: Path, symbol: str, *, rule: str, adjust: bool
) -> tuple[list[tuple[str, str, float]], float]:
    bars = read_daily_csv(path, adjust=adjust)
    closes: list[int] = []
    cash, position, pending = 100_000.0, 0, None
    last_difference = None  # the last non-zero fast - slow (crossing rule)
    trades: list[tuple[str, str, float]] = []
    for day, open_price, close in bars:
        if pending is not None:
            trades.append((day, pending, open_price))
            if pending == "buy":
                cash, position = cash - QUANTITY * open_price, QUANTITY
            else:
                cash, position = cash + position * open_price, 0
            pending = None
        closes.append(round(close * 1_000_000))
        if len(closes) < 30:
            continue
        fast, slow = sum(closes[-10:]) * 3, sum(closes[-30:])  # 30 x each average
        if rule == "regime":
            up, down = fast > slow, fast < slow
        else:
            up = last_difference is not None and last_difference < 0 and fast > slow
            down = last_difference is not None and last_difference > 0 and fast < slow
            if fast != slow or last_difference is None:
                last_difference = fast - slow
        if position == 0 and up:
            pending = "buy"
        elif position > 0 and down:
            pending = "sell"
    return trades, cash + position * bars[-1][2]


def read_daily_csv(path: Path, *, adjust: bool) -> list[tuple[str, float, float]]:
    """(date, open, close) of each row, read with the csv module, not the project's
    reader; back-adjusted as documented: by (adj_close / close) over the last row's ratio,
    so the last bar's prices are those that traded, rounded to 6 decimals."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    last = float(rows[-1]["adj_close"]) / float(rows[-1]["close"])
    bars = []
    for row in rows:
        factor = float(row["adj_close"]) / float(row["close"]) / last if adjust else 1.0
        bars.append(
            (
                row["date"],
                round(float(row["open"]) * factor, 6),
                round(float(row["close"]) * factor, 6),
            )
        )
    return bars


@pytest.mark.parametrize(
    ("symbol", "rule", "adjust"),
    [
        ("AAPL", "regime", True),
        ("AAPL", "crossing", False),
        ("MSFT", "crossing", False),
        ("IBM", "crossing", False),
    ],
)
def test_swarm_trades_equal_the_plain_loop_on_daily_bars(
    tmp_path: Path, symbol: str, rule: str, adjust: bool
) -> None:
    scenario = tmp_path / "one.toml"
    regime = str(rule == "regime").lower()
    scenario.write_text(
        f"""
[run]
name = "one"
topology = "processes"
[data]
symbols = ["{symbol}"]
path = "{SCENARIOS / "data"}/{{symbol}}.csv"
adjust = {str(adjust).lower()}
[strategy]
name = "sma_crossover"
params = {{ fast = 10, slow = 30, quantity = {QUANTITY}, regime = {regime} }}
[broker]
starting_cash = 100000.0
fill_at = "next_open"
"""
    )
    result = run_cli("run", str(scenario), "--out", "out", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    with (tmp_path / "out" / "fills.csv").open() as handle:
        swarm = [
            (row["ts"][:10], row["side"], float(row["price"])) for row in csv.DictReader(handle)
        ]
    data = SCENARIOS / "data" / f"{symbol}.csv"
    expected, final_equity = reference_trades(data, symbol, rule=rule, adjust=adjust)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())

    assert len(expected) > 50
    assert swarm == expected
    assert abs(summary["final_equity"] - final_equity) < 1e-6

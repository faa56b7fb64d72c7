"""The swarm trades exactly what a plain Python loop over the same bars trades."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.actors.market.csv_bars import load_csv_bars

QUANTITY = 100


def reference_trades(path: Path) -> tuple[list[tuple[str, str, float]], float]:
    """SMA(10, 30) long only, market orders filled at the next bar's open, no costs."""
    bars = load_csv_bars(path, "AAPL", adjust=True)
    closes: list[float] = []
    cash, position, pending = 100_000.0, 0, None
    trades: list[tuple[str, str, float]] = []
    for index in range(len(bars)):
        open_price, close = float(bars.open[index]), float(bars.close[index])
        day = datetime.fromtimestamp(int(bars.ts_ns[index]) // 10**9, UTC).date().isoformat()
        if pending is not None:
            trades.append((day, pending, open_price))
            if pending == "buy":
                cash, position = cash - QUANTITY * open_price, QUANTITY
            else:
                cash, position = cash + position * open_price, 0
            pending = None
        closes.append(close)
        if len(closes) < 30:
            continue
        fast, slow = sum(closes[-10:]) / 10, sum(closes[-30:]) / 30
        if position == 0 and fast > slow:
            pending = "buy"
        elif position > 0 and fast < slow:
            pending = "sell"
    return trades, cash + position * float(bars.close[-1])


def test_swarm_trades_equal_the_plain_loop_on_aapl_daily(tmp_path: Path) -> None:
    scenario = tmp_path / "aapl.toml"
    scenario.write_text(
        f"""
[run]
name = "aapl"
topology = "processes"
[data]
symbols = ["AAPL"]
path = "{SCENARIOS / "data"}/{{symbol}}.csv"
[strategy]
name = "sma_crossover"
params = {{ fast = 10, slow = 30, quantity = {QUANTITY} }}
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
    expected, final_equity = reference_trades(SCENARIOS / "data" / "AAPL.csv")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())

    assert len(expected) > 50
    assert swarm == expected
    assert abs(summary["final_equity"] - final_equity) < 1e-6

"""The numbers of a run: ``metrics.json``, ``metrics.csv`` and ``trades.csv``.

* ``metrics.json``: the whole-run tear sheet, the trade statistics, the trailing 1/3/6/12
  month windows that end at the last month end, every rolling window, monthly and yearly
  returns;
* ``metrics.csv``: one row per window, ``all`` (the whole run, with the trade statistics)
  first, then every rolling window (``1m``, ``3m``, ...) by end date;
* ``trades.csv``: the closed round trips: symbol, opened, closed (session dates), P&L.

Numbers in ``metrics.json`` are plain JSON; a metric that is not defined (too short a run,
a flat benchmark) is the string ``"NaN"``, and an infinite one ``"Infinity"`` or
``"-Infinity"``, so the file stays valid JSON that ``float()`` and JavaScript's
``Number()`` both read. The tear-sheet math itself, and its conventions, are
``scenarios/report/metrics.py``; this module turns a run into those files.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradeswarm.scenarios.report.metrics import METRICS, rolling_table, tear_sheet
from tradeswarm.scenarios.report.run_data import RunData
from tradeswarm.scenarios.report.trade_stats import round_trips, trade_stats

METRICS_JSON = "metrics.json"
METRICS_CSV = "metrics.csv"
TRADES_CSV = "trades.csv"
TRAILING_MONTHS = (1, 3, 6, 12)
TRADE_STAT_NAMES = (
    "round_trips",
    "win_rate",
    "average_win",
    "average_loss",
    "exposure",
    "turnover",
    "commissions",
)


def _number(value: Any) -> Any:
    """A JSON-safe number: NaN and infinities as the strings JavaScript's Number() reads."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _day(stamp: Any) -> str:
    return pd.Timestamp(stamp).strftime("%Y-%m-%d")


def _period_returns(equity: pd.Series, freq: str) -> pd.Series:
    """Compounded return of each calendar period, from the previous period's last day (the
    first period from the first day: a partial period counts what it holds)."""
    last = equity.groupby(equity.index.to_period(freq)).last()
    base = last.shift(1)
    base.iloc[0] = equity.iloc[0]
    return last / base - 1.0


def compute_metrics(run: RunData) -> dict[str, Any]:
    """Everything ``metrics.json`` holds, as plain JSON values."""
    equity = run.equity
    notes: list[str] = []
    try:
        sheet = asdict(tear_sheet(equity, run.benchmark))
        table = rolling_table(equity, run.benchmark, TRAILING_MONTHS)
        start, end = _day(sheet.pop("start")), _day(sheet.pop("end"))
    except ValueError as error:  # a bust account, or a benchmark that ends before the run
        notes.append(f"no tear sheet: {error}")
        sheet = dict.fromkeys(METRICS, math.nan)
        table = pd.DataFrame(
            columns=["start", *METRICS],
            index=pd.MultiIndex.from_tuples([], names=["end", "months"]),
        )
        start, end = _day(equity.index[0]), _day(equity.index[-1])
    stats = asdict(trade_stats(run.fills, run.positions, equity))
    rolling = [
        {
            "end": _day(end_day),
            "months": int(months),
            "start": _day(row["start"]),
            **{name: _number(row[name]) for name in METRICS},
        }
        for (end_day, months), row in table.iterrows()
    ]
    trailing_end = rolling[-1]["end"] if rolling else None
    trailing = {
        str(row["months"]): {k: v for k, v in row.items() if k not in ("end", "months")}
        for row in rolling
        if row["end"] == trailing_end
    }
    monthly = _period_returns(equity, "M")
    yearly = _period_returns(equity, "Y")
    return {
        "scenario": run.scenario.run.name,
        "strategy": run.scenario.strategy.name,
        "symbols": list(run.scenario.data.symbols),
        "benchmark": str(run.benchmark.name),
        "starting_cash": float(run.scenario.broker.starting_cash),
        "final_equity": float(equity.iloc[-1]),
        "start": start,
        "end": end,
        "days": len(equity),
        "tear_sheet": {name: _number(value) for name, value in sheet.items()},
        "trade_stats": {name: _number(stats[name]) for name in TRADE_STAT_NAMES},
        "trailing_end": trailing_end,
        "trailing": trailing,
        "rolling": rolling,
        "monthly_returns": [
            {"month": str(period), "return": _number(value)} for period, value in monthly.items()
        ],
        "yearly_returns": [
            {"year": str(period), "return": _number(value)} for period, value in yearly.items()
        ],
        "notes": notes,
    }


def write_metrics_json(path: Path, metrics: dict[str, Any]) -> None:
    """``metrics.json``; ``allow_nan=False`` proves every number was made JSON-safe."""
    path.write_text(json.dumps(metrics, indent=2, allow_nan=False) + "\n")


def write_metrics_csv(path: Path, metrics: dict[str, Any]) -> None:
    header = ["window", "months", "start", "end", *METRICS, *TRADE_STAT_NAMES]
    whole = {
        "window": "all",
        "months": "",
        "start": metrics["start"],
        "end": metrics["end"],
        **metrics["tear_sheet"],
        **metrics["trade_stats"],
    }
    rows = [whole]
    rows += [{"window": f"{row['months']}m", **row} for row in metrics["rolling"]]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, header, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def trip_rows(run: RunData) -> list[dict[str, Any]]:
    """The closed round trips in the order they closed, as rows of ``trades.csv`` and the page."""
    trips = round_trips(run.fills)
    opened = run.session_dates([trip.opened_ns for trip in trips])
    closed = run.session_dates([trip.closed_ns for trip in trips])
    return [
        {
            "symbol": trip.symbol,
            "opened": _day(o),
            "closed": _day(c),
            "days": int((c - o).days),
            "pnl": float(trip.pnl),
        }
        for trip, o, c in zip(trips, opened, closed, strict=True)
    ]


def write_trades_csv(path: Path, trips: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["symbol", "opened", "closed", "days", "pnl"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(trips)

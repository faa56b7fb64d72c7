"""What a report is made of: a finished run's folder read back, with the scenario's data.

``load_run`` reads ``scenario.toml``, ``fills.csv``, ``timeline.csv`` (and ``summary.json``
where present) and the scenario's bars, and rebuilds the daily equity, positions and marks
from them. It is kept apart from the metrics, the charts and the page so each of those
takes a ``RunData`` and never touches the folder's files itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.report.equity import (
    FILLS_FILE,
    benchmark_prices,
    daily_equity,
    marks_by_day,
    positions_by_day,
    read_fills,
    run_scenario_file,
    scenario_closes,
)
from tradeswarm.scenarios.report.trade_stats import FillRow

TIMELINE_FILE = "timeline.csv"
SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class RunData:
    """What a report is made of, read from a run folder and the scenario's data."""

    folder: Path
    scenario: Scenario
    summary: dict[str, Any]
    fills: list[FillRow]
    positions: pd.DataFrame  # session dates x symbols, end-of-day quantities
    marks: pd.DataFrame  # session dates x symbols, the price each position is marked at
    equity: pd.Series  # session dates
    benchmark: pd.Series  # dates, prices
    timeline: pd.DataFrame  # ts (naive UTC), symbol, from, event, to


def read_timeline(path: Path) -> pd.DataFrame:
    """``timeline.csv`` as a frame with ``ts`` parsed (naive UTC); empty if there is none."""
    columns = ["ts", "symbol", "from", "event", "to"]
    if not path.exists():
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns}).assign(
            ts=pd.Series(dtype="datetime64[ns]")
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; expected {columns}")
    stamps = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    frame["ts"] = stamps.dt.tz_localize(None).astype("datetime64[ns]")
    return frame[columns].sort_values("ts", kind="stable").reset_index(drop=True)


def load_run(run_folder: Path) -> RunData:
    """The run in ``run_folder``; raises ``UserError`` for a folder that is not a finished
    run's, or a scenario whose data has no bars."""
    folder = Path(run_folder)
    scenario = run_scenario_file(folder)
    fills_path = folder / FILLS_FILE
    if not fills_path.exists():
        raise UserError(f"{fills_path}: not found; is {folder} the folder of a finished run?")
    fills = read_fills(fills_path)
    closes = scenario_closes(scenario)
    equity = daily_equity(fills, closes, scenario.broker.starting_cash)
    if equity.empty:
        raise UserError(f"{folder}: the scenario's data has no bars, so there is nothing to report")
    positions = positions_by_day(fills, equity.index, sorted(scenario.data.symbols))
    marks = marks_by_day(fills, closes, equity.index).reindex(columns=positions.columns)
    summary_path = folder / SUMMARY_FILE
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return RunData(
        folder=folder,
        scenario=scenario,
        summary=summary,
        fills=fills,
        positions=positions,
        marks=marks,
        equity=equity,
        benchmark=benchmark_prices(scenario, closes),
        timeline=read_timeline(folder / TIMELINE_FILE),
    )

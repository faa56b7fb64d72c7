"""A sweep's results as a ledger: one row per finished variant, appended as it finishes.

Why append: a sweep of thousands of variants must not keep their results in memory, and a
sweep that dies must not lose what it finished. Each row is written (and flushed) the
moment its variant ends, so an interrupted sweep, run again, reads the keys it already has
and skips them.

Two forms, chosen by the ledger's suffix: ``.csv``, one file, a header then one line per
row; ``.parquet``, a folder of one-row Parquet files (``<key>.parquet``, each written whole
then renamed into place), which ``pandas.read_parquet`` reads as one table. Columns: the
variant key, its status and error, the grid's keys, every tear-sheet figure and trade
statistic, fills, bars, and the wall and set-up seconds.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Ledger", "read_ledger"]

TRADE_STATS = (
    "round_trips",
    "win_rate",
    "average_win",
    "average_loss",
    "exposure",
    "turnover",
    "commissions",
)
FIGURES = (
    "total_return",
    "benchmark_return",
    "alpha",
    "beta",
    "sharpe",
    "sortino",
    "annual_volatility",
    "max_drawdown",
    *TRADE_STATS,
    "final_equity",
    "fills",
    "bars",
    "wall_seconds",
    "setup_seconds",
)
TIMING = ("wall_seconds", "setup_seconds")


class Ledger:
    def __init__(self, path: Path, grid_keys: Sequence[str]) -> None:
        self.path = Path(path)
        self.columns = ["key", "status", "error", *grid_keys, *FIGURES]
        self.parquet = self.path.suffix == ".parquet"
        if not self.parquet and self.path.suffix != ".csv":
            raise ValueError(f"{self.path}: a ledger is a .csv file or a .parquet folder")

    def done(self) -> set[str]:
        """The keys of the variants the ledger already holds."""
        if not self.path.exists():
            return set()
        if self.parquet:
            return {part.stem for part in self.path.glob("*.parquet")}
        with self.path.open(newline="") as handle:
            return {row["key"] for row in csv.DictReader(handle)}

    def append(self, row: dict[str, Any]) -> None:
        values = {column: _cell(row.get(column)) for column in self.columns}
        values["error"] = str(values["error"] or "")  # one type in every row, for Parquet
        for figure in FIGURES:
            values[figure] = _number(values[figure])
        if self.parquet:
            self.path.mkdir(parents=True, exist_ok=True)
            part = self.path / f"{values['key']}.parquet"
            temporary = part.with_suffix(".tmp")
            pd.DataFrame([values], columns=self.columns).to_parquet(temporary, index=False)
            temporary.replace(part)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        with self.path.open("a", newline="") as handle:
            writer = csv.DictWriter(handle, self.columns, lineterminator="\n")
            if fresh:
                writer.writeheader()
            writer.writerow(values)


def read_ledger(path: Path) -> pd.DataFrame:
    """The ledger as a table, rows sorted by variant key (their order of finishing is the
    workers', not the sweep's)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return table.sort_values("key", kind="stable").reset_index(drop=True)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _cell(value: Any) -> Any:
    """A grid value of a list (symbols) is kept as JSON text; NaN stays NaN."""
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, float) and math.isnan(value):
        return math.nan
    return value

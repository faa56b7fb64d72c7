"""What a report is made of: a finished run, from memory or read back from its folder.

Equity has one rule, the broker's: at each session's close it states its cash, equity,
positions and last prices (``AccountStatement``), and the report plots those figures as
they are. A run just finished hands them over in memory (``from_results``); a run folder
keeps them in ``equity.csv`` and ``positions.csv`` (``load_run``), so ``tradeswarm report``
rebuilds the same page without reading a bar. Session dates are the calendar's labels, as
the market data announced them; a fill or a trade belongs to the first session whose close
is at or after it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradeswarm.messages import AccountStatement, Fill, Transition
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario, load_scenario
from tradeswarm.scenarios.report.benchmark import benchmark_prices
from tradeswarm.scenarios.report.trade_stats import FillRow

SCENARIO_FILE = "scenario.toml"
FILLS_FILE = "fills.csv"
TIMELINE_FILE = "timeline.csv"
SUMMARY_FILE = "summary.json"
EQUITY_FILE = "equity.csv"
POSITIONS_FILE = "positions.csv"
_TIMELINE_COLUMNS = ["ts", "symbol", "from", "event", "to"]


@dataclass(frozen=True)
class RunData:
    """A run as the metrics, charts and page see it; none of them touches a file."""

    folder: Path
    scenario: Scenario
    summary: dict[str, Any]
    fills: list[FillRow]
    positions: pd.DataFrame  # session dates x symbols, end-of-session quantities
    marks: pd.DataFrame  # session dates x symbols, each symbol's last price
    equity: pd.Series  # session dates
    benchmark: pd.Series  # dates, prices
    timeline: pd.DataFrame  # ts (naive UTC), symbol, from, event, to
    session_ends_ns: np.ndarray  # each session's last bar time, ascending

    def session_dates(self, ts_ns: Sequence[int]) -> pd.DatetimeIndex:
        """The session each time belongs to: the first whose close is at or after it."""
        index = np.searchsorted(self.session_ends_ns, np.asarray(ts_ns, dtype=np.int64))
        index = np.minimum(index, len(self.equity) - 1)
        return pd.DatetimeIndex(self.equity.index[index])


def from_results(
    folder: Path,
    scenario: Scenario,
    summary: dict[str, Any],
    fills: Iterable[Fill],
    statements: Sequence[AccountStatement],
    transitions: Iterable[Transition],
) -> RunData:
    """The run just finished, from what the broker and the instruments handed over."""
    sessions = pd.DataFrame(
        {
            "date": [item.session for item in statements],
            "ts_ns": [item.ts_ns for item in statements],
            "equity": [item.equity for item in statements],
        }
    )
    book = pd.DataFrame(
        [
            (item.session, symbol, item.positions.get(symbol, 0.0), close)
            for item in statements
            for symbol, close in item.closes.items()
        ],
        columns=["date", "symbol", "quantity", "close"],
    )
    rows = sorted(transitions, key=lambda row: (row.ts_ns, row.symbol))
    timeline = pd.DataFrame(
        {
            "ts": pd.to_datetime([row.ts_ns for row in rows], unit="ns"),
            "symbol": [row.symbol for row in rows],
            "from": [row.from_state for row in rows],
            "event": [row.event for row in rows],
            "to": [row.to_state for row in rows],
        },
        columns=_TIMELINE_COLUMNS,
    )
    rows_of_fills = [FillRow.from_fill(fill) for fill in fills]
    return _assemble(folder, scenario, summary, rows_of_fills, sessions, book, timeline)


def load_run(run_folder: Path) -> RunData:
    """The run in ``run_folder``; raises ``UserError`` for a folder that is not a finished
    run's."""
    folder = Path(run_folder)
    scenario = _read_scenario(folder)
    for name in (FILLS_FILE, EQUITY_FILE, POSITIONS_FILE):
        if not (folder / name).exists():
            raise UserError(
                f"{folder / name}: not found; is {folder} the folder of a finished run?"
            )
    sessions = pd.read_csv(folder / EQUITY_FILE, dtype={"date": str})
    stamps = pd.to_datetime(sessions["ts"], utc=True, format="ISO8601")
    sessions["ts_ns"] = stamps.dt.as_unit("ns").astype("int64")  # pandas parses to us
    book = pd.read_csv(folder / POSITIONS_FILE, dtype={"date": str, "symbol": str})
    summary_path = folder / SUMMARY_FILE
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    fills = read_fills(folder / FILLS_FILE)
    timeline = read_timeline(folder / TIMELINE_FILE)
    return _assemble(folder, scenario, summary, fills, sessions, book, timeline)


def _assemble(
    folder: Path,
    scenario: Scenario,
    summary: dict[str, Any],
    fills: list[FillRow],
    sessions: pd.DataFrame,
    book: pd.DataFrame,
    timeline: pd.DataFrame,
) -> RunData:
    if sessions.empty:
        raise UserError(f"{folder}: the run saw no session, so there is nothing to report")
    days = pd.DatetimeIndex(pd.to_datetime(sessions["date"]), name="date")
    equity = pd.Series(sessions["equity"].to_numpy(float), index=days, name="equity")
    symbols = list(dict.fromkeys([*sorted(scenario.data.symbols), *sorted(set(book["symbol"]))]))
    book = book.assign(date=pd.to_datetime(book["date"]))
    positions = _wide(book, "quantity", days, symbols).fillna(0.0)
    marks = _wide(book, "close", days, symbols)
    closes = {symbol: marks[symbol].dropna().rename(symbol) for symbol in symbols}
    return RunData(
        folder=folder,
        scenario=scenario,
        summary=summary,
        fills=fills,
        positions=positions,
        marks=marks,
        equity=equity,
        benchmark=benchmark_prices(scenario, closes),
        timeline=timeline,
        session_ends_ns=sessions["ts_ns"].to_numpy(np.int64),
    )


def _wide(book: pd.DataFrame, column: str, days: pd.DatetimeIndex, symbols: list[str]) -> Any:
    frame = book.pivot(index="date", columns="symbol", values=column)
    frame = frame.reindex(index=days, columns=symbols).astype(float)
    frame.index.name, frame.columns.name = "date", None
    return frame


def exposure_by_day(
    positions: pd.DataFrame, marks: pd.DataFrame, equity: pd.Series
) -> pd.DataFrame:
    """Gross and net market value of the book as fractions of equity, per day."""
    value = (positions * marks.reindex_like(positions).fillna(0.0)).where(positions != 0.0, 0.0)
    return pd.DataFrame(
        {
            "gross": value.abs().sum(axis=1) / equity,
            "net": value.sum(axis=1) / equity,
        }
    )


def _read_scenario(folder: Path) -> Scenario:
    path = folder / SCENARIO_FILE
    if not path.exists():
        raise UserError(f"{path}: not found; is {folder} the folder of a finished run?")
    return load_scenario(path)


def read_fills(path: Path) -> list[FillRow]:
    """The fills of a run folder's ``fills.csv``, in the broker's order."""
    with Path(path).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return []
    stamps = pd.to_datetime([row["ts"] for row in rows], utc=True, format="ISO8601")
    return [
        FillRow(
            ts_ns=int(stamp.value),
            symbol=row["symbol"],
            side=row["side"],
            quantity=float(row["quantity"]),
            price=float(row["price"]),
            commission=float(row["commission"]),
        )
        for stamp, row in zip(stamps, rows, strict=True)
    ]


def read_timeline(path: Path) -> pd.DataFrame:
    """``timeline.csv`` as a frame with ``ts`` parsed (naive UTC); empty if there is none."""
    if not path.exists():
        return pd.DataFrame({name: pd.Series(dtype=object) for name in _TIMELINE_COLUMNS}).assign(
            ts=pd.Series(dtype="datetime64[ns]")
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [name for name in _TIMELINE_COLUMNS if name not in frame.columns]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; expected {_TIMELINE_COLUMNS}"
        )
    stamps = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    frame["ts"] = stamps.dt.tz_localize(None).astype("datetime64[ns]")
    return frame[_TIMELINE_COLUMNS].sort_values("ts", kind="stable").reset_index(drop=True)

"""A run's end-of-day book: equity, positions and exposure per session, and its benchmark.

Everything is rebuilt from what a run folder keeps: ``fills.csv`` and the bars of the
scenario (``scenario.toml`` names them with absolute paths). The broker marks a position
at its symbol's last close, so the equity of a session is

    cash after every fill of that session or before + sum(position * the session's last close)

Days are *session dates*: the UTC date five hours earlier, as the market-data actor counts
sessions (exact for bars within US trading hours, either side of daylight saving). Daily
bars close at 16:00 New York, minute bars keep each session's last close. A symbol without
a bar on some session keeps its previous close; a position held before its symbol's first
bar is marked at the price it was filled at.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tradeswarm.actors.market.bars import BarColumns, DataError
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario, load_scenario
from tradeswarm.scenarios.report.metrics import by_day, load_benchmark_csv
from tradeswarm.scenarios.report.trade_stats import FillRow
from tradeswarm.scenarios.run.plan import bar_source

SESSION_SHIFT_NS = 5 * 3600 * 10**9  # as actors.market.actor.session_events
DATA_FOLDER = Path(__file__).resolve().parents[1] / "data"
DEFAULT_BENCHMARK = "SPX"  # scenarios/data/SPX.csv, the S&P 500 1999-2018
SCENARIO_FILE = "scenario.toml"
FILLS_FILE = "fills.csv"


def session_dates(ts_ns: Sequence[int] | np.ndarray | pd.Index) -> pd.DatetimeIndex:
    """The session date (midnight, no zone) of each nanosecond-UTC timestamp."""
    stamps = np.asarray(ts_ns, dtype=np.int64) - SESSION_SHIFT_NS
    days = pd.DatetimeIndex(stamps.astype("datetime64[ns]")).normalize()
    return pd.DatetimeIndex(days, name="date")


def _daily(series: pd.Series) -> pd.Series:
    """One value per session date, the day's last. Integer labels are ns UTC timestamps;
    zoned labels count days in New York; naive labels are taken as the dates they show."""
    index = series.index
    if isinstance(index, pd.DatetimeIndex) and index.tz is not None:
        local = index.tz_convert("America/New_York").tz_localize(None)
        series = pd.Series(series.to_numpy(), index=local)
    elif not isinstance(index, pd.DatetimeIndex):
        series = pd.Series(series.to_numpy(), index=session_dates(index.to_numpy()))
    return by_day(series.dropna())


def daily_closes(columns: Mapping[str, BarColumns]) -> dict[str, pd.Series]:
    """Each symbol's last close of every session, by session date."""
    closes: dict[str, pd.Series] = {}
    for symbol, bars in columns.items():
        series = pd.Series(bars.close.astype(float), index=pd.Index(bars.ts_ns, dtype="int64"))
        closes[symbol] = _daily(series).rename(symbol)
    return closes


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


def _fill_frame(fills: Sequence[FillRow]) -> pd.DataFrame:
    ordered = sorted(fills, key=lambda fill: fill.ts_ns)  # stable: the broker's order at a time
    signed = np.array([fill.signed_quantity for fill in ordered], dtype=float)
    prices = np.array([fill.price for fill in ordered], dtype=float)
    commissions = np.array([fill.commission for fill in ordered], dtype=float)
    return pd.DataFrame(
        {
            "day": session_dates([fill.ts_ns for fill in ordered]),
            "symbol": [fill.symbol for fill in ordered],
            "signed": signed,
            "price": prices,
            "cash": -signed * prices - commissions,
        }
    )


def _days(fills: Sequence[FillRow], closes: Mapping[str, pd.Series]) -> pd.DatetimeIndex:
    days = pd.DatetimeIndex([], name="date")
    for series in closes.values():
        days = days.union(_daily(series).index)
    if fills:
        days = days.union(session_dates([fill.ts_ns for fill in fills]).unique())
    return pd.DatetimeIndex(days.unique().sort_values(), name="date")


def positions_by_day(
    fills: Sequence[FillRow],
    days: pd.DatetimeIndex,
    symbols: Sequence[str] = (),
) -> pd.DataFrame:
    """End-of-session quantities, ``days`` x symbols (``symbols`` first, then any other
    symbol that was traded); flat before a symbol's first fill."""
    columns = list(dict.fromkeys([*symbols, *sorted({fill.symbol for fill in fills})]))
    days = pd.DatetimeIndex(days, name="date")
    if not fills:
        return pd.DataFrame(0.0, index=days, columns=columns)
    frame = _fill_frame(fills)
    changes = frame.groupby(["day", "symbol"])["signed"].sum().unstack("symbol", fill_value=0.0)
    held = changes.cumsum().reindex(columns=columns, fill_value=0.0)
    held = held.reindex(held.index.union(days)).ffill().fillna(0.0).reindex(days)
    held.columns.name = None
    held[held.abs() <= 1e-9] = 0.0
    return held.astype(float)


def marks_by_day(
    fills: Sequence[FillRow], closes_by_symbol: Mapping[str, pd.Series], days: pd.DatetimeIndex
) -> pd.DataFrame:
    """The price each position is marked at on each day: the last close so far, else the
    last fill price (a fill before the symbol's first bar)."""
    symbols = list(dict.fromkeys([*closes_by_symbol, *sorted({f.symbol for f in fills})]))
    marks = pd.DataFrame(index=pd.DatetimeIndex(days, name="date"), columns=symbols, dtype=float)
    for symbol, series in closes_by_symbol.items():
        daily = _daily(series)
        marks[symbol] = daily.reindex(daily.index.union(days)).ffill().reindex(days)
    if fills:
        frame = _fill_frame(fills)
        last_fill = frame.groupby(["day", "symbol"])["price"].last().unstack("symbol")
        last_fill = last_fill.reindex(last_fill.index.union(days)).ffill().reindex(days)
        marks = marks.fillna(last_fill.reindex(columns=symbols))
    return marks


def cash_by_day(
    fills: Sequence[FillRow], days: pd.DatetimeIndex, starting_cash: float
) -> pd.Series:
    """Cash at the end of each session."""
    days = pd.DatetimeIndex(days, name="date")
    if not fills:
        return pd.Series(float(starting_cash), index=days, name="cash")
    flows = _fill_frame(fills).groupby("day")["cash"].sum().cumsum()
    flows = flows.reindex(flows.index.union(days)).ffill().fillna(0.0).reindex(days)
    return (float(starting_cash) + flows).rename("cash")


def daily_equity(
    fills: Sequence[FillRow],
    closes_by_symbol: Mapping[str, pd.Series],
    starting_cash: float,
) -> pd.Series:
    """End-of-session equity, indexed by session date.

    ``closes_by_symbol`` maps a symbol to its closes, indexed by ns UTC (``Bar.ts_ns``) or
    by timestamps; several closes on one session keep the last (minute bars). The days are
    every session of any symbol (and of any fill).
    """
    days = _days(fills, closes_by_symbol)
    positions = positions_by_day(fills, days, list(closes_by_symbol))
    marks = marks_by_day(fills, closes_by_symbol, days).reindex(columns=positions.columns)
    held = (positions * marks.fillna(0.0)).where(positions != 0.0, 0.0).sum(axis=1)
    equity = cash_by_day(fills, days, starting_cash) + held
    return equity.rename("equity")


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


# -- a run folder ------------------------------------------------------------------------


def run_scenario_file(run_folder: Path) -> Scenario:
    """The scenario a run folder was made from (its ``scenario.toml``)."""
    path = Path(run_folder) / SCENARIO_FILE
    if not path.exists():
        raise UserError(f"{path}: not found; is {run_folder} the folder of a finished run?")
    return load_scenario(path)


def scenario_closes(scenario: Scenario) -> dict[str, pd.Series]:
    """Each symbol's session closes from the scenario's data (adjusted as the run saw it)."""
    try:
        columns = load_bars(bar_source(scenario))
    except DataError as error:
        raise UserError(str(error)) from None
    return daily_closes(columns)


def run_closes(run_folder: Path) -> dict[str, pd.Series]:
    """The session closes of a run folder's data, found through its ``scenario.toml``."""
    return scenario_closes(run_scenario_file(run_folder))


def run_equity(run_folder: Path) -> pd.Series:
    """A run folder's end-of-session equity."""
    scenario = run_scenario_file(run_folder)
    fills = read_fills(Path(run_folder) / FILLS_FILE)
    return daily_equity(fills, scenario_closes(scenario), scenario.broker.starting_cash)


# -- the benchmark -----------------------------------------------------------------------


def benchmark_setting(scenario: Scenario) -> str | None:
    """``[report] benchmark`` of the scenario, or None where it is not set."""
    report = getattr(scenario, "report", None)
    value = getattr(report, "benchmark", None)
    return str(value) if value else None


def benchmark_prices(
    scenario: Scenario, closes_by_symbol: Mapping[str, pd.Series] | None = None
) -> pd.Series:
    """Buy-and-hold prices to compare a run with, by date; the series is named for a report.

    ``[report] benchmark`` is a symbol of the scenario's data (its closes, adjusted as
    the run saw them), a CSV file (``date,...,close[,adj_close]``; ``adj_close`` is used
    where present, so dividends and splits are in; a relative path is relative to the
    scenario file) or the name of a file shipped in ``scenarios/data`` (``SPX``). Unset, it
    is the shipped S&P 500 where that covers the run's data, else an equal-weight
    buy-and-hold of the scenario's symbols (synthetic data is dated in 2024).
    """
    setting = benchmark_setting(scenario)
    if setting is None:
        closes = scenario_closes(scenario) if closes_by_symbol is None else closes_by_symbol
        spx = _csv_prices(DATA_FOLDER / f"{DEFAULT_BENCHMARK}.csv")
        first, last = _span(closes)
        if first is None or (
            spx.index[0] <= first and spx.index[-1] >= last - pd.Timedelta(7, "D")
        ):
            return spx
        return equal_weight(closes)
    if setting in scenario.data.symbols:
        closes = scenario_closes(scenario) if closes_by_symbol is None else closes_by_symbol
        return _daily(closes[setting]).rename(setting)
    path = Path(setting)
    candidates = [path if path.is_absolute() else scenario.folder / path]
    if path.suffix == "" and len(path.parts) == 1:
        candidates.append(DATA_FOLDER / f"{setting}.csv")
    for candidate in candidates:
        if candidate.is_file():
            return _csv_prices(candidate).rename(path.stem)
    raise UserError(
        f"{scenario.path}: key 'report.benchmark': {setting!r} is neither a symbol of "
        f"'data.symbols' nor a CSV file; name one of {', '.join(scenario.data.symbols)}, "
        "a date,...,close file, or a file of scenarios/data such as 'SPX'"
    )


def equal_weight(closes_by_symbol: Mapping[str, pd.Series]) -> pd.Series:
    """Equal money in every symbol on its first day, then held: the basket's value, from 1."""
    frame = pd.DataFrame({symbol: _daily(s) for symbol, s in closes_by_symbol.items()})
    frame = frame.sort_index().ffill()
    growth = (frame / frame.bfill().iloc[0]).fillna(1.0)
    symbols = list(closes_by_symbol)
    label = "+".join(symbols) if len(symbols) <= 4 else f"{len(symbols)} symbols"
    return growth.mean(axis=1).rename(f"equal-weight {label}")


def _span(closes: Mapping[str, pd.Series]) -> tuple[pd.Timestamp | None, pd.Timestamp]:
    days = [_daily(series).index for series in closes.values() if len(series)]
    if not days:
        return None, pd.Timestamp(0)
    return min(d[0] for d in days), max(d[-1] for d in days)


def _csv_prices(path: Path) -> pd.Series:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), [])
    column = "adj_close" if "adj_close" in header else "close"
    try:
        return load_benchmark_csv(path, column)
    except (ValueError, KeyError) as error:
        raise UserError(f"{path}: not a benchmark price file ({error})") from None

"""What a run is compared with: buy-and-hold prices of a benchmark, by session date."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from tradeswarm.scenarios.config.benchmark_file import (
    DATA_FOLDER,
    DEFAULT_BENCHMARK,
    benchmark_file,
)
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.report.metrics import by_day, load_benchmark_csv


def _daily(series: pd.Series) -> pd.Series:
    """One value per session date, the day's last (the labels are session dates)."""
    return by_day(series.dropna())


def benchmark_setting(scenario: Scenario) -> str | None:
    """``[report] benchmark`` of the scenario, or None where it is not set."""
    report = getattr(scenario, "report", None)
    value = getattr(report, "benchmark", None)
    return str(value) if value else None


def benchmark_prices(scenario: Scenario, closes_by_symbol: Mapping[str, pd.Series]) -> pd.Series:
    """Buy-and-hold prices to compare a run with, by date; the series is named for a report.

    ``[report] benchmark`` is a symbol of the scenario's data (its closes, adjusted as
    the run saw them), a CSV file (``date,...,close[,adj_close]``; ``adj_close`` is used
    where present, so dividends and splits are in; a relative path is relative to the
    scenario file) or the name of a file shipped in ``scenarios/data`` (``SPX``). Unset, it
    is the shipped S&P 500 where that covers the run's data, else an equal-weight
    buy-and-hold of the scenario's symbols (synthetic data is dated in 2024).
    """
    setting = benchmark_setting(scenario)
    closes = closes_by_symbol
    if setting is None:
        spx = _csv_prices(DATA_FOLDER / f"{DEFAULT_BENCHMARK}.csv")
        first, last = _span(closes)
        if first is None or (
            spx.index[0] <= first and spx.index[-1] >= last - pd.Timedelta(7, "D")
        ):
            return spx
        return equal_weight(closes)
    if setting in scenario.data.symbols:
        return _daily(closes[setting]).rename(setting)
    path = benchmark_file(scenario)
    assert path is not None  # a setting that is not a symbol names a file, or raised
    return _csv_prices(path).rename(Path(setting).stem)


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

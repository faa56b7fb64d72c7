"""Tear-sheet metrics: how a run did, whole-run and trailing, against buy-and-hold of a benchmark.

empyrical (the ``empyrical-reloaded`` distribution) defines every return metric here; this
module only prepares the series and pins the conventions, so that a number in a report can
be checked against the library that everyone else uses:

* Returns are daily simple returns of the equity curve, ``r_t = E_t / E_{t-1} - 1``. The
  first day is the base, not a return: n equity days give n - 1 returns. The benchmark is
  buy-and-hold of its close prices, turned into returns the same way.
* A year is 252 periods (empyrical's ``DAILY``).
* ``risk_free`` is a constant *daily* return, 0 by default. It is subtracted in Sharpe, alpha
  and beta, not in Sortino, whose required return is always 0.
* Sharpe is ``mean(r - rf) / std(r - rf) * sqrt(252)`` and annual volatility is
  ``std(r) * sqrt(252)``, both with the sample deviation (ddof=1).
* Sortino is ``252 * mean(r) / (sqrt(mean(min(r, 0)^2)) * sqrt(252))``: the downside
  deviation averages over every day, not only the losing ones.
* Beta is ``cov(r, b) / var(b)``. Alpha is annualised by compounding, as empyrical does:
  ``(1 + mean(r - rf - beta * (b - rf)))^252 - 1``, not ``252 * mean(...)``.
* Max drawdown is a negative fraction of the running peak (-0.25 is 25 % below it), 0 for a
  curve that never falls; the starting equity counts as a peak.
* Total and benchmark return compound over the window: ``E_end / E_start - 1``.

Degenerate inputs follow empyrical rather than raising, so a short or flat run still gets a
report. With one equity day there are no returns and every metric is NaN; with two, only
total return, benchmark return and max drawdown are defined. Zero dispersion gives annual
volatility 0, a Sharpe of +inf or -inf for a non-zero mean excess and NaN for a zero one,
Sortino +inf when no day lost (NaN when every return is 0), and NaN alpha and beta against
a benchmark that does not move. Returns within ``ROUNDING`` of each other count as
constant, as empyrical counts exactly equal ones: a curve compounding at a steady rate
otherwise reports the float noise of ``E_t / E_{t-1}`` as a Sharpe ratio of 1e14.

Dates are calendar days without time zone. An integer index is nanoseconds UTC, as
``Bar.ts_ns``; an index with a time zone counts days in that zone; several points on one
day keep the last, the day's close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import empyrical
import numpy as np
import pandas as pd

PERIODS_PER_YEAR = 252
ROUNDING = 1e-12  # daily returns this close are one return; real ones differ by 1e-8 or more


@dataclass(frozen=True)
class TearSheet:
    """One window's metrics; ``start`` is the base day, whose equity the returns grow from."""

    start: pd.Timestamp
    end: pd.Timestamp
    total_return: float
    benchmark_return: float
    alpha: float
    beta: float
    sharpe: float
    sortino: float
    annual_volatility: float
    max_drawdown: float


METRICS: tuple[str, ...] = tuple(f.name for f in fields(TearSheet))[2:]  # after start, end


def _wall_clock(index: pd.Index) -> pd.DatetimeIndex:
    """Local times without a zone: integers are ns UTC, zoned stamps keep their own clock."""
    if isinstance(index, pd.DatetimeIndex):
        stamps = index
    elif pd.api.types.is_integer_dtype(index.dtype):
        stamps = pd.DatetimeIndex(pd.to_datetime(index, unit="ns", utc=True))
    else:
        stamps = pd.DatetimeIndex(pd.to_datetime(index))
    return stamps.tz_localize(None) if stamps.tz is not None else stamps


def to_dates(index: pd.Index) -> pd.DatetimeIndex:
    """Midnight of each label's calendar day, so that runs and price files line up by day."""
    return _wall_clock(index).normalize()


def by_day(series: pd.Series) -> pd.Series:
    """The series as one float per calendar day, the day's last value, in date order."""
    stamped = pd.Series(series.to_numpy(dtype=float), index=_wall_clock(series.index))
    stamped = stamped.sort_index(kind="stable")
    stamped.index = stamped.index.normalize()
    daily = stamped[~stamped.index.duplicated(keep="last")]
    daily.index.name = "date"
    return daily


def _checked_equity(equity: pd.Series) -> pd.Series:
    daily = by_day(equity)
    if daily.empty:
        raise ValueError("the equity curve is empty")
    values = daily.to_numpy()
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError("equity must be finite and positive: a bust account has no returns")
    return daily


def daily_returns(equity: pd.Series) -> pd.Series:
    """Simple returns, indexed by the day they were earned (the base day has none)."""
    daily = _checked_equity(equity)
    values = daily.to_numpy()
    return pd.Series(values[1:] / values[:-1] - 1.0, index=daily.index[1:], name="return")


def load_benchmark_csv(path: str | Path, column: str = "close") -> pd.Series:
    """Prices from a ``date,open,high,low,close,volume,adj_close`` file, by date.

    ``close`` by default because an index such as SPX has no dividends to adjust for; pass
    ``adj_close`` for a stock, whose raw closes drop at every split.
    """
    frame = pd.read_csv(path, usecols=["date", column], parse_dates=["date"])
    prices = pd.Series(frame[column].to_numpy(dtype=float), index=frame["date"])
    return by_day(prices.dropna()).rename(Path(path).stem)


def align_benchmark(equity: pd.Series, benchmark_prices: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Equity and benchmark on the same days: the run's days from the benchmark's first one.

    A day the benchmark did not trade carries its last close (a zero return), so a holiday
    in one market does not drop the other's move. Days before the benchmark starts are cut
    from both, so every metric covers one period. A benchmark that stops before the run
    does would be carried flat to the end: pass one that covers the run.
    """
    daily = _checked_equity(equity)
    prices = by_day(benchmark_prices.dropna())
    if prices.empty:
        raise ValueError("the benchmark has no prices")
    daily = daily[daily.index >= prices.index[0]]
    if daily.empty:
        raise ValueError("the equity curve ends before the benchmark starts")
    return daily, prices.reindex(daily.index, method="ffill").rename("benchmark")


def _metrics(equity: np.ndarray, prices: np.ndarray, risk_free: float) -> dict[str, float]:
    """The metrics of aligned day-by-day values, from empyrical where it has them."""
    if len(equity) < 2:
        return dict.fromkeys(METRICS, np.nan)
    returns = equity[1:] / equity[:-1] - 1.0
    bench = prices[1:] / prices[:-1] - 1.0
    year = PERIODS_PER_YEAR
    alpha, beta = empyrical.alpha_beta_aligned(
        returns, bench, risk_free=risk_free, annualization=year
    )
    steady = np.full_like(returns, returns.mean()) if np.ptp(returns) <= ROUNDING else returns
    return {
        "total_return": float(empyrical.cum_returns_final(returns)),
        "benchmark_return": float(empyrical.cum_returns_final(bench)),
        "alpha": float(alpha),
        "beta": float(beta),
        "sharpe": float(empyrical.sharpe_ratio(steady, risk_free=risk_free, annualization=year)),
        "sortino": float(empyrical.sortino_ratio(steady, required_return=0.0, annualization=year)),
        "annual_volatility": float(empyrical.annual_volatility(steady, annualization=year)),
        "max_drawdown": float(empyrical.max_drawdown(returns)),
    }


def tear_sheet(equity: pd.Series, benchmark_prices: pd.Series, risk_free: float = 0.0) -> TearSheet:
    """The whole run's metrics; see the module docstring for the conventions."""
    daily, bench = align_benchmark(equity, benchmark_prices)
    metrics = _metrics(daily.to_numpy(), bench.to_numpy(), risk_free)
    return TearSheet(start=daily.index[0], end=daily.index[-1], **metrics)


def month_ends(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The last day of each complete month in sorted ``dates``.

    The data's final month counts only if its last day is the month's last weekday: a run
    that stops mid-month has no month end there. (A month whose last weekday is a holiday,
    such as Good Friday, loses its final row; the earlier months are unaffected.)
    """
    if dates.empty:
        return dates
    months = dates.to_period("M")
    last_in_month = np.append(months[:-1] != months[1:], True)
    final = dates[-1]
    if final < final + pd.offsets.BMonthEnd(0):
        last_in_month[-1] = False
    return dates[last_in_month]


def rolling_table(
    equity: pd.Series,
    benchmark_prices: pd.Series,
    windows_months: Sequence[int] = (1, 3, 6, 12),
    risk_free: float = 0.0,
) -> pd.DataFrame:
    """Trailing-window metrics at every month end, one row per (end, months).

    A window of m months ending at a month end grows from the last day of the month m
    months earlier, so 1-month rows are calendar-month returns that chain. A window that
    would start before the data does is left out rather than shortened.
    """
    if any(months < 1 for months in windows_months):
        raise ValueError(f"windows are whole months, at least 1: got {tuple(windows_months)}")
    daily, bench = align_benchmark(equity, benchmark_prices)
    dates = daily.index
    values, prices = daily.to_numpy(), bench.to_numpy()
    rows: list[dict[str, object]] = []
    for end in month_ends(dates):
        last = dates.searchsorted(end, side="right") - 1
        for months in sorted(set(windows_months)):
            base_day = (end.to_period("M") - months).to_timestamp(how="end").normalize()
            first = dates.searchsorted(base_day, side="right") - 1
            if first < 0:
                continue
            metrics = _metrics(values[first : last + 1], prices[first : last + 1], risk_free)
            rows.append({"end": end, "months": months, "start": dates[first], **metrics})
    columns = ["end", "months", "start", *METRICS]
    table = pd.DataFrame(rows, columns=columns)
    return table.set_index(["end", "months"])

"""The tear sheet against hand formulas, and against empyrical called the documented way."""

from __future__ import annotations

import math
from pathlib import Path

import empyrical
import numpy as np
import pandas as pd
import pytest

from tradeswarm.scenarios.report import metrics
from tradeswarm.scenarios.report.metrics import (
    METRICS,
    align_benchmark,
    daily_returns,
    load_benchmark_csv,
    month_ends,
    rolling_table,
    tear_sheet,
)

DATA = Path(metrics.__file__).parents[1] / "data"
YEAR = 252


def curve(returns: list[float], start: str = "2021-01-04", base: float = 100.0) -> pd.Series:
    """An equity curve on business days that earns ``returns``, from ``base`` on day one."""
    values = base * np.cumprod([1.0, *(1.0 + np.asarray(returns))])
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)))


def flat(equity: pd.Series) -> pd.Series:
    """A benchmark that never moves, for tests that do not look at it."""
    return pd.Series(1.0, index=equity.index)


@pytest.fixture(scope="module")
def aapl() -> pd.Series:
    return load_benchmark_csv(DATA / "AAPL.csv", column="adj_close")


@pytest.fixture(scope="module")
def spx() -> pd.Series:
    return load_benchmark_csv(DATA / "SPX.csv")


def test_a_constant_daily_return_compounds_with_no_volatility_and_no_drawdown() -> None:
    r, n = 0.001, 60
    equity = curve([r] * n)
    sheet = tear_sheet(equity, flat(equity))
    assert sheet.total_return == pytest.approx((1 + r) ** n - 1, rel=1e-12)
    assert sheet.annual_volatility == 0.0  # not the 1e-15 of rounding in E_t / E_t-1
    assert sheet.max_drawdown == 0.0
    assert sheet.sharpe == math.inf  # a positive mean over zero dispersion
    assert sheet.sortino == math.inf  # no downside at all
    assert math.isnan(sheet.beta) and math.isnan(sheet.alpha)  # a flat benchmark has no variance


def test_alternating_returns_give_the_sample_deviation_sharpe_and_sortino() -> None:
    x, k = 0.02, 10
    n = 2 * k + 1  # +x, -x, ..., +x: the mean is x / n, not zero
    returns = [x if i % 2 == 0 else -x for i in range(n)]
    sheet = tear_sheet(curve(returns), flat(curve(returns)))
    mean = x / n
    std = x * math.sqrt((n + 1) / n)  # ddof=1: sum (r - mean)^2 = n x^2 - x^2 / n, over n - 1
    assert sheet.sharpe == pytest.approx(mean / std * math.sqrt(YEAR), rel=1e-12)
    assert sheet.sharpe == pytest.approx(math.sqrt(YEAR / (n * (n + 1))), rel=1e-12)
    assert sheet.sharpe != pytest.approx(mean / (x * math.sqrt(1 - 1 / n**2)) * math.sqrt(YEAR))
    assert sheet.annual_volatility == pytest.approx(std * math.sqrt(YEAR), rel=1e-12)
    downside = x * math.sqrt(k / n)  # the k losing days squared, averaged over all n
    assert sheet.sortino == pytest.approx(YEAR * mean / (downside * math.sqrt(YEAR)), rel=1e-12)
    assert sheet.total_return == pytest.approx((1 + x) * (1 - x * x) ** k - 1, rel=1e-12)
    assert sheet.max_drawdown == pytest.approx((1 - x * x) ** k / (1 + x) - 1, rel=1e-12)


def test_a_risk_free_rate_equal_to_the_mean_return_makes_sharpe_zero() -> None:
    returns = [0.01, -0.004, 0.007, 0.002, -0.001]
    equity = curve(returns)
    sheet = tear_sheet(equity, flat(equity), risk_free=float(np.mean(returns)))
    assert sheet.sharpe == pytest.approx(0.0, abs=1e-12)


def test_max_drawdown_is_the_deepest_fall_from_a_running_peak() -> None:
    values = [100.0, 120.0, 90.0, 150.0, 60.0, 160.0, 140.0]
    equity = pd.Series(values, index=pd.bdate_range("2021-01-04", periods=len(values)))
    assert tear_sheet(equity, flat(equity)).max_drawdown == pytest.approx(60 / 150 - 1, rel=1e-12)


def test_a_fall_from_the_first_day_counts_the_starting_equity_as_the_peak() -> None:
    equity = curve([-0.1, -0.1, 0.05])
    assert tear_sheet(equity, flat(equity)).max_drawdown == pytest.approx(0.81 - 1, rel=1e-12)


def test_every_return_metric_agrees_with_empyrical_on_a_real_series(aapl, spx) -> None:
    assert aapl.index.isin(spx.index).all()  # so the reference needs no alignment of its own
    returns = aapl.pct_change().iloc[1:]
    bench = spx.reindex(aapl.index).pct_change().iloc[1:]
    sheet = tear_sheet(aapl, spx)
    expected = {
        "total_return": empyrical.cum_returns_final(returns),
        "benchmark_return": empyrical.cum_returns_final(bench),
        "alpha": empyrical.alpha(returns, bench),
        "beta": empyrical.beta(returns, bench),
        "sharpe": empyrical.sharpe_ratio(returns),
        "sortino": empyrical.sortino_ratio(returns),
        "annual_volatility": empyrical.annual_volatility(returns),
        "max_drawdown": empyrical.max_drawdown(returns),
    }
    assert set(expected) == set(METRICS)
    for name, value in expected.items():
        assert getattr(sheet, name) == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert sheet.total_return == pytest.approx(aapl.iloc[-1] / aapl.iloc[0] - 1, rel=1e-9)
    assert (sheet.start, sheet.end) == (aapl.index[0], aapl.index[-1])


def test_alpha_is_annualised_by_compounding_the_mean_daily_excess(aapl, spx) -> None:
    returns = aapl.pct_change().iloc[1:].to_numpy()
    bench = spx.reindex(aapl.index).pct_change().iloc[1:].to_numpy()
    beta = np.cov(returns, bench, ddof=0)[0, 1] / np.var(bench)
    daily_alpha = np.mean(returns - beta * bench)
    sheet = tear_sheet(aapl, spx)
    assert sheet.beta == pytest.approx(beta, rel=1e-9)
    assert sheet.alpha == pytest.approx((1 + daily_alpha) ** YEAR - 1, rel=1e-9)


def test_a_series_against_itself_has_beta_one_and_alpha_zero(spx) -> None:
    sheet = tear_sheet(spx.loc["2005":"2008"], spx)
    assert sheet.beta == pytest.approx(1.0, rel=1e-12)
    assert sheet.alpha == pytest.approx(0.0, abs=1e-12)
    assert sheet.total_return == pytest.approx(sheet.benchmark_return, rel=1e-12)


def test_the_benchmark_carries_its_last_close_and_starts_the_comparison() -> None:
    equity = curve([0.01, 0.02, -0.01, 0.03])  # Mon 4 .. Fri 8 January 2021
    days = equity.index
    prices = pd.Series([10.0, 11.0, 12.0], index=[days[1], days[2], days[4]])
    aligned_equity, aligned_prices = align_benchmark(equity, prices)
    assert list(aligned_equity.index) == list(days[1:])  # the day before the benchmark is cut
    assert list(aligned_prices) == [10.0, 11.0, 11.0, 12.0]  # day 3 holds day 2's close
    sheet = tear_sheet(equity, prices)
    assert sheet.start == days[1]
    assert sheet.benchmark_return == pytest.approx(12 / 10 - 1, rel=1e-12)
    assert sheet.total_return == pytest.approx(1.02 * 0.99 * 1.03 - 1, rel=1e-12)


def test_daily_returns_are_dated_by_day_from_nanoseconds_or_zoned_stamps() -> None:
    utc = pd.DatetimeIndex(["2021-01-04 21:00", "2021-01-05 21:00"], tz="UTC")
    ns = pd.Index([stamp.value for stamp in utc])  # Timestamp.value is always nanoseconds
    by_ns = daily_returns(pd.Series([100.0, 110.0], index=ns))
    zoned = daily_returns(pd.Series([100.0, 110.0], index=utc.tz_convert("Asia/Tokyo")))
    assert list(by_ns.index) == [pd.Timestamp("2021-01-05")]
    assert list(zoned.index) == [pd.Timestamp("2021-01-06")]  # 06:00 next day in Tokyo
    assert by_ns.iloc[0] == pytest.approx(0.1) and by_ns.index.tz is None


def test_several_points_on_one_day_keep_the_close() -> None:
    stamps = pd.DatetimeIndex(["2021-01-05 16:00", "2021-01-04 16:00", "2021-01-05 10:00"])
    returns = daily_returns(pd.Series([121.0, 100.0, 50.0], index=stamps))
    assert list(returns) == [pytest.approx(0.21)]


def test_one_day_has_no_metrics_and_two_days_only_the_compounded_ones() -> None:
    one = tear_sheet(curve([]), flat(curve([])))
    assert all(math.isnan(getattr(one, name)) for name in METRICS)
    two = tear_sheet(curve([-0.05]), flat(curve([-0.05])))
    assert two.total_return == pytest.approx(-0.05)
    assert two.max_drawdown == pytest.approx(-0.05)
    assert all(math.isnan(getattr(two, m)) for m in ("sharpe", "sortino", "alpha", "beta"))


def test_an_empty_or_bust_equity_curve_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        tear_sheet(pd.Series([], index=pd.DatetimeIndex([]), dtype=float), curve([0.1]))
    bust = pd.Series([100.0, 0.0], index=pd.bdate_range("2021-01-04", periods=2))
    with pytest.raises(ValueError, match="positive"):
        tear_sheet(bust, flat(bust))


def test_month_ends_skip_a_final_month_the_data_leaves_early() -> None:
    dates = pd.bdate_range("2021-01-04", "2021-03-10")
    assert list(month_ends(dates)) == [pd.Timestamp("2021-01-29"), pd.Timestamp("2021-02-26")]


def test_the_rolling_table_has_a_row_per_month_end_and_window_that_fits() -> None:
    days = pd.bdate_range("2020-12-31", "2021-12-31")
    equity = pd.Series(np.linspace(100.0, 130.0, len(days)), index=days)
    table = rolling_table(equity, equity)
    assert table.index.names == ["end", "months"]
    assert list(table.columns) == ["start", *METRICS]
    # 13 month ends (Dec 2020 to Dec 2021); an m-month window needs data at the end of
    # month M - m, so the first end it fits is Jan, Mar, Jun and Dec 2021.
    counts = table.groupby(level="months").size()
    assert counts.to_dict() == {1: 12, 3: 10, 6: 7, 12: 1}
    assert len(table) == 30
    assert table.loc[(pd.Timestamp("2021-12-31"), 12), "start"] == pd.Timestamp("2020-12-31")


def test_a_window_longer_than_the_data_is_left_out() -> None:
    equity = curve([0.001] * 120)  # 4 January to late June 2021
    table = rolling_table(equity, equity)
    assert 12 not in table.index.get_level_values("months")
    assert table.index[0] == (pd.Timestamp("2021-02-26"), 1)  # January has no base day


def test_a_run_without_a_whole_month_has_an_empty_table_with_the_same_columns() -> None:
    equity = curve([0.01, -0.02, 0.03])
    table = rolling_table(equity, equity)
    assert table.empty and list(table.columns) == ["start", *METRICS]
    with pytest.raises(ValueError, match="whole months"):
        rolling_table(equity, equity, windows_months=(0, 1))


def test_a_twelve_month_row_equals_the_tear_sheet_of_its_slice(aapl, spx) -> None:
    table = rolling_table(aapl, spx)
    row = table.loc[(pd.Timestamp("2010-06-30"), 12)]
    assert row["start"] == pd.Timestamp("2009-06-30")
    sheet = tear_sheet(aapl.loc["2009-06-30":"2010-06-30"], spx)
    for name in METRICS:
        assert row[name] == pytest.approx(getattr(sheet, name), rel=1e-12), name
    assert table.index.get_level_values("end").max() == pd.Timestamp("2013-02-28")


def test_one_month_returns_chain_into_the_twelve_month_return(aapl, spx) -> None:
    table = rolling_table(aapl, spx, windows_months=(1, 12))
    monthly = table.xs(1, level="months").loc["2008-01":"2008-12", "total_return"]
    assert len(monthly) == 12
    yearly = table.loc[(pd.Timestamp("2008-12-31"), 12), "total_return"]
    assert np.prod(1 + monthly.to_numpy()) - 1 == pytest.approx(yearly, rel=1e-12)

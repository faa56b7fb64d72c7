"""End-of-day equity and positions from hand-made fills and closes, priced on paper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tradeswarm.messages import Fill, Side
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario, load_scenario
from tradeswarm.scenarios.report.equity import (
    DATA_FOLDER,
    benchmark_prices,
    daily_closes,
    daily_equity,
    exposure_by_day,
    marks_by_day,
    positions_by_day,
    read_fills,
    session_dates,
)
from tradeswarm.scenarios.report.trade_stats import FillRow
from tradeswarm.scenarios.run.output import write_fills

DAYS = pd.bdate_range("2024-01-01", periods=5)  # Mon 1 .. Fri 5 January 2024
DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "sma_demo.toml"


def at(day: int, hour: float = 21.0) -> int:
    """Nanoseconds UTC of business day ``day`` at ``hour`` UTC (21:00 is 16:00 New York)."""
    return (DAYS[day] + pd.Timedelta(hours=hour)).value


def closes(*prices: float, start: int = 0) -> pd.Series:
    """Daily closes by ns UTC, from day ``start`` on."""
    stamps = [at(start + n) for n in range(len(prices))]
    return pd.Series(prices, index=pd.Index(stamps, dtype="int64"), dtype=float)


def test_equity_is_cash_plus_positions_at_each_days_close() -> None:
    fills = [
        FillRow(at(1, 14.5), "X", "buy", 100, 10.5, 1.0),
        FillRow(at(3, 14.5), "X", "sell", 100, 12.5, 1.0),
    ]
    equity = daily_equity(fills, {"X": closes(10, 11, 12, 11, 13)}, 10_000.0)
    # D1: cash 10000 - 1050 - 1 = 8949, plus 100 x 11; D3: flat again, cash 8949 + 1250 - 1
    assert equity.tolist() == pytest.approx([10_000, 10_049, 10_149, 10_198, 10_198])
    assert list(equity.index) == list(DAYS)
    assert equity.index.name == "date"


def test_minute_bars_mark_at_each_sessions_last_close() -> None:
    # 14:31, 15:00 and 20:59 UTC on day 0, then two bars on day 1.
    stamps = [at(0, 14.52), at(0, 15.0), at(0, 20.98), at(1, 14.52), at(1, 20.98)]
    minute = pd.Series([10.0, 10.2, 10.4, 10.8, 11.0], index=pd.Index(stamps, dtype="int64"))
    fills = [FillRow(at(0, 15.0), "X", "buy", 10, 10.2, 0.0)]
    equity = daily_equity(fills, {"X": minute}, 1_000.0)
    assert equity.tolist() == pytest.approx([1_000 - 102 + 104, 1_000 - 102 + 110])


def test_a_short_gains_when_the_price_falls() -> None:
    fills = [FillRow(at(0), "X", "sell", 10, 20.0, 0.0)]
    equity = daily_equity(fills, {"X": closes(20, 18, 25)}, 1_000.0)
    assert equity.tolist() == pytest.approx([1_000, 1_020, 950])


def test_a_day_without_a_bar_keeps_the_previous_close() -> None:
    x = closes(10, 11, 12)
    y = closes(5, 6, 7).drop(at(1))  # Y did not trade on day 1
    fills = [FillRow(at(0), "X", "buy", 1, 10.0, 0.0), FillRow(at(0), "Y", "buy", 2, 5.0, 0.0)]
    equity = daily_equity(fills, {"X": x, "Y": y}, 100.0)
    assert equity.tolist() == pytest.approx([100, 100 + 1 + 0, 100 + 2 + 4])


def test_a_position_before_its_first_bar_is_marked_at_its_fill_price() -> None:
    fills = [FillRow(at(0), "Y", "buy", 10, 5.0, 0.0)]
    equity = daily_equity(fills, {"X": closes(1, 1, 1), "Y": closes(6, start=2)}, 100.0)
    assert equity.tolist() == pytest.approx([100, 100, 110])


def test_a_fill_in_the_evening_new_york_belongs_to_that_session() -> None:
    # 00:30 UTC on day 1 is 19:30 New York on day 0: the fill counts at day 0's close.
    fills = [FillRow(at(1, 0.5), "X", "buy", 1, 10.0, 0.0)]
    assert list(session_dates([fills[0].ts_ns])) == [DAYS[0]]
    equity = daily_equity(fills, {"X": closes(10, 12)}, 100.0)
    assert equity.tolist() == pytest.approx([100, 102])


def test_no_fills_is_flat_starting_cash() -> None:
    equity = daily_equity([], {"X": closes(1, 2, 3)}, 500.0)
    assert equity.tolist() == [500.0, 500.0, 500.0]


def test_positions_by_day_hold_between_fills_and_list_untraded_symbols() -> None:
    fills = [
        FillRow(at(1), "X", "buy", 100, 10.0, 0.0),
        FillRow(at(1), "X", "buy", 50, 10.0, 0.0),
        FillRow(at(3), "X", "sell", 150, 10.0, 0.0),
    ]
    positions = positions_by_day(fills, pd.DatetimeIndex(DAYS), ["X", "Z"])
    assert list(positions.columns) == ["X", "Z"]
    assert positions["X"].tolist() == [0, 150, 150, 0, 0]
    assert positions["Z"].tolist() == [0] * 5


def test_exposure_is_market_value_over_equity() -> None:
    fills = [FillRow(at(0), "X", "buy", 10, 10.0, 0.0), FillRow(at(0), "Y", "sell", 5, 20, 0.0)]
    quotes = {"X": closes(10, 10), "Y": closes(20, 20)}
    equity = daily_equity(fills, quotes, 1_000.0)
    positions = positions_by_day(fills, equity.index)
    exposure = exposure_by_day(positions, marks_by_day(fills, quotes, equity.index), equity)
    assert exposure["gross"].tolist() == pytest.approx([0.2, 0.2])
    assert exposure["net"].tolist() == pytest.approx([0.0, 0.0])


def test_fills_csv_reads_back_as_the_broker_wrote_it(tmp_path: Path) -> None:
    fill = Fill(
        client_order_id="X-1",
        symbol="X",
        side=Side.SELL,
        quantity=3,
        price=12.345678,
        commission=0.5,
        ts_ns=at(2) + 123,
        remaining=0,
        fill_seq=1,
    )
    write_fills(tmp_path / "fills.csv", [fill])
    assert read_fills(tmp_path / "fills.csv") == [FillRow.from_fill(fill)]


def test_daily_closes_of_bar_columns_keep_each_sessions_last() -> None:
    from tradeswarm.actors.market.synthetic import synthetic_minute_bars

    columns = synthetic_minute_bars(("A",), 390 * 2, seed=1, start="2024-01-02")
    daily = daily_closes(columns)["A"]
    assert list(daily.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03"]))
    assert daily.iloc[-1] == columns["A"].close[-1]


# -- the benchmark -----------------------------------------------------------------------


class WithReport:
    """A scenario with ``[report] benchmark`` set, whether or not config has the section."""

    def __init__(self, scenario: Scenario, benchmark: str) -> None:
        self._scenario = scenario
        self.report = type("Report", (), {"benchmark": benchmark})()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scenario, name)

    def data_path(self, symbol: str) -> Path:
        return self._scenario.data_path(symbol)


def demo() -> Scenario:
    return load_scenario(DEMO)


def test_the_default_benchmark_is_the_shipped_spx_when_it_covers_the_data() -> None:
    prices = benchmark_prices(demo())
    assert prices.name == "SPX"
    assert prices.index[0] == pd.Timestamp("1999-01-04")


def test_a_symbol_of_the_data_is_its_adjusted_closes() -> None:
    scenario = demo()
    quotes = {"AAPL": closes(1, 2), "MSFT": closes(3, 4)}
    prices = benchmark_prices(WithReport(scenario, "MSFT"), quotes)  # type: ignore[arg-type]
    assert prices.name == "MSFT"
    assert prices.tolist() == [3.0, 4.0]
    assert list(prices.index) == list(DAYS[:2])


def test_a_csv_path_is_read_relative_to_the_scenario_and_uses_adj_close(tmp_path: Path) -> None:
    moved = tmp_path / "s.toml"
    moved.write_text(
        DEMO.read_text().replace('"data/{symbol}.csv"', f'"{DATA_FOLDER}/{{symbol}}.csv"')
    )
    (tmp_path / "idx.csv").write_text(
        "date,open,high,low,close,volume,adj_close\n"
        "2024-01-02,1,1,1,10,0,5\n"
        "2024-01-03,1,1,1,11,0,5.5\n"
    )
    scenario = load_scenario(moved)
    prices = benchmark_prices(WithReport(scenario, "idx.csv"), {})  # type: ignore[arg-type]
    assert prices.name == "idx"
    assert prices.tolist() == [5.0, 5.5]


def test_a_shipped_name_finds_its_file() -> None:
    spx = benchmark_prices(WithReport(demo(), "SPX"), {})  # type: ignore[arg-type]
    assert spx.name == "SPX"


def test_an_unknown_benchmark_is_a_user_error_naming_the_key() -> None:
    with pytest.raises(UserError, match=r"report\.benchmark.*NOPE"):
        benchmark_prices(WithReport(demo(), "NOPE"), {})  # type: ignore[arg-type]


def test_without_spx_coverage_the_default_is_an_equal_weight_basket() -> None:
    quotes = {"A": closes(10, 20), "B": closes(100, 50)}  # 2024: after the shipped SPX ends
    prices = benchmark_prices(demo(), quotes)
    assert prices.name == "equal-weight A+B"
    assert prices.tolist() == pytest.approx([1.0, (2.0 + 0.5) / 2])

"""The benchmark a run is compared with: the shipped S&P 500, a symbol, a file, a basket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario, load_scenario
from tradeswarm.scenarios.report.benchmark import DATA_FOLDER, benchmark_prices

DAYS = pd.bdate_range("2024-01-01", periods=5)  # Mon 1 .. Fri 5 January 2024
DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "sma_demo.toml"


def closes(*prices: float, start: int = 0) -> pd.Series:
    """Daily closes by session date, from business day ``start`` on."""
    days = pd.bdate_range(DAYS[0] + pd.offsets.BDay(start), periods=len(prices))
    return pd.Series(prices, index=days, dtype=float)


# -- the benchmark -----------------------------------------------------------------------


class WithReport:
    """A scenario with ``[report] benchmark`` set, whether or not config has the section."""

    def __init__(self, scenario: Scenario, benchmark: str) -> None:
        self._scenario = scenario
        self.report = type("Report", (), {"benchmark": benchmark})()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scenario, name)


def demo() -> Scenario:
    return load_scenario(DEMO)


def test_the_default_benchmark_is_the_shipped_spx_when_it_covers_the_data() -> None:
    prices = benchmark_prices(demo(), {"AAPL": closes(1, 2, start=-5000)})
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

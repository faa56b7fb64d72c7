"""A run as the report sees it: the broker's statements as stated, from memory or a folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tradeswarm.messages import AccountStatement, Fill, Side, Transition
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import frozen_copy, load_scenario
from tradeswarm.scenarios.report.run_data import (
    RunData,
    exposure_by_day,
    from_results,
    load_run,
    read_fills,
)
from tradeswarm.scenarios.report.trade_stats import FillRow
from tradeswarm.scenarios.run.output import (
    write_equity,
    write_fills,
    write_positions,
    write_timeline,
)

DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "sma_demo.toml"
DAYS = ["2024-01-02", "2024-01-03", "2024-01-04"]


def close_of(day: str) -> int:
    """16:00 New York on ``day``, in ns UTC."""
    return pd.Timestamp(f"{day} 16:00", tz="America/New_York").value


def fill(day: str, side: Side, quantity: float, price: float, *, late: bool = False) -> Fill:
    ts_ns = close_of(day) + (3_600 * 10**9 if late else 0)
    return Fill(
        client_order_id=f"AAPL-{day}",
        symbol="AAPL",
        side=side,
        quantity=quantity,
        price=price,
        commission=1.0,
        ts_ns=ts_ns,
        remaining=0.0,
        fill_seq=1,
    )


STATEMENTS = [
    AccountStatement(
        session=DAYS[0],
        ts_ns=close_of(DAYS[0]),
        cash=9_000.0,
        equity=10_100.0,
        positions={"AAPL": 10.0},
        closes={"AAPL": 110.0, "MSFT": 50.0},
    ),
    AccountStatement(
        session=DAYS[1],
        ts_ns=close_of(DAYS[1]),
        cash=9_000.0,
        equity=10_200.0,
        positions={"AAPL": 10.0},
        closes={"AAPL": 120.0, "MSFT": 51.0},
    ),
    AccountStatement(
        session=DAYS[2],
        ts_ns=close_of(DAYS[2]),
        cash=10_150.0,
        equity=10_150.0,
        positions={},
        closes={"AAPL": 115.0, "MSFT": 52.0},
    ),
]
FILLS = [fill(DAYS[0], Side.BUY, 10, 100.0), fill(DAYS[1], Side.SELL, 10, 115.0, late=True)]
TRANSITIONS = [
    Transition(ts_ns=close_of(DAYS[0]), symbol="AAPL", from_state="A", event="bar", to_state="B")
]


def in_memory(folder: Path) -> RunData:
    scenario = load_scenario(DEMO)
    return from_results(folder, scenario, {}, FILLS, STATEMENTS, TRANSITIONS)


def test_equity_is_the_brokers_stated_equity_by_session_date(tmp_path: Path) -> None:
    run = in_memory(tmp_path)
    assert run.equity.tolist() == [10_100.0, 10_200.0, 10_150.0]
    assert list(run.equity.index) == list(pd.to_datetime(DAYS))


def test_positions_list_every_symbol_flat_where_not_held(tmp_path: Path) -> None:
    run = in_memory(tmp_path)
    assert list(run.positions.columns) == ["AAPL", "IBM", "MSFT"]
    assert run.positions["AAPL"].tolist() == [10.0, 10.0, 0.0]
    assert run.positions["MSFT"].tolist() == [0.0, 0.0, 0.0]
    assert run.marks["MSFT"].tolist() == [50.0, 51.0, 52.0]
    assert run.marks["IBM"].isna().all(), "a symbol without a price has no mark"


def test_a_time_after_a_close_belongs_to_the_next_session(tmp_path: Path) -> None:
    run = in_memory(tmp_path)
    dates = run.session_dates([close_of(DAYS[0]), close_of(DAYS[0]) + 1, close_of(DAYS[2]) + 1])
    assert [day.strftime("%Y-%m-%d") for day in dates] == [DAYS[0], DAYS[1], DAYS[2]]


def test_exposure_is_market_value_over_equity(tmp_path: Path) -> None:
    run = in_memory(tmp_path)
    exposure = exposure_by_day(run.positions, run.marks, run.equity)
    assert exposure["gross"].tolist() == pytest.approx([1100 / 10_100, 1200 / 10_200, 0.0])
    assert exposure["net"].tolist() == exposure["gross"].tolist()


def test_a_run_folder_reads_back_as_the_run_was_in_memory(tmp_path: Path) -> None:
    scenario = load_scenario(DEMO)
    (tmp_path / "scenario.toml").write_text(frozen_copy(scenario))
    write_fills(tmp_path / "fills.csv", FILLS)
    write_equity(tmp_path / "equity.csv", STATEMENTS)
    write_positions(tmp_path / "positions.csv", STATEMENTS)
    write_timeline(tmp_path / "timeline.csv", TRANSITIONS)
    loaded, fresh = load_run(tmp_path), in_memory(tmp_path)
    pd.testing.assert_series_equal(loaded.equity, fresh.equity)
    pd.testing.assert_frame_equal(loaded.positions, fresh.positions)
    pd.testing.assert_frame_equal(loaded.marks, fresh.marks)
    pd.testing.assert_frame_equal(loaded.timeline, fresh.timeline)
    assert loaded.fills == fresh.fills
    assert loaded.session_ends_ns.tolist() == fresh.session_ends_ns.tolist()


def test_a_folder_without_the_brokers_statements_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "scenario.toml").write_text(frozen_copy(load_scenario(DEMO)))
    write_fills(tmp_path / "fills.csv", FILLS)
    with pytest.raises(UserError, match=r"equity\.csv: not found"):
        load_run(tmp_path)


def test_fills_csv_reads_back_as_the_broker_wrote_it(tmp_path: Path) -> None:
    odd = Fill(
        client_order_id="X-1",
        symbol="X",
        side=Side.SELL,
        quantity=3,
        price=12.345678,
        commission=0.5,
        ts_ns=close_of(DAYS[1]) + 123,
        remaining=0,
        fill_seq=1,
    )
    write_fills(tmp_path / "fills.csv", [odd])
    assert read_fills(tmp_path / "fills.csv") == [FillRow.from_fill(odd)]

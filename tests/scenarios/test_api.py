"""The Python API: a scenario as a file, a table or an object; strategies by name or as
objects; bars from pandas; pandas results equal to what the run folder holds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.actors import fsm
from tradeswarm.scenarios.api import load, run, sweep
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.strategies.sma_crossover import STRATEGY as SMA

DEMO = SCENARIOS / "sma_demo.toml"
DATA = SCENARIOS / "data"

pytestmark = pytest.mark.slow  # each runs a swarm of threads over the demo's 10,000 bars


def fills_of(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "fills.csv")


def as_csv_rows(fills: pd.DataFrame) -> list[tuple[object, ...]]:
    """The API's fills in fills.csv's terms, to compare with a run folder."""
    stamps = fills["ts"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    columns = ["symbol", "side", "quantity", "price", "order_id"]
    return list(zip(stamps, *(fills[c] for c in columns), strict=True))


def folder_rows(folder: Path) -> list[tuple[object, ...]]:
    frame = fills_of(folder)
    columns = ["ts", "symbol", "side", "quantity", "price", "order_id"]
    return list(zip(*(frame[c] for c in columns), strict=True))


def test_a_run_from_a_file_gives_pandas_results_equal_to_its_run_folder(tmp_path: Path) -> None:
    result = run(DEMO, out=tmp_path / "run")
    assert result.folder == tmp_path / "run"
    assert len(result.fills) == result.summary["fills"] > 100
    assert as_csv_rows(result.fills) == folder_rows(tmp_path / "run")
    assert set(result.trades.columns) == {"symbol", "opened", "closed", "days", "pnl"}
    assert len(result.trades) == result.summary["round_trips"]
    assert result.equity.iloc[-1] == pytest.approx(result.summary["final_equity"])
    assert {"sharpe", "max_drawdown"} <= set(result.metrics["tear_sheet"])
    assert len(result.timeline) >= len(result.fills)


def test_no_run_folder_is_kept_unless_asked(tmp_path: Path) -> None:
    result = run(DEMO, set={"strategy.params.fast": 5})
    assert result.folder is None
    assert result.summary["fills"] == len(result.fills)


def test_an_existing_run_folder_is_refused_without_force(tmp_path: Path) -> None:
    run(DEMO, out=tmp_path / "run")
    with pytest.raises(UserError, match="holds an earlier run"):
        run(DEMO, out=tmp_path / "run")
    assert run(DEMO, out=tmp_path / "run", force=True).folder == tmp_path / "run"


def test_a_table_and_a_strategy_object_run_as_the_file_and_the_name_do() -> None:
    by_file = run(DEMO)
    table = {
        "data": {"symbols": ["AAPL", "MSFT", "IBM"], "path": f"{DATA}/{{symbol}}.csv"},
        "strategy": {"name": "x", "params": {"fast": 10, "slow": 30, "quantity": 100}},
    }
    by_object = run(table, strategy=SMA)
    assert as_csv_rows(by_object.fills) == as_csv_rows(by_file.fills)
    assert load(table, strategy=SMA).strategy.name.endswith(":STRATEGY")  # importable by name


def test_a_strategy_made_in_a_notebook_runs_in_the_single_topology_only() -> None:
    never = fsm.strategy(
        "never", states={"FLAT": fsm.flat()}, table={("FLAT", fsm.BAR): [fsm.When("FLAT")]}
    )
    result = run(DEMO, strategy=never, set={"strategy.params": {}})
    assert len(result.fills) == 0 and result.summary["bars_processed"] > 9000
    with pytest.raises(UserError, match="topology='single'"):
        run(DEMO, strategy=never, set={"strategy.params": {}}, topology="processes")


def daily_frame(symbol: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / f"{symbol}.csv", parse_dates=["date"])
    return frame.set_index("date")


def test_bars_given_as_dataframes_trade_as_the_same_bars_in_files(tmp_path: Path) -> None:
    by_files = run(DEMO)
    frames = {symbol: daily_frame(symbol) for symbol in ("AAPL", "MSFT", "IBM")}
    by_frames = run(DEMO, data=frames, out=tmp_path / "run")
    assert as_csv_rows(by_frames.fills) == as_csv_rows(by_files.fills)
    assert (tmp_path / "run" / "data" / "AAPL.parquet").is_file()  # the folder keeps them
    report = run_cli("report", str(tmp_path / "run"), cwd=tmp_path)
    assert report.returncode == 0, report.stderr


def test_one_long_dataframe_gives_the_same_fills_as_a_frame_per_symbol() -> None:
    frames = {symbol: daily_frame(symbol) for symbol in ("AAPL", "MSFT", "IBM")}
    long = pd.concat([frame.assign(symbol=symbol) for symbol, frame in frames.items()]).sort_index(
        kind="stable"
    )
    by_frames = run(DEMO, data=frames)
    by_long = run(DEMO, data=long)
    assert as_csv_rows(by_long.fills) == as_csv_rows(by_frames.fills)


def test_a_frame_without_prices_is_one_line_naming_what_is_missing() -> None:
    frame = daily_frame("AAPL").drop(columns=["high"])
    with pytest.raises(UserError, match="high"):
        run(DEMO, data={"AAPL": frame})


def test_a_sweep_from_a_table_gives_its_ledger_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.toml").write_text(
        '[data]\nsource = "synthetic"\nsymbols = ["X"]\nbars_per_symbol = 800\n'
        '[strategy]\nname = "sma_crossover"\n'
    )
    spec = {
        "sweep": {"scenario": "base.toml", "constraint": "fast < slow", "ledger": "l.csv"},
        "grid": {"strategy.params.fast": [5, 10], "strategy.params.slow": [8, 20]},
    }
    first = sweep(spec, workers=1)
    assert (first.ran, first.skipped, first.failed) == (3, 0, [])  # (10, 8) is left out
    assert sorted(
        zip(first.ledger["strategy.params.fast"], first.ledger["strategy.params.slow"], strict=True)
    ) == [
        (5, 8),
        (5, 20),
        (10, 20),
    ]
    assert set(first.ledger["status"]) == {"ok"} and first.report.is_file()
    again = sweep(spec, workers=1)
    assert (again.ran, again.skipped) == (0, 3)
    assert len(again.ledger) == 3

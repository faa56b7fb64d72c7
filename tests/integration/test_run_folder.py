"""What a run leaves behind, and the trading state of a swarm while it runs."""

from __future__ import annotations

import csv
import json
import subprocess
import uuid
from pathlib import Path

from tests.integration.harness import (
    CLI_TIMEOUT_SECONDS,
    cli_command,
    run_cli,
    tagged_env,
    write_synthetic_scenario,
)
from tests.integration.test_no_leaks import _wait_for
from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.messages import JournalHeader
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.data_source import data_paths


def test_a_run_folder_holds_fills_timeline_summary_and_a_reloadable_scenario(
    scenario_dir: Path,
) -> None:
    result = run_cli("run", "sma_demo.toml", "--out", "out", "--quiet", cwd=scenario_dir)
    assert result.returncode == 0, result.stderr
    out = scenario_dir / "out"
    with (out / "fills.csv").open() as handle:
        fills = list(csv.DictReader(handle))
    with (out / "timeline.csv").open() as handle:
        timeline = list(csv.DictReader(handle))
    summary = json.loads((out / "summary.json").read_text())

    assert summary["fills"] == len(fills)
    assert summary["prices"].startswith("back-adjusted")  # what the fills' prices are
    header = next(read_journal(out / "journal.msgpack"))
    assert isinstance(header, JournalHeader) and header.prices == summary["prices"]
    filled = [row for row in timeline if row["event"] == "filled"]
    assert len(filled) == len(fills)  # every fill completes one market order
    assert {row["to"] for row in timeline} <= {"FLAT", "ENTRY_PENDING", "LONG", "EXIT_PENDING"}
    assert [row["ts"] for row in timeline] == sorted(row["ts"] for row in timeline)
    copy = load_scenario(out / "scenario.toml")
    assert copy.data.symbols == ["AAPL", "MSFT", "IBM"]
    assert Path(data_paths(copy)["AAPL"]).exists()


def test_tradeswarm_state_reads_the_trading_state_of_a_running_swarm(tmp_path: Path) -> None:
    scenario = write_synthetic_scenario(tmp_path, symbols=2, bars=400_000)
    tag = uuid.uuid4().hex
    run = subprocess.Popen(
        cli_command("run", str(scenario), "--out", "out", "--quiet"),
        cwd=tmp_path,
        env=tagged_env(tag),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: (tmp_path / "out" / "endpoints.json").exists(), "the swarm to start")
        result = run_cli("state", "out", cwd=tmp_path, tag=tag)
        assert result.returncode == 0, result.stderr
        state = json.loads(result.stdout)
        assert state["cash"] > 0
        assert {"positions", "open_orders", "equity", "last_ts_ns", "fills"} <= state.keys()
    finally:
        run.terminate()
        run.communicate(timeout=CLI_TIMEOUT_SECONDS)


def test_tradeswarm_state_without_a_run_is_a_user_error(tmp_path: Path) -> None:
    result = run_cli("state", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "endpoints.json" in result.stderr

"""A run that finished, failed or was interrupted plainly says which, keeps what it did, and
owns its folder alone; a frozen or failing actor is named at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.integration.harness import (
    CLI_TIMEOUT_SECONDS,
    cli_command,
    processes_tagged,
    run_cli,
    tagged_env,
    write_synthetic_scenario,
)
from tests.integration.test_no_leaks import _wait_for
from tradeswarm.actors.broker.config import BrokerConfig
from tradeswarm.actors.broker.settings import BrokerSettings
from tradeswarm.actors.market.config import MarketDataConfig, SyntheticSource
from tradeswarm.actors.runtime.config import RouterConfig
from tradeswarm.actors.runtime.node import NodeConfig
from tradeswarm.scenarios.run.errors import SwarmFailed
from tradeswarm.scenarios.run.swarm import Swarm


def _start(tmp_path: Path, tag: str, *extra: str, restarts: int = 3) -> subprocess.Popen[str]:
    scenario = write_synthetic_scenario(tmp_path, symbols=2, bars=400_000, shards=2)
    settings = f"heartbeat_seconds = 2.0\nmax_restarts = {restarts}\n[data]"
    text = scenario.read_text().replace("[data]", settings, 1)
    scenario.write_text(text)
    process = subprocess.Popen(
        cli_command("run", str(scenario), "--out", "out", "--quiet", *extra),
        cwd=tmp_path,
        env=tagged_env(tag),
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: (tmp_path / "out" / "endpoints.json").exists(), "the swarm to start")
    return process


def _status(tmp_path: Path) -> dict[str, object]:
    return dict(json.loads((tmp_path / "out" / "status.json").read_text()))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_a_run_like_ctrl_c_and_keep_its_fills(
    tmp_path: Path, signum: int
) -> None:
    tag = uuid.uuid4().hex
    process = _start(tmp_path, tag)
    endpoints = json.loads((tmp_path / "out" / "endpoints.json").read_text())
    ipc_folder = Path(endpoints["market_data"].removeprefix("ipc://")).parent
    _wait_for(lambda: _status(tmp_path)["status"] == "running", "the run to say it runs")
    journal = tmp_path / "out" / "journal.msgpack"
    _wait_for(lambda: journal.stat().st_size > 300_000, "a few sessions in the journal")
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    name = signal.Signals(signum).name
    assert process.returncode == 128 + signum, stderr
    assert f"interrupted ({name}); every actor process was stopped" in stderr
    status = _status(tmp_path)
    assert (status["status"], status["reason"]) == ("interrupted", name)
    kept = (tmp_path / "out" / "fills.csv").read_text().splitlines()
    assert len(kept) - 1 == status["fills"]
    assert not ipc_folder.exists()
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")

    refused = run_cli("report", "out", cwd=tmp_path)
    assert refused.returncode == 2
    assert "did not finish (interrupted: " in refused.stderr
    forced = run_cli("report", "out", "--unfinished", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "out" / "report.html").exists()


def test_a_second_run_into_a_folder_in_use_is_refused_naming_the_first(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex
    process = _start(tmp_path, tag)
    scenario = tmp_path / "synthetic.toml"
    second = run_cli("run", str(scenario), "--out", "out", "--quiet", cwd=tmp_path)
    assert second.returncode == 2
    assert f"the run folder is in use by pid {process.pid} (tradeswarm run" in second.stderr
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


def test_a_frozen_instrument_host_that_may_not_restart_is_named_within_seconds(
    tmp_path: Path,
) -> None:
    tag = uuid.uuid4().hex
    process = _start(tmp_path, tag, restarts=0)
    hosts = [
        pid
        for pid in processes_tagged(tag)
        if b"instruments-1" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert len(hosts) == 1
    os.kill(hosts[0], signal.SIGSTOP)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 1, stderr
    assert f"actor instruments-1 (process instruments-1, pid {hosts[0]}) sent nothing for" in stderr
    assert "it is frozen or stuck (run.heartbeat_seconds = 2)" in stderr
    assert _status(tmp_path)["status"] == "failed"
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


STUCK_STRATEGY = """
import threading

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import When

STUCK_FROM_NS = 1_704_844_800_000_000_000  # 2024-01-10: after the checker's walks' bars


def watch(ctx, bar):
    if bar.ts_ns >= STUCK_FROM_NS:
        threading.Event().wait()  # never returns
    return []


STRATEGY = fsm.strategy(
    "stuck_in_an_action",
    states={"FLAT": fsm.flat()},
    table={("FLAT", fsm.BAR): [When("FLAT", action=watch)]},
)
"""


def test_a_thread_stuck_in_a_strategy_fails_the_single_run_which_then_exits(
    tmp_path: Path,
) -> None:
    """A frozen actor thread cannot be stopped or restarted: the run fails naming it, and
    the process exits at once instead of waiting on the thread (run_cli times out if not)."""
    (tmp_path / "stuck_strategy.py").write_text(STUCK_STRATEGY)
    scenario = write_synthetic_scenario(tmp_path, symbols=2, bars=20_000, topology="single")
    text = scenario.read_text().replace("[data]", "heartbeat_seconds = 2.0\n[data]", 1)
    text = text.replace('name = "sma_crossover"', 'name = "stuck_strategy:STRATEGY"')
    scenario.write_text(text.replace("params = { fast = 5, slow = 20, quantity = 10 }\n", ""))
    result = run_cli("run", str(scenario), "--out", "out", "--quiet", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "(thread of node instruments-" in result.stderr
    assert "it is frozen or stuck (run.heartbeat_seconds = 2)" in result.stderr
    assert _status(tmp_path)["status"] == "failed"


def test_state_of_a_finished_run_prints_the_state_it_ended_with(tmp_path: Path) -> None:
    scenario = write_synthetic_scenario(tmp_path, symbols=2, bars=2000, topology="single")
    assert run_cli("run", str(scenario), "--out", "out", "--quiet", cwd=tmp_path).returncode == 0
    result = run_cli("state", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    state = json.loads(result.stdout)
    assert (state["cash"], state["equity"]) == (summary["final_cash"], summary["final_equity"])
    assert _status(tmp_path)["status"] == "finished"


@pytest.mark.parametrize("topology", ["single", "processes"])
def test_an_actor_that_cannot_start_fails_the_launch_at_once(tmp_path: Path, topology: str) -> None:
    """Not after the minute the runner would wait for a ready that never comes: the
    message names the actor and its error (a timeout would say "timed out")."""
    bad = SyntheticSource(symbols=("A",), bars_per_symbol=10, seed=1, start="yesterday")
    nodes = [
        NodeConfig(
            name="market-data", actors=[MarketDataConfig(source=bad, expected_subscriptions=3)]
        ),
        NodeConfig(
            name="broker",
            actors=[
                RouterConfig(),
                BrokerConfig(
                    symbols=["A"], settings=BrokerSettings(), journal_path=str(tmp_path / "j")
                ),
            ],
        ),
    ]
    with Swarm(nodes, topology=topology) as swarm, pytest.raises(SwarmFailed) as failed:
        swarm.launch()
    assert "actor market_data failed: failed to start: ValueError" in str(failed.value)
    assert "'yesterday' is not a date as YYYY-MM-DD" in str(failed.value)

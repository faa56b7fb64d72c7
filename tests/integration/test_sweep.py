"""Sweeps as a user runs them: the same ledger with any number of workers and through a real
Dask cluster, resumed after an interruption without running a variant twice, and a failing
variant recorded without stopping the others."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.harness import (
    CLI_TIMEOUT_SECONDS,
    cli_command,
    processes_tagged,
    run_cli,
    tagged_env,
)
from tests.integration.test_no_leaks import _wait_for
from tradeswarm.scenarios.sweep.ledger import TIMING, read_ledger

GRID = """
[sweep]
name = "grid"
scenario = "{scenario}"
constraint = "fast < slow"
ledger = "{ledger}"

[grid]
"strategy.params.fast" = [5, 10, 15, 20, 25]
"strategy.params.slow" = [20, 30, 40, 50, 60]
"""  # 5 x 5, 23 with fast < slow; the sample keeps 20


BASE = """
[run]
name = "base"
seed = 5
[data]
source = "synthetic"
symbols = {symbols}
bars_per_symbol = 2000
[strategy]
name = "sma_crossover"
params = {{ fast = 10, slow = 30, quantity = 100 }}
[broker]
starting_cash = 1000000.0
"""


def sweep_file(folder: Path, ledger: str, *, extra: str = "", symbols: str = '["S1"]') -> Path:
    """A sweep over a small synthetic scenario: 2,000 minute bars a symbol."""
    scenario = folder / "base.toml"
    scenario.write_text(BASE.format(symbols=symbols))
    path = folder / f"{ledger.replace('/', '_')}.toml"
    body = GRID.format(scenario=scenario, ledger=ledger).replace(
        'ledger = "', 'sample = 20\nseed = 4\nledger = "'
    )
    path.write_text(body + extra)
    return path


def ledger_without_timing(path: Path) -> pd.DataFrame:
    return read_ledger(path).drop(columns=list(TIMING))


def test_the_ledger_is_the_same_with_one_worker_and_with_four(tmp_path: Path) -> None:
    ledgers = []
    for workers in ("1", "4"):
        path = sweep_file(tmp_path, f"w{workers}/ledger.csv")
        result = run_cli("sweep", str(path), "--workers", workers, "--quiet", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        ledgers.append(ledger_without_timing(tmp_path / f"w{workers}" / "ledger.csv"))
    assert len(ledgers[0]) == 20 and (ledgers[0]["status"] == "ok").all()
    pd.testing.assert_frame_equal(ledgers[0], ledgers[1])
    assert (tmp_path / "w4" / "report.html").read_text().count("<tr>") == 21  # head + rows


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_real_dask_cluster_gives_the_local_pools_ledger_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    tag, port = uuid.uuid4().hex, _free_port()
    env = tagged_env(tag)
    dask = [sys.executable, "-m", "distributed.cli"]
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            ":0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                f"tcp://127.0.0.1:{port}",
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--dashboard-address",
                ":0",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    del dask
    try:
        path = sweep_file(tmp_path, "dask/ledger.csv")
        address = f"tcp://127.0.0.1:{port}"
        result = run_cli("sweep", str(path), "--dask", address, "--quiet", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        local = sweep_file(tmp_path, "local/ledger.csv")
        assert run_cli("sweep", str(local), "--quiet", cwd=tmp_path).returncode == 0
        pd.testing.assert_frame_equal(
            ledger_without_timing(tmp_path / "dask" / "ledger.csv"),
            ledger_without_timing(tmp_path / "local" / "ledger.csv"),
        )
    finally:
        for process in (*workers, scheduler):
            process.send_signal(signal.SIGTERM)
        for process in (*workers, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    _wait_for(lambda: not processes_tagged(tag), "no process of the cluster")


def test_an_interrupted_sweep_resumes_without_running_a_finished_variant_again(
    tmp_path: Path,
) -> None:
    path = sweep_file(tmp_path, "resumed/ledger.csv", symbols='["S1", "S2"]')
    ledger = tmp_path / "resumed" / "ledger.csv"
    process = subprocess.Popen(
        cli_command("sweep", str(path), "--workers", "2", "--quiet"),
        cwd=tmp_path,
        env=tagged_env(uuid.uuid4().hex),
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: ledger.exists() and len(ledger.read_text().splitlines()) > 4, "rows")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 130, stderr
    first = set(read_ledger(ledger)["key"])
    assert 3 <= len(first) < 20

    again = run_cli("sweep", str(path), "--workers", "2", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"{len(first)} already in the ledger, {20 - len(first)} run" in again.stdout
    resumed = ledger_without_timing(ledger)
    assert len(resumed) == 20 and resumed["key"].is_unique

    whole = sweep_file(tmp_path, "whole/ledger.csv", symbols='["S1", "S2"]')
    assert run_cli("sweep", str(whole), "--quiet", cwd=tmp_path).returncode == 0
    pd.testing.assert_frame_equal(resumed, ledger_without_timing(tmp_path / "whole" / "ledger.csv"))


def test_a_failing_variant_is_a_row_with_its_error_and_the_sweep_goes_on(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, "failing/ledger.csv")
    text = path.read_text().replace(
        '"strategy.params.slow" = [20, 30, 40, 50, 60]',
        '"strategy.params.slow" = [20, 30, 40, 50, 60]\n"strategy.params.quantity" = [100, -1]',
    )
    path.write_text(text.replace("sample = 20\n", ""))
    result = run_cli("sweep", str(path), "--workers", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = read_ledger(tmp_path / "failing" / "ledger.csv")
    failed = table[table["status"] == "failed"]
    assert len(failed) == 23 and (table["status"] == "ok").sum() == 23
    assert failed["error"].str.contains("quantity").all()
    assert result.stderr.count("tradeswarm: variant ") == 23


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('"strategy.params.fsat" = [1]', "key 'strategy.params.fsat'"),
        ("[sweep]\nbogus = 1", "unknown key 'sweep.bogus'"),
    ],
)
def test_a_bad_sweep_file_is_one_line_and_exit_2(tmp_path: Path, change: str, message: str) -> None:
    path = sweep_file(tmp_path, "bad/ledger.csv")
    text = path.read_text()
    if change.startswith("[sweep]"):
        text = text.replace("[sweep]", change)
    else:
        text += change + "\n"
    path.write_text(text)
    started = time.monotonic()
    result = run_cli("sweep", str(path), "--quiet", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < CLI_TIMEOUT_SECONDS

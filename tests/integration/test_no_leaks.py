"""No process of a run outlives it: after success, after Ctrl-C, after a child dies."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from tests.integration.harness import (
    CLI_TIMEOUT_SECONDS,
    cli_command,
    processes_tagged,
    run_cli,
    tagged_env,
    write_synthetic_scenario,
)

WAIT_SECONDS = 60.0


def _wait_for(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Poll an outside fact (a file, the process table) with a bounded loop."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _start_long_run(tmp_path: Path, tag: str, *extra: str) -> subprocess.Popen[str]:
    scenario = write_synthetic_scenario(tmp_path, symbols=2, bars=400_000, shards=2)
    process = subprocess.Popen(
        cli_command("run", str(scenario), "--out", "out", "--quiet", *extra),
        cwd=tmp_path,
        env=tagged_env(tag),
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(lambda: (tmp_path / "out" / "endpoints.json").exists(), "the swarm to start")
    return process


def test_no_process_is_left_after_a_run(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex
    scenario = write_synthetic_scenario(tmp_path, symbols=3, bars=2000)
    result = run_cli("run", str(scenario), "--out", "out", "--quiet", cwd=tmp_path, tag=tag)
    assert result.returncode == 0, result.stderr
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


def test_no_process_is_left_after_ctrl_c(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex
    process = _start_long_run(tmp_path, tag)
    children = [pid for pid in processes_tagged(tag) if pid != process.pid]
    assert len(children) == 4  # market data, broker, two instrument shards
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


def test_no_process_is_left_after_a_child_dies(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex
    process = _start_long_run(tmp_path, tag, "--set", "run.max_restarts=0")
    nodes = [
        pid
        for pid in processes_tagged(tag)
        if b"tradeswarm.actors.runtime.node" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    victim = max(nodes)  # the last node started: an instrument shard
    os.kill(victim, signal.SIGKILL)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 1, stderr
    assert f"(pid {victim}) died with signal 9 (run.max_restarts = 0: no restarts)" in stderr
    assert "Traceback" not in stderr
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")

"""Helpers for running the swarm as a user would: the CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
CLI_TIMEOUT_SECONDS = 120
SWARM_FIXTURES: set[str] = set()  # the tests that take one are marked slow (tests/conftest.py)

F = TypeVar("F", bound=Callable[..., object])


def runs_the_swarm(fixture_function: F) -> F:
    """Declare a fixture outside ``tests/integration`` that runs a scenario: every test
    that takes it is marked ``slow``. Put it under ``@pytest.fixture``."""
    SWARM_FIXTURES.add(fixture_function.__name__)
    return fixture_function


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tradeswarm.scenarios.cli.main", *args]


def tagged_env(tag: str) -> dict[str, str]:
    """Every process of the run inherits the tag, so a test can find leftovers by it."""
    env = dict(os.environ)
    env["TRADESWARM_TEST_TAG"] = tag
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_cli(*args: str, cwd: Path, tag: str | None = None) -> CliResult:
    completed = subprocess.run(
        cli_command(*args),
        cwd=cwd,
        env=tagged_env(tag or uuid.uuid4().hex),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


def start_cli(*args: str, cwd: Path, tag: str | None = None) -> subprocess.Popen[str]:
    """``run_cli`` without waiting: ``finish_cli`` collects it."""
    return subprocess.Popen(
        cli_command(*args),
        cwd=cwd,
        env=tagged_env(tag or uuid.uuid4().hex),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_cli(process: subprocess.Popen[str]) -> CliResult:
    try:
        stdout, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return CliResult(process.returncode, stdout, stderr)


def processes_tagged(tag: str) -> list[int]:
    needle = f"TRADESWARM_TEST_TAG={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A copy of the demo scenario and its data, so a test may edit both."""
    shutil.copytree(SCENARIOS / "data", tmp_path / "data")
    shutil.copy(SCENARIOS / "sma_demo.toml", tmp_path / "sma_demo.toml")
    return tmp_path


def write_synthetic_scenario(
    folder: Path,
    *,
    symbols: int,
    bars: int,
    topology: str = "processes",
    name: str = "synthetic",
    shards: int | str = "auto",
) -> Path:
    listed = ", ".join(f'"S{index:03d}"' for index in range(symbols))
    path = folder / f"{name}.toml"
    path.write_text(
        f"""
[run]
name = "{name}"
seed = 11
topology = "{topology}"
instrument_shards = {shards!r}

[data]
source = "synthetic"
symbols = [{listed}]
bars_per_symbol = {bars}

[strategy]
name = "sma_crossover"
params = {{ fast = 5, slow = 20, quantity = 10 }}

[broker]
starting_cash = 1000000.0
"""
    )
    return path

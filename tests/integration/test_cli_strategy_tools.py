"""``tradeswarm check`` and ``diagram`` as a user runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.integration.harness import cli_command, run_cli, tagged_env

BROKEN = """
from tradeswarm.actors.fsm.engine import IGNORE, STANDARD_EVENTS, Strategy, When
from tradeswarm.scenarios.strategies.sma_crossover import STRATEGY as SMA

TABLE = {("FLAT", event): IGNORE for event in STANDARD_EVENTS if event != "filled"}
TABLE[("FLAT", "bar")] = (When("NOWHERE"),)
STRATEGY = Strategy(
    name="broken", states=("FLAT",), events=STANDARD_EVENTS, initial="FLAT",
    table=TABLE, new_context=SMA.new_context,
)
"""


def test_check_passes_a_library_strategy(tmp_path: Path) -> None:
    result = run_cli("check", "sma_crossover", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_check_lists_the_problems_of_a_broken_table_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "my_broken.py").write_text(BROKEN)
    env = tagged_env("check")
    env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}"
    result = subprocess.run(
        cli_command("check", "my_broken:STRATEGY"),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "state FLAT, event filled" in result.stderr
    assert "NOWHERE" in result.stderr
    assert "Traceback" not in result.stderr


def test_diagram_writes_mermaid_with_labelled_transitions(tmp_path: Path) -> None:
    result = run_cli("diagram", "sma_crossover", "--format", "mermaid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stateDiagram-v2")
    assert "FLAT --> ENTRY_PENDING : bar [crosses_up] / buy_quantity" in result.stdout

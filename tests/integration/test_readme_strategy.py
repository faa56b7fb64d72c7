"""The README's "Your first strategy" runs as written: its code and scenario are taken from
the README itself, so the guide cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

from tests.integration.harness import REPO, SCENARIOS, run_cli

README = REPO / "README.md"


def fenced(language: str, first_line: str) -> str:
    """The README's ``language`` block whose first line is ``first_line``."""
    text = README.read_text()
    for block in re.findall(rf"```{language}\n(.*?)```", text, flags=re.S):
        if block.startswith(first_line):
            return str(block)
    raise AssertionError(f"README has no {language} block starting {first_line!r}")


def commands() -> list[list[str]]:
    """The ``tradeswarm`` commands of the guide's shell block, as argument lists."""
    block = fenced("sh", ".venv/bin/tradeswarm check my_rsi.toml")
    return [line.split("#")[0].split()[1:] for line in block.splitlines() if line.strip()]


def test_the_first_strategy_guide_checks_draws_and_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "my_rsi.py").write_text(fenced("python", "# my_rsi.py"))
    (tmp_path / "my_rsi.toml").write_text(fenced("toml", "# my_rsi.toml"))
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "data").symlink_to(SCENARIOS / "data")
    code_lines = [line for line in (tmp_path / "my_rsi.py").read_text().splitlines() if line]
    assert len(code_lines) <= 50, "the guide's strategy stays short"

    ran = []
    for arguments in commands():
        quiet = ["--quiet"] if arguments[0] == "run" else []
        result = run_cli(*arguments, *quiet, cwd=tmp_path)
        assert result.returncode == 0, (arguments, result.stderr)
        ran.append((arguments[0], result.stdout))
    assert [name for name, _ in ran] == ["check", "check", "diagram", "run"]
    assert "rsi_30_70: table checked, no problems" in ran[0][1]
    assert "INVALID (derived)" in ran[1][1]
    assert ran[2][1].startswith("stateDiagram-v2")
    fills = (tmp_path / "runs" / "my-rsi" / "fills.csv").read_text().splitlines()
    assert len(fills) > 10, "the RSI strategy trades"

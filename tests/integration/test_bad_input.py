"""A user's mistake ends in one clear line naming the file and the line or key, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.harness import CliResult, run_cli


def _assert_user_error(result: CliResult, *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in expected:
        assert fragment in lines[0]


def test_a_missing_data_file_names_the_file(scenario_dir: Path) -> None:
    (scenario_dir / "data" / "MSFT.csv").unlink()
    result = run_cli("run", "sma_demo.toml", "--quiet", cwd=scenario_dir)
    _assert_user_error(result, "MSFT.csv", "no such data file")


def test_a_malformed_csv_row_names_the_file_and_line(scenario_dir: Path) -> None:
    path = scenario_dir / "data" / "IBM.csv"
    lines = path.read_text().splitlines()
    lines[16] = "2000-03-23,abc,1,1,1,1,1"
    path.write_text("\n".join(lines) + "\n")
    result = run_cli("run", "sma_demo.toml", "--quiet", cwd=scenario_dir)
    _assert_user_error(result, "IBM.csv:17", "open")


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (("[broker]", "[broker]\nslipage_bps = 3"), ("sma_demo.toml", "broker.slipage_bps")),
        (("[run]", "[run]\ncolour = 1"), ("sma_demo.toml", "run.colour")),
        (("seed = 7", 'seed = "seven"'), ("sma_demo.toml", "run.seed", "int")),
        (('topology = "processes"', 'topology = "cluster"'), ("sma_demo.toml", "run.topology")),
        (('name = "sma_crossover"', 'name = "nope"'), ("unknown strategy 'nope'",)),
        (("fast = 10", "fast = 40"), ("sma_demo.toml", "fast < slow")),
    ],
)
def test_a_bad_scenario_key_is_named(
    scenario_dir: Path, edit: tuple[str, str], fragments: tuple[str, ...]
) -> None:
    path = scenario_dir / "sma_demo.toml"
    old, new = edit
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    result = run_cli("run", "sma_demo.toml", "--quiet", cwd=scenario_dir)
    _assert_user_error(result, *fragments)


def test_bad_input_stops_before_any_actor_starts(scenario_dir: Path) -> None:
    (scenario_dir / "data" / "AAPL.csv").write_text("date,open\n")
    result = run_cli("run", "sma_demo.toml", "--out", "out", "--quiet", cwd=scenario_dir)
    assert result.returncode == 2
    assert not (scenario_dir / "out" / "endpoints.json").exists()

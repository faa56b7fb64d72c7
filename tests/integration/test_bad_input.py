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


BOOM_AT_IMPORT = "import math\nFACTOR = math.log(0)\n"
BOOM_IN_CONTEXT = """\
from tradeswarm.actors import fsm


class Exploding(fsm.Context):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ratio = 1 / 0


STRATEGY = fsm.strategy(
    "exploding",
    states={"FLAT": fsm.flat()},
    table={("FLAT", fsm.BAR): [fsm.When("FLAT")]},
    context=Exploding,
)
"""


def _bad_files(folder: Path) -> None:
    """Files some cases point at: user modules that raise, data files that are wrong."""
    (folder / "boom_import.py").write_text(BOOM_AT_IMPORT)
    (folder / "boom_context.py").write_text(BOOM_IN_CONTEXT)
    (folder / "a_file").write_text("not a folder\n")
    aapl = (folder / "data" / "AAPL.csv").read_bytes()
    (folder / "data" / "LATIN.csv").write_bytes(aapl.replace(b"date", b"d\xe9te", 1))
    (folder / "data" / "BINARY.csv").write_bytes(bytes(range(256)) * 8)
    lines = aapl.decode().splitlines()
    lines[5] = ",".join([*lines[5].split(",")[:6], "1e-300"])
    (folder / "data" / "TINY.csv").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("arguments", "fragments"),
    [
        (["--set", "data.path=data/{sym}.csv"], ["sma_demo.toml", "data.path", "{symbol}"]),
        (["--set", "data.path=data/{symbol.csv"], ["sma_demo.toml", "data.path", "brace"]),
        (["--out", "a_file"], ["--out a_file", "not a folder"]),
        (["--set", "run.output=a_file/runs"], ["run.output", "a_file is a file"]),
        (["--set", "strategy.name=boom_import:STRATEGY"], ["boom_import.py:2", "ValueError"]),
        (
            ["--set", "strategy.name=boom_context:STRATEGY", "--set", "strategy.params={}"],
            ["boom_context.py:7", "ZeroDivisionError", "does not pass its checks"],
        ),
        (
            ["--set", 'broker.commission={model = "per_share", cost = "x"}'],
            ["sma_demo.toml", "broker.commission.cost", "float"],
        ),
        (
            ["--set", "data.source=synthetic", "--set", "data.volatility=nan"],
            ["sma_demo.toml", "data.volatility", "finite"],
        ),
        (["--set", "broker.starting_cash=nan"], ["broker.starting_cash", "finite"]),
        (["--set", "broker.starting_cash=inf"], ["broker.starting_cash", "finite"]),
        (["--set", "strategy.params.quantity=0"], ["sma_demo.toml", "quantity > 0"]),
        (["--set", "strategy.params.quantity=-100"], ["sma_demo.toml", "quantity > 0"]),
        (["--set", "strategy.params.quantity=nan"], ["strategy.params.quantity", "finite"]),
        (["--set", "strategy.params.fast=10.7"], ["strategy.params.fast", "int"]),
        (["--set", "run.timeout_seconds=0"], ["run.timeout_seconds", "positive"]),
        (["--set", "run.timeout_seconds=-5"], ["run.timeout_seconds", "positive"]),
        (["--set", "data.timer_seconds=-1"], ["data.timer_seconds", "not be negative"]),
        (["--set", "broker.last_minute_seconds=-1"], ["broker.last_minute_seconds", "negative"]),
        (["--set", "report.benchmark=NOPE"], ["report.benchmark", "'NOPE'"]),
        (["--set", "report.benchmark=boom_import.py"], ["boom_import.py", "benchmark"]),
        (["--set", 'data.symbols=["../x"]'], ["data.symbols", "'../x'", "plain symbol"]),
        (["--set", 'data.symbols=["EUR/USD"]'], ["data.symbols", "'EUR/USD'", "plain symbol"]),
        (["--set", "run.name=../../x"], ["run.name", "plain name"]),
        (["--set", 'data.symbols=["LATIN"]'], ["LATIN.csv:1", "UTF-8"]),
        (["--set", 'data.symbols=["BINARY"]'], ["BINARY.csv", "binary"]),
        (["--set", 'data.symbols=["TINY"]'], ["TINY.csv:6", "adj_close", "1e-300"]),
        (["--set", "data.adjust=sideways"], ["data.adjust", "'back', 'none'"]),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, list) else None,
)
def test_every_bad_input_is_one_line_before_anything_starts(
    scenario_dir: Path, arguments: list[str], fragments: list[str]
) -> None:
    _bad_files(scenario_dir)
    before = set(scenario_dir.iterdir())
    result = run_cli("run", "sma_demo.toml", "--quiet", *arguments, cwd=scenario_dir)
    _assert_user_error(result, *fragments)
    assert set(scenario_dir.iterdir()) == before  # no run folder, nothing left behind

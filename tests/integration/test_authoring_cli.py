"""A user's own strategy through the CLI: its mistakes are one line and exit 2, its sizing
by the broker's equity is what a hand calculation gives, and its table reads back whole."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.actors.market.config import FileSource
from tradeswarm.actors.market.sources import load_bars

USER_MODULE = """
from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import When


class HalfParams(fsm.Params):
    fraction: float = 0.5


def buy_half(ctx, bar):
    return fsm.order_percent(ctx, ctx.params.fraction)


def late_guard(ctx, bar):
    if bar.ts_ns > 1_200_000_000 * 10**9:  # 2008: past anything the checker's walks reach
        return {}["boom"]
    return False


def bare_order(ctx, bar):
    return fsm.Submit(fsm.Side.BUY, 10)


HALF = fsm.strategy(
    "half",
    params=HalfParams,
    reads_portfolio=True,
    terminal=["LONG"],
    states={"FLAT": fsm.flat(), "BUYING": fsm.holds("flat", "long", orders=[fsm.buy()]),
            "LONG": fsm.long()},
    table={
        ("FLAT", fsm.BAR): [When("BUYING", action=buy_half)],
        ("LONG", fsm.BAR): fsm.IGNORE,
        **fsm.pending("BUYING", filled="LONG", flat="FLAT", long="LONG"),
    },
)
RAISES = fsm.strategy(
    "raises_late",
    states={"FLAT": fsm.flat()},
    table={("FLAT", fsm.BAR): [When("FLAT", late_guard), When("FLAT")]},
)
BARE = fsm.strategy(
    "bare",
    states={"FLAT": fsm.flat(), "WAIT": fsm.holds("flat", "long", orders=[fsm.buy()])},
    table={
        ("FLAT", fsm.BAR): [When("WAIT", action=bare_order)],
        **fsm.pending("WAIT", filled="FLAT", flat="FLAT", long="FLAT"),
    },
)
"""


def scenario(
    folder: Path,
    strategy: str,
    *,
    symbols: str = '"AAPL", "MSFT"',
    params: str = "",
    topology: str = "single",
) -> Path:
    (folder / "mine.py").write_text(USER_MODULE)
    path = folder / "mine.toml"
    path.write_text(
        f"""
[run]
name = "mine"
topology = "{topology}"
[data]
symbols = [{symbols}]
path = "{SCENARIOS / "data"}/{{symbol}}.csv"
[strategy]
name = "{strategy}"
params = {{ {params} }}
"""
    )
    return path


def test_a_parameter_typo_is_one_line_naming_the_key_in_check_and_in_run(tmp_path: Path) -> None:
    path = scenario(tmp_path, "sma_crossover", params="fsat = 5")
    for command in ("check", "run"):
        result = run_cli(command, str(path), cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            f"tradeswarm: error: {path}: key 'strategy.params.fsat': unknown parameter; "
            "the parameters are fast, slow, quantity, regime\n"
        )
    assert not (tmp_path / "runs").exists(), "refused before any actor started"


def test_an_action_returning_a_bare_order_is_refused_before_the_run(tmp_path: Path) -> None:
    result = run_cli("run", str(scenario(tmp_path, "mine:BARE")), cwd=tmp_path)
    assert result.returncode == 2
    assert "action bare_order returned a Submit, not a list of intents" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("topology", ["single", "processes"])
def test_a_guard_that_raises_during_the_run_ends_it_with_the_users_line(
    tmp_path: Path, topology: str
) -> None:
    path = scenario(tmp_path, "mine:RAISES", symbols='"AAPL"', topology=topology)
    result = run_cli("run", str(path), "--quiet", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "tradeswarm: error: strategy raises_late: AAPL at 2008-01-11T21:00:00Z, in state FLAT "
        "on event bar: guard late_guard raised KeyError: 'boom' "
        '(mine.py:16 in late_guard: return {}["boom"])\n'
    )


def test_percent_of_equity_quantities_equal_a_hand_calculation(tmp_path: Path) -> None:
    """Both instruments decide on the first bar with the broker's equity (100,000, nothing
    held yet): each buys floor(0.5 * 100,000 / its first close) shares."""
    result = run_cli(
        "run", str(scenario(tmp_path, "mine:HALF")), "--out", "out", "--quiet", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "fills.csv").open() as handle:
        bought = {row["symbol"]: float(row["quantity"]) for row in csv.DictReader(handle)}
    expected = {}
    for symbol in ("AAPL", "MSFT"):
        source = FileSource(paths={symbol: str(SCENARIOS / "data" / f"{symbol}.csv")})
        first_close = float(load_bars(source, "XNYS")[symbol].close[0])
        expected[symbol] = float(math.floor(0.5 * 100_000.0 / first_close))
    assert bought == expected


def test_check_table_prints_every_cell_and_marks_the_derived_ones(tmp_path: Path) -> None:
    result = run_cli("check", "sma_crossover", "--table", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  filled            INVALID (derived)" in lines
    assert (
        "  bar               [crosses_up] -> ENTRY_PENDING / buy_quantity; [else] -> FLAT" in lines
    )
    assert sum(line.startswith("  ") for line in lines) == 4 * 8  # states x events
    assert lines[-1] == "sma_crossover: table checked, no problems"

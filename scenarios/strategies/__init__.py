"""The strategy library, and how a name in a scenario or on the command line finds a table.

A name is a library name (``sma_crossover``) or a user's own ``module:attribute``, imported
from the scenario file's folder, then the working directory, then the usual ``sys.path``.
The same reference (``StrategyRef``) travels to every process that runs instruments.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tradeswarm.actors.fsm.check import check
from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.actors.fsm.problems import format_problems
from tradeswarm.actors.runtime.config import StrategyLoadError, StrategyRef
from tradeswarm.scenarios.config.errors import UserError

LIBRARY = {
    "sma_crossover": "tradeswarm.scenarios.strategies.sma_crossover:STRATEGY",
    "breakout": "tradeswarm.scenarios.strategies.breakout:STRATEGY",
    "long_short": "tradeswarm.scenarios.strategies.long_short:STRATEGY",
    "mean_reversion": "tradeswarm.scenarios.strategies.mean_reversion:STRATEGY",
    "pairs": "tradeswarm.scenarios.strategies.pairs:STRATEGY",
}


def strategy_ref(name: str, folders: Sequence[Path] = ()) -> StrategyRef:
    """The reference of ``name``; a user's module is looked for in ``folders`` (the
    scenario's folder), then in the working directory."""
    if name in LIBRARY:
        return StrategyRef(reference=LIBRARY[name])
    if ":" not in name:
        known = ", ".join(sorted(LIBRARY))
        raise UserError(
            f"unknown strategy '{name}'; use one of {known} or 'module:attribute' for your own"
        )
    search = [str(Path(folder).resolve()) for folder in (*folders, Path.cwd())]
    return StrategyRef(reference=name, search_path=list(dict.fromkeys(search)))


def resolve_strategy(name: str, folders: Sequence[Path] = ()) -> Strategy:
    """The table ``name`` refers to, loaded here as a child process will load it."""
    return load_strategy(strategy_ref(name, folders), name)


def load_strategy(ref: StrategyRef, name: str) -> Strategy:
    try:
        return ref.load()
    except StrategyLoadError as error:
        raise UserError(f"strategy '{name}': {error}") from None


def check_report(strategy: Strategy) -> tuple[bool, str]:
    """Every problem of the table, one per line (``tradeswarm check``'s report)."""
    problems = check(strategy)
    return not problems, format_problems(strategy.name, problems)


_PASSED: dict[int, Strategy] = {}  # strategies that passed in this process, by identity


def ensure_checked(strategy: Strategy) -> None:
    """Refuse to run a table with problems: they are errors a user must fix first.

    A strategy object passes once per process: its checks are a pure function of the
    object (frozen), and a sweep runs one strategy many times in each worker."""
    if _PASSED.get(id(strategy)) is strategy:
        return
    ok, report = check_report(strategy)
    if not ok:
        lines = report.splitlines()
        if len(lines) == 2:  # one problem and the count: one line says it
            raise UserError(f"strategy {strategy.name} does not pass its checks: {lines[0]}")
        raise UserError(f"strategy {strategy.name} does not pass its checks:\n{report}")
    _PASSED[id(strategy)] = strategy

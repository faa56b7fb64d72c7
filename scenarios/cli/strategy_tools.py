"""``tradeswarm check`` and ``tradeswarm diagram``: the same table the engine runs, checked
and drawn before any money moves."""

from __future__ import annotations

from pathlib import Path

from tradeswarm.actors.fsm.check import check
from tradeswarm.actors.fsm.diagram import DiagramError, render_svg, to_dot, to_mermaid
from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.actors.fsm.problems import format_problems
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.strategies import resolve_strategy


def strategy_from_argument(argument: str) -> Strategy:
    """A scenario file, a library name, or ``module:attribute``."""
    if argument.endswith(".toml"):
        return resolve_strategy(load_scenario(Path(argument)).strategy.name)
    return resolve_strategy(argument)


def check_report(strategy: Strategy) -> tuple[bool, str]:
    problems = check(strategy)
    return not problems, format_problems(strategy.name, problems)


def ensure_checked(strategy: Strategy) -> None:
    """Refuse to run a table with problems: they are errors a user must fix first."""
    ok, report = check_report(strategy)
    if not ok:
        raise UserError(f"strategy {strategy.name} does not pass its checks:\n{report}")


def diagram(strategy: Strategy, form: str) -> bytes:
    if form == "mermaid":
        return to_mermaid(strategy).encode()
    if form == "dot":
        return to_dot(strategy).encode()
    try:
        return render_svg(to_dot(strategy))
    except DiagramError as error:
        raise UserError(str(error)) from None

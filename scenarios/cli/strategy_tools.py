"""``tradeswarm check`` and ``tradeswarm diagram``: the same table the engine runs, checked
and drawn before any money moves."""

from __future__ import annotations

from pathlib import Path

from tradeswarm.actors.fsm.diagram import DiagramError, render_svg, to_dot, to_mermaid
from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.validate import check_params
from tradeswarm.scenarios.strategies import resolve_strategy


def strategy_from_argument(argument: str) -> Strategy:
    """A scenario file, a library name, or ``module:attribute``; a scenario's parameters
    are checked against the strategy too."""
    if argument.endswith(".toml"):
        scenario = load_scenario(Path(argument))
        strategy = resolve_strategy(scenario.strategy.name, [scenario.folder])
        check_params(strategy, scenario)
        return strategy
    return resolve_strategy(argument)


def diagram(strategy: Strategy, form: str) -> bytes:
    if form == "mermaid":
        return to_mermaid(strategy).encode()
    if form == "dot":
        return to_dot(strategy).encode()
    try:
        return render_svg(to_dot(strategy))
    except DiagramError as error:
        raise UserError(str(error)) from None

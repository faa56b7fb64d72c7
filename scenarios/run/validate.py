"""Everything a user can get wrong in a scenario, checked once, before any actor starts.

``prepare`` resolves and checks the strategy, tries its parameters, checks the calendar,
and scans each data file (``scenarios.run.data_source``), so a run either starts with all
its inputs proven or stops at once with one line naming the file and the key or line, and
the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.actors.fsm.errors import raised, user_frame
from tradeswarm.actors.fsm.params import ParamsError
from tradeswarm.actors.market.config import BarSource
from tradeswarm.actors.market.sessions import exchange_calendar
from tradeswarm.scenarios.config.benchmark_file import check_benchmark
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.run.data_source import bar_source
from tradeswarm.scenarios.strategies import ensure_checked, resolve_strategy


@dataclass(frozen=True)
class PreparedRun:
    """A scenario whose every input has been checked; ``source`` is its scanned data and
    ``bars`` how many bars the run takes."""

    scenario: Scenario
    strategy: Strategy
    source: BarSource
    bars: int


def prepare(scenario: Scenario) -> PreparedRun:
    strategy = resolve_strategy(scenario.strategy.name, [scenario.folder])
    ensure_checked(strategy)
    check_params(strategy, scenario)
    calendar = scenario.data.calendar or None
    if calendar is not None:
        try:
            exchange_calendar(calendar)
        except ValueError as error:
            raise UserError(f"{scenario.path}: key 'data.calendar': {error}") from None
    check_benchmark(scenario)
    source, bars = bar_source(scenario)
    return PreparedRun(scenario, strategy, source, bars)


def check_params(strategy: Strategy, scenario: Scenario) -> None:
    """The scenario's ``[strategy] params`` as every instrument will take them: an unknown
    key, a wrong type or a rule the strategy states is one line naming the key."""
    for symbol in scenario.data.symbols:
        try:
            strategy.new_context(symbol, scenario.strategy.params)
        except ParamsError as error:
            raise UserError(f"{scenario.path}: {error}") from None
        except (ValueError, TypeError) as error:
            raise UserError(f"{scenario.path}: [strategy.params]: {error}") from None
        except Exception as error:  # the strategy's own code, making a context
            where = user_frame(error.__traceback__)
            raise UserError(
                f"{scenario.path}: strategy {strategy.name}: making the context of {symbol} "
                f"{raised(error)}" + (f" ({where})" if where else "")
            ) from None

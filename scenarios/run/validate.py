"""Everything a user can get wrong in a scenario, checked once, before any actor starts.

``prepare`` resolves and checks the strategy, tries its parameters, checks the calendar,
and reads each data file (the reads are cached per process: the market data in the same
process takes the same columns), so a run either starts with all its inputs proven or
stops at once with one line naming the file and the key or line, and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.actors.fsm.params import ParamsError
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.config import CsvSource
from tradeswarm.actors.market.sessions import exchange_calendar, session_bounds
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.actors.market.synthetic import session_minute_timestamps
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.run.plan import bar_source
from tradeswarm.scenarios.strategies import ensure_checked, resolve_strategy


@dataclass(frozen=True)
class PreparedRun:
    """A scenario whose every input has been checked; ``bars`` is how many the run takes."""

    scenario: Scenario
    strategy: Strategy
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
    return PreparedRun(scenario, strategy, _count_bars(scenario, calendar))


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


def _count_bars(scenario: Scenario, calendar: str | None) -> int:
    source = bar_source(scenario)
    if not isinstance(source, CsvSource):
        data = scenario.data
        try:
            session_minute_timestamps(data.start, data.bars_per_symbol, calendar or "XNYS")
        except ValueError as error:
            raise UserError(f"{scenario.path}: key 'data.start': {error}") from None
        return data.bars_per_symbol * len(data.symbols)
    try:
        columns = load_bars(source)
        stamps = [bars.ts_ns for bars in columns.values()]
        session_bounds(np.unique(np.concatenate(stamps)), calendar)
    except DataError as error:
        raise UserError(str(error)) from None
    except ValueError as error:  # a bar outside every session of the calendar
        raise UserError(f"{scenario.path}: [data] against calendar {calendar}: {error}") from None
    return sum(len(bars) for bars in columns.values())

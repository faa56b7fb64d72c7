"""Run a scenario end to end: validate, start the swarm, wait, write the run folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.sessions import exchange_calendar, session_bounds
from tradeswarm.actors.market.sources import CsvSource, load_bars
from tradeswarm.messages import Fill, RunProgress, Side, TradingState
from tradeswarm.scenarios.cli.strategy_tools import ensure_checked
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario, frozen_copy
from tradeswarm.scenarios.run.output import write_fills, write_summary, write_timeline
from tradeswarm.scenarios.run.plan import bar_source, plan_nodes
from tradeswarm.scenarios.run.swarm import Swarm, write_endpoints
from tradeswarm.scenarios.strategies import resolve_strategy

JOURNAL_NAME = "journal.msgpack"


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    summary: dict[str, Any]
    state: TradingState


def validate(scenario: Scenario) -> int:
    """Everything a user can get wrong, checked before any actor starts; returns the
    number of bars the run will process."""
    strategy = resolve_strategy(scenario.strategy.name)
    ensure_checked(strategy)
    try:
        strategy.new_context(scenario.data.symbols[0], scenario.strategy.params)
    except (ValueError, TypeError) as error:
        raise UserError(f"{scenario.path}: [strategy.params]: {error}") from None
    calendar = scenario.data.calendar or None
    if calendar is not None:
        try:
            exchange_calendar(calendar)
        except ValueError as error:
            raise UserError(f"{scenario.path}: key 'data.calendar': {error}") from None
    source = bar_source(scenario)
    if not isinstance(source, CsvSource):
        return scenario.data.bars_per_symbol * len(scenario.data.symbols)
    try:
        columns = load_bars(source)
        stamps = [bars.ts_ns for bars in columns.values()]
        session_bounds(np.unique(np.concatenate(stamps)), calendar)
    except DataError as error:
        raise UserError(str(error)) from None
    except ValueError as error:  # a bar outside every session of the calendar
        raise UserError(f"{scenario.path}: [data] against calendar {calendar}: {error}") from None
    return sum(len(bars) for bars in columns.values())


def output_dir(scenario: Scenario, override: str | None) -> Path:
    if override is not None:
        return Path(override)
    folder = Path(scenario.run.output.format(name=scenario.run.name))
    return folder if folder.is_absolute() else Path.cwd() / folder


def run_scenario(
    scenario: Scenario,
    *,
    out_dir: Path,
    topology: str | None = None,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> RunResult:
    validate(scenario)
    topology = topology or scenario.run.topology
    out_dir.mkdir(parents=True, exist_ok=True)
    journal_path = out_dir / JOURNAL_NAME
    nodes = plan_nodes(scenario, topology, journal_path)
    started = time.perf_counter()
    with Swarm(nodes, topology=topology, transport=scenario.run.transport) as swarm:
        swarm.launch()
        write_endpoints(out_dir / "endpoints.json", swarm.endpoints)
        swarm.release()
        swarm.wait(scenario.run.timeout_seconds, on_progress)
        state = swarm.trading_state()
    wall_seconds = time.perf_counter() - started
    fills = [message for message in read_journal(journal_path) if isinstance(message, Fill)]
    write_fills(out_dir / "fills.csv", fills)
    write_timeline(out_dir / "timeline.csv", swarm.transitions)
    (out_dir / "scenario.toml").write_text(frozen_copy(scenario))
    summary = summarize(scenario, state, fills, swarm.finished, swarm.stopped, wall_seconds)
    summary["topology"] = topology
    write_summary(out_dir / "summary.json", summary)
    return RunResult(out_dir, summary, state)


def summarize(
    scenario: Scenario,
    state: TradingState,
    fills: list[Fill],
    finished: dict[str, dict[str, int]],
    stopped: dict[str, dict[str, int]],
    wall_seconds: float,
) -> dict[str, Any]:
    starting_cash = scenario.broker.starting_cash
    bars = sum(
        counters.get("bars", 0)
        for name, counters in finished.items()
        if name.startswith("instrument/")
    )
    malformed = {
        name: counters["malformed"]
        for name, counters in stopped.items()
        if counters.get("malformed")
    }
    return {
        "scenario": scenario.run.name,
        "strategy": scenario.strategy.name,
        "symbols": sorted(scenario.data.symbols),
        "starting_cash": starting_cash,
        "final_cash": state.cash,
        "final_equity": state.equity,
        "return": state.equity / starting_cash - 1.0,
        "positions": {p.symbol: p.quantity for p in state.positions},
        "fills": len(fills),
        "round_trips": count_round_trips(fills),
        "bars_processed": bars,
        "wall_seconds": round(wall_seconds, 3),
        "bar_events_per_second": round(bars / wall_seconds) if wall_seconds > 0 else 0,
        "malformed_messages": malformed,
        "actor_counters": {
            name: stopped.get(name, counters)
            for name, counters in sorted({**finished, **stopped}.items())
        },
    }


def count_round_trips(fills: list[Fill]) -> int:
    """A round trip ends each time a symbol's position returns to zero."""
    positions: dict[str, float] = {}
    trips = 0
    for fill in fills:
        signed = fill.quantity if fill.side is Side.BUY else -fill.quantity
        before = positions.get(fill.symbol, 0.0)
        after = before + signed
        positions[fill.symbol] = after
        if before != 0 and (after == 0 or (after > 0) != (before > 0)):
            trips += 1
    return trips

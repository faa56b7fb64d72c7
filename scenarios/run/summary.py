"""What ``summary.json`` says about a run: its result, its counters, its round trips.

Pure functions of what the swarm handed back, so the Python API, the CLI and a sweep worker
summarise a run the same way.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tradeswarm.messages import Fill, Side, TradingState
from tradeswarm.scenarios.config.scenario import Scenario


def as_builtins(value: object) -> Any:
    """Messages travel as arrays; people read objects with named fields."""
    if isinstance(value, msgspec.Struct):
        return {name: as_builtins(getattr(value, name)) for name in value.__struct_fields__}
    if isinstance(value, list):
        return [as_builtins(item) for item in value]
    return value


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
        "prices": scenario.data.prices(),
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


def dropped_frames(
    runner: dict[str, int], actors: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """Per socket, what was refused (handshakes without a run key, messages their sender
    had no right to send) and what did not decode, over the runner and every actor."""
    table: dict[str, dict[str, int]] = {}
    for counters in [runner, *actors.values()]:
        for key, count in counters.items():
            kind, _, socket = key.partition(".")
            if socket and kind in ("refused", "malformed"):
                row = table.setdefault(socket, {"refused": 0, "malformed": 0})
                row[kind] += count
    return dict(sorted(table.items()))


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

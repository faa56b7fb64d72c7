"""The completed table as text (``tradeswarm check --table``): every cell, derived ones marked.

A table written with ``actors.fsm.build`` spells out only its decisions; this shows what
the engine runs: each state with what the broker holds in it, then each event's cell, so
a reader can audit the derived cells instead of trusting them.
"""

from __future__ import annotations

from typing import Any

from tradeswarm.actors.fsm.engine import IGNORE, INVALID, Strategy, When


def format_table(strategy: Strategy) -> str:
    width = max((len(event) for event in strategy.events), default=0) + 2
    lines = [
        f"{strategy.name}: {len(strategy.states)} states x {len(strategy.events)} events, "
        f"initial {strategy.initial}; (derived) marks a cell the engine filled in"
    ]
    for state in strategy.states:
        held = strategy.holds.get(state)
        lines.append(f"{state}" + (f"  [holds: {held}]" if held is not None else ""))
        for event in strategy.events:
            cell = strategy.table.get((state, event))
            text = _cell(cell)
            if (state, event) in strategy.derived:
                text += " (derived)"
            lines.append(f"  {event:<{width}}{text}")
    return "\n".join(lines)


def _cell(cell: Any) -> str:
    if cell is None:
        return "MISSING"
    if cell is IGNORE or cell is INVALID:
        return repr(cell)
    if not isinstance(cell, tuple | list):
        return f"malformed: {cell!r}"
    return "; ".join(_when(item, alone=len(cell) == 1) for item in cell)


def _when(item: Any, *, alone: bool) -> str:
    if not isinstance(item, When):
        return f"malformed: {item!r}"
    guard = f"[{_name(item.guard)}] " if item.guard is not None else "" if alone else "[else] "
    action = f" / {_name(item.action)}" if item.action is not None else ""
    return f"{guard}-> {item.target}{action}"


def _name(function: Any) -> str:
    return getattr(function, "__name__", repr(function))

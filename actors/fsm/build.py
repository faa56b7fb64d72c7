"""From what an author writes to a complete table: the engine derives what every table repeats.

An author writes the states with what the broker holds in each (``actors.fsm.holds``), the
cells that decide something, the parameters and the indicators. ``strategy`` derives the
rest, and marks it as derived:

* ``INVALID`` for a broker event in a state that holds no order (nothing can fill there);
* ``IGNORE`` for the events listed in ``ignore`` (the session events, by default) where no
  cell is written;
* the context (typed params, indicators fed every bar before the table is consulted);
* ``infer`` from the declarations (``actors.fsm.infer``), and the indicators' warm-up.

Every other pair must still be written, and the checker still says which is missing.
``pending`` writes the lifecycle of a pending order in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from tradeswarm.actors.fsm.context import Context, Indicators
from tradeswarm.actors.fsm.engine import (
    BAR,
    BROKER_EVENTS,
    CANCELLED,
    FILLED,
    IGNORE,
    INVALID,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_EVENTS,
    STANDARD_EVENTS,
    Cell,
    Domain,
    Infer,
    Strategy,
    Walks,
    When,
)
from tradeswarm.actors.fsm.holds import Holds
from tradeswarm.actors.fsm.infer import infer_from_holds
from tradeswarm.actors.fsm.params import Params, convert_params

__all__ = ["by_position", "cells", "pending", "strategy"]

Target = str | When
Written = Cell | Sequence[When]


def strategy(
    name: str,
    *,
    states: Mapping[str, Holds],
    table: Mapping[tuple[str, str], Written],
    params: type[Params] = Params,
    indicators: Callable[[Any], Mapping[str, Any]] | None = None,
    initial: str | None = None,
    events: Sequence[str] = STANDARD_EVENTS,
    ignore: Iterable[str] = SESSION_EVENTS,
    observe: Callable[[Any, str, Any], None] | None = None,
    context: type[Context] = Context,
    peers: Callable[[Any, str], Sequence[str]] | None = None,
    reads_portfolio: bool = False,
    walks: Walks | None = None,
    explore: Domain | None = None,
    infer: Infer | None = None,
    terminal: Iterable[str] = (),
) -> Strategy:
    """A complete ``Strategy`` (see the module docstring); ``initial`` defaults to the
    first state declared."""
    full, derived = _complete(states, events, table, frozenset(ignore))

    def new_context(symbol: str, raw: Mapping[str, Any]) -> Context:
        typed = convert_params(params, raw)
        made = indicators(typed) if indicators is not None else {}
        for label, indicator in made.items():
            indicator.name = label
        return context(
            symbol=symbol,
            params=typed,
            ind=Indicators(made),
            peers=tuple(peers(typed, symbol)) if peers is not None else (),
            reads_portfolio=reads_portfolio,
        )

    def warmup(raw: Mapping[str, Any]) -> int:
        made = indicators(convert_params(params, raw)) if indicators is not None else {}
        return max((indicator.warmup for indicator in made.values()), default=0)

    return Strategy(
        name=name,
        states=tuple(states),
        events=tuple(events),
        initial=initial if initial is not None else next(iter(states)),
        table=full,
        new_context=new_context,
        observe=_observer(observe),
        terminal=frozenset(terminal),
        explore=explore,
        infer=infer if infer is not None else infer_from_holds(states),
        holds=dict(states),
        derived=derived,
        walks=walks if walks is not None else Walks(),
        reads_portfolio=reads_portfolio,
        warmup=warmup,
    )


def _complete(
    states: Mapping[str, Holds],
    events: Sequence[str],
    table: Mapping[tuple[str, str], Written],
    ignore: frozenset[str],
) -> tuple[dict[tuple[str, str], Any], frozenset[tuple[str, str]]]:
    full: dict[tuple[str, str], Any] = {key: _cell(cell) for key, cell in table.items()}
    derived = set()
    for state in states:
        for event in events:
            if (state, event) in full:
                continue
            if event in BROKER_EVENTS and not states[state].has_orders:
                full[(state, event)] = INVALID
            elif event in ignore:
                full[(state, event)] = IGNORE
            else:
                continue  # the checker reports the missing cell
            derived.add((state, event))
    return full, frozenset(derived)


def _cell(cell: Written) -> Any:
    return tuple(cell) if isinstance(cell, list) else cell


def _observer(
    observe: Callable[[Any, str, Any], None] | None,
) -> Callable[[Any, str, Any], None]:
    """Indicators take every bar before the author's ``observe`` and the table see it."""

    def feed(context: Any, event_kind: str, event: Any) -> None:
        if event_kind == BAR:
            context.bar = event
            for indicator in context.ind:
                indicator.update(event)
        if observe is not None:
            observe(context, event_kind, event)

    feed.__name__ = getattr(observe, "__name__", "indicators")
    return feed


# -- rows --------------------------------------------------------------------------------


def cells(state: str, **by_event: Written) -> dict[tuple[str, str], Any]:
    """``cells(FLAT, bar=[When(...), When(FLAT)])``: one state's written cells."""
    return {(state, event): _cell(cell) for event, cell in by_event.items()}


def holds_long(context: Any, event: Any) -> bool:
    return bool(context.position > 0)


def holds_short(context: Any, event: Any) -> bool:
    return bool(context.position < 0)


def by_position(
    *, flat: Target | None = None, long: Target | None = None, short: Target | None = None
) -> tuple[When, ...]:
    """A cell that goes where the position says: ``long`` when it is long, ``short`` when
    short, else ``flat``. A target is a state, or a ``When`` whose action runs (its guard
    is replaced by the position's)."""
    chosen: list[When] = []
    for target, guard in ((long, holds_long), (short, holds_short)):
        if target is not None:
            chosen.append(_when(target, guard))
    if flat is None:
        raise ValueError("by_position needs the flat target: where a flat position goes")
    chosen.append(_when(flat, None))
    return tuple(chosen)


def pending(
    state: str,
    *,
    filled: Target,
    flat: Target,
    long: Target | None = None,
    short: Target | None = None,
    bar: Written = IGNORE,
) -> dict[tuple[str, str], Any]:
    """The lifecycle of a state waiting on one order: a full fill goes to ``filled``, a
    partial fill stays, a cancel or a reject goes where the position says
    (``by_position``); bars are ignored unless ``bar`` says otherwise."""
    after = by_position(flat=flat, long=long, short=short)
    return {
        (state, BAR): _cell(bar),
        (state, FILLED): (_when(filled, None),),
        (state, PARTIALLY_FILLED): (When(state),),
        (state, CANCELLED): after,
        (state, REJECTED): after,
    }


def _when(target: Target, guard: Any) -> When:
    if isinstance(target, When):
        return When(target.target, guard, target.action)
    return When(target, guard)

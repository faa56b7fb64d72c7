"""The FSM engine: a strategy is a table, not nested ifs.

Theory of operation. A ``Strategy`` declares its states, its event alphabet and, for
*every* (state, event) pair, one cell: a tuple of guarded transitions (``When``), or
``IGNORE``, or ``INVALID``. Guards are pure questions about the extended state and the
event; actions are the only code that emits anything, and they *return* intents
(``Submit``, ``Cancel``, ``Replace``, ``Signal``) instead of sending them, so ``step`` has
no I/O: replays, unit tests and the checker run it without sockets. Two guards true for
one input is an error, never a silent choice; a ``When`` without a guard is the ``else``
branch and must come last.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tradeswarm.messages import OrderType, Side, TimeInForce, TradingState

BAR = "bar"
FILLED = "filled"
PARTIALLY_FILLED = "partially_filled"
CANCELLED = "cancelled"
REJECTED = "rejected"
SESSION_OPEN = "session_open"
SESSION_CLOSE = "session_close"
END_OF_DAY = "end_of_day"
TIMER = "timer"

SESSION_EVENTS: tuple[str, ...] = (SESSION_OPEN, SESSION_CLOSE, END_OF_DAY)
BROKER_EVENTS: tuple[str, ...] = (FILLED, PARTIALLY_FILLED, CANCELLED, REJECTED)

STANDARD_EVENTS: tuple[str, ...] = (
    BAR,
    FILLED,
    PARTIALLY_FILLED,
    CANCELLED,
    REJECTED,
    SESSION_OPEN,
    SESSION_CLOSE,
    END_OF_DAY,
)


@dataclass(frozen=True, slots=True)
class Submit:
    """An order the action wants sent; the actor gives it an id, a sequence number and a time."""

    side: Side
    quantity: float
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    time_in_force: TimeInForce = TimeInForce.GTC


@dataclass(frozen=True, slots=True)
class Cancel:
    client_order_id: str


@dataclass(frozen=True, slots=True)
class Replace:
    """Amend an open order in place (the broker's cancel-and-replace, same id):
    ``quantity`` is the new total, filled shares included; ``None`` keeps a field. The
    strategy sees the new terms in ``open_orders`` once the broker has acknowledged them;
    an amendment the broker refuses, or one that comes after the order ended, changes
    nothing. One replace per order per decision."""

    client_order_id: str
    quantity: float | None = None
    limit_price: float | None = None
    stop_price: float | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """A custom event for another instrument's strategy (``target`` is its symbol); it
    arrives there as the event ``name`` carrying a ``messages.PeerSignal``."""

    target: str
    name: str
    value: float


Intent = Submit | Cancel | Replace | Signal
Guard = Callable[[Any, Any], bool]
Action = Callable[[Any, Any], Iterable[Intent] | None]


@dataclass(frozen=True, slots=True)
class When:
    """One guarded transition; ``guard=None`` means "otherwise"."""

    target: str
    guard: Guard | None = None
    action: Action | None = None


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> str:
        return self.name


IGNORE = _Marker("IGNORE")
INVALID = _Marker("INVALID")

Cell = tuple[When, ...] | _Marker


def row(
    state: str,
    cells: Mapping[str, Cell],
    *,
    ignore: Iterable[str] = (),
    invalid: Iterable[str] = (),
) -> dict[tuple[str, str], Cell]:
    """One state's row of the table: ``cells``, plus ``IGNORE`` for the ``ignore`` events
    and ``INVALID`` for the ``invalid`` ones (an explicit cell wins), so a table spells out
    only what differs between its states."""
    full: dict[str, Cell] = dict.fromkeys(invalid, INVALID)
    full.update(dict.fromkeys(ignore, IGNORE))
    full.update(cells)
    return {(state, event): cell for event, cell in full.items()}


@dataclass(slots=True)
class InstrumentContext:
    """Extended state the engine keeps for every strategy; strategies subclass it."""

    symbol: str
    position: float = 0.0
    open_orders: dict[str, Submit] = field(default_factory=dict)
    # Instruments whose signals this one's decisions depend on: it then decides on a time
    # only once the broker has passed it, so every signal sent before has arrived.
    peers: tuple[str, ...] = ()


ContextSampler = Callable[[random.Random, str], Any]
EventSampler = Callable[[random.Random, Any], Any]
Infer = Callable[[TradingState, str], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Domain:
    """The inputs a strategy can meet, so the checker can sample them (``actors.fsm.explore``).

    ``context(rng, state)`` draws an extended state the strategy may hold while it rests in
    ``state`` (between events). ``events[kind](rng, context)`` draws an event of that kind
    that can arrive then, or ``None`` when it cannot (a fill with no order open). Broker
    and session events have default samplers drawn from ``context.open_orders``; a
    strategy supplies the rest (at least ``bar``). Samplers take their randomness only
    from ``rng``, so a check is a pure function of its seed.
    """

    context: ContextSampler
    events: Mapping[str, EventSampler] = field(default_factory=dict)


@dataclass(frozen=True)
class Strategy:
    """A declarative strategy.

    ``observe`` updates indicators from every event before the table is consulted: it
    is bookkeeping, not a decision, so it lives outside the table. ``explore`` is the
    input domain the checker samples to find overlapping guards; ``infer(snapshot,
    symbol)`` names the one state a broker snapshot implies, with the context fields it
    recovers (``actors.fsm.infer``), so a restarted actor can carry on.
    """

    name: str
    states: tuple[str, ...]
    events: tuple[str, ...]
    initial: str
    table: Mapping[tuple[str, str], Cell]
    new_context: Callable[[str, Mapping[str, Any]], InstrumentContext]
    observe: Callable[[Any, str, Any], None] | None = None
    terminal: frozenset[str] = frozenset()
    explore: Domain | None = None
    infer: Infer | None = None


def transitions(cell: Any) -> tuple[When, ...]:
    """The ``When`` entries of a cell; none for a marker or a malformed cell, so readers of
    the table (checker, diagrams) can walk it before the checker has vouched for it."""
    if isinstance(cell, tuple | list):
        return tuple(item for item in cell if isinstance(item, When))
    return ()


class FsmError(RuntimeError):
    """A run-time table violation: an ``INVALID`` cell, or two guards true at once."""

    def __init__(self, strategy: str, state: str, event: str, reason: str) -> None:
        super().__init__(f"{strategy}: in state {state} on event {event}: {reason}")
        self.strategy, self.state, self.event, self.reason = strategy, state, event, reason


class Step(NamedTuple):
    """A tuple, not a frozen dataclass: one is made per event, and a frozen dataclass's
    constructor costs several times more."""

    state: str
    intents: tuple[Intent, ...]
    fired: When | None


_NO_INTENTS: tuple[Intent, ...] = ()


def step(strategy: Strategy, state: str, event_kind: str, event: Any, context: Any) -> Step:
    """Apply one event; the state is unchanged (and an error raised) on a violation."""
    if strategy.observe is not None:
        strategy.observe(context, event_kind, event)
    cell = strategy.table.get((state, event_kind))
    if cell is IGNORE:
        return Step(state, _NO_INTENTS, None)
    if cell is None or cell is INVALID:
        reason = "declared invalid" if cell is INVALID else "no cell declared"
        raise FsmError(strategy.name, state, event_kind, f"{reason} (event data: {event!r})")
    chosen = _choose(strategy, state, event_kind, cell, event, context)  # type: ignore[arg-type]
    if chosen is None:
        return Step(state, _NO_INTENTS, None)
    intents = chosen.action(context, event) if chosen.action is not None else None
    return Step(chosen.target, tuple(intents) if intents else _NO_INTENTS, chosen)


def _choose(
    strategy: Strategy,
    state: str,
    event_kind: str,
    transitions: tuple[When, ...],
    event: Any,
    context: Any,
) -> When | None:
    chosen: When | None = None
    for transition in transitions:
        if transition.guard is None:
            return chosen if chosen is not None else transition
        if transition.guard(context, event):
            if chosen is not None:
                raise FsmError(
                    strategy.name,
                    state,
                    event_kind,
                    f"guards {_name(chosen.guard)} and {_name(transition.guard)} are both true",
                )
            chosen = transition
    return chosen


def _name(function: Callable[..., Any] | None) -> str:
    return getattr(function, "__name__", repr(function))

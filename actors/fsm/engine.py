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

from tradeswarm.actors.fsm.errors import StrategyError, raised, user_frame
from tradeswarm.actors.fsm.intents import Intent, Submit, intent_problem
from tradeswarm.messages import TradingState

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
class Walks:
    """How the checker explores a strategy by driving it (``actors.fsm.driver``): with
    these parameters (small windows warm quickly), bars whose closes are drawn from
    ``closes`` (few values, so ties and boundaries come up) with a high-low ``spread``,
    ``walks`` random walks of ``steps`` events each."""

    params: Mapping[str, Any] = field(default_factory=dict)
    closes: tuple[float, ...] = (99.0, 100.0, 101.0)
    spread: tuple[float, ...] = (0.0, 1.0)
    walks: int = 40
    steps: int = 120


@dataclass(frozen=True)
class Strategy:
    """A declarative strategy; ``actors.fsm.build.strategy`` makes one from what an author
    writes, deriving the rest.

    ``observe`` updates indicators from every event before the table is consulted: it
    is bookkeeping, not a decision, so it lives outside the table. ``holds`` declares the
    broker facts of each state (``actors.fsm.holds``), from which inference is derived;
    ``infer(snapshot, symbol)`` overrides it. ``explore`` is a hand-written input domain
    to sample, ``walks`` how to drive the table for the checker. ``derived`` lists the
    cells the engine filled in (shown as such by ``tradeswarm check --table``).
    ``reads_portfolio``: actions read the broker's cash and equity, so the instrument
    decides on a bar only once the broker has matched it.
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
    holds: Mapping[str, Any] = field(default_factory=dict)
    derived: frozenset[tuple[str, str]] = frozenset()
    walks: Walks | None = None
    reads_portfolio: bool = False
    warmup: Callable[[Any], int] | None = None  # bars of history to rebuild the indicators


def transitions(cell: Any) -> tuple[When, ...]:
    """The ``When`` entries of a cell; none for a marker or a malformed cell, so readers of
    the table (checker, diagrams) can walk it before the checker has vouched for it."""
    if isinstance(cell, tuple | list):
        return tuple(item for item in cell if isinstance(item, When))
    return ()


class FsmError(RuntimeError):
    """A run-time table violation: an ``INVALID`` cell, or two guards true at once."""

    def __init__(
        self, strategy: str, state: str, event: str, reason: str, *, overlap: bool = False
    ) -> None:
        super().__init__(f"{strategy}: in state {state} on event {event}: {reason}")
        self.strategy, self.state, self.event, self.reason = strategy, state, event, reason
        self.overlap = overlap  # two guards true; otherwise the cell forbids the event


class Step(NamedTuple):
    """A tuple, not a frozen dataclass: one is made per event, and a frozen dataclass's
    constructor costs several times more."""

    state: str
    intents: tuple[Intent, ...]
    fired: When | None


_NO_INTENTS: tuple[Intent, ...] = ()


def step(strategy: Strategy, state: str, event_kind: str, event: Any, context: Any) -> Step:
    """Apply one event; the state is unchanged (and an error raised) on a violation.

    ``FsmError``: the table forbids the input (an ``INVALID`` cell, two guards true).
    ``StrategyError``: the strategy's own code raised, or an action returned something
    that is not a list of intents."""
    if strategy.observe is not None:
        try:
            strategy.observe(context, event_kind, event)
        except Exception as error:
            raise _user_error(strategy, context, state, event_kind, "observe", error) from error
    cell = strategy.table.get((state, event_kind))
    if cell is IGNORE:
        return Step(state, _NO_INTENTS, None)
    if cell is None or cell is INVALID:
        reason = "declared invalid" if cell is INVALID else "no cell declared"
        raise FsmError(strategy.name, state, event_kind, f"{reason} (event data: {event!r})")
    chosen = _choose(strategy, state, event_kind, cell, event, context)  # type: ignore[arg-type]
    if chosen is None:
        return Step(state, _NO_INTENTS, None)
    if chosen.action is None:
        return Step(chosen.target, _NO_INTENTS, chosen)
    role = f"action {_name(chosen.action)}"
    try:
        returned = chosen.action(context, event)
    except Exception as error:
        raise _user_error(strategy, context, state, event_kind, role, error) from error
    return Step(
        chosen.target, _checked(strategy, context, state, event_kind, role, returned), chosen
    )


def _checked(
    strategy: Strategy, context: Any, state: str, event_kind: str, role: str, returned: Any
) -> tuple[Intent, ...]:
    problem = intent_problem(returned)
    if problem is not None:
        raise _bad_return(strategy, context, state, event_kind, role, problem)
    return tuple(returned or ())


def _bad_return(
    strategy: Strategy, context: Any, state: str, event_kind: str, role: str, problem: str
) -> StrategyError:
    return StrategyError(strategy.name, _symbol(context), state, event_kind, role, problem)


def _user_error(
    strategy: Strategy, context: Any, state: str, event_kind: str, role: str, error: Exception
) -> StrategyError:
    if isinstance(error, StrategyError):
        return error
    where = user_frame(error.__traceback__)
    return StrategyError(
        strategy.name, _symbol(context), state, event_kind, role, raised(error), where
    )


def _symbol(context: Any) -> str:
    return str(getattr(context, "symbol", "?"))


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
        try:
            true = transition.guard(context, event)
        except Exception as error:
            role = f"guard {_name(transition.guard)}"
            raise _user_error(strategy, context, state, event_kind, role, error) from error
        if true:
            if chosen is not None:
                raise FsmError(
                    strategy.name,
                    state,
                    event_kind,
                    f"guards {_name(chosen.guard)} and {_name(transition.guard)} are both true",
                    overlap=True,
                )
            chosen = transition
    return chosen


def _name(function: Callable[..., Any] | None) -> str:
    return getattr(function, "__name__", repr(function))

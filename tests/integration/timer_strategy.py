"""A test table driven by timers alone: buy on one timer, sell on the next."""

from __future__ import annotations

import random
from typing import Any

from tradeswarm.actors.fsm.engine import (
    BAR,
    CANCELLED,
    END_OF_DAY,
    FILLED,
    IGNORE,
    INVALID,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_CLOSE,
    SESSION_OPEN,
    STANDARD_EVENTS,
    TIMER,
    Domain,
    Strategy,
    When,
)
from tradeswarm.messages import SessionEvent, SessionEventKind
from tradeswarm.scenarios.strategies.sma_crossover import (
    ENTRY_PENDING,
    EXIT_PENDING,
    FLAT,
    LONG,
    holds_position,
    infer,
    new_context,
    sample_bar,
    sample_context,
    submit_buy,
    submit_sell,
)


def sample_timer(rng: random.Random, context: Any) -> SessionEvent:
    return SessionEvent(kind=SessionEventKind.TIMER, ts_ns=0, session="2024-07-01")


_QUIET = {BAR: IGNORE, SESSION_OPEN: IGNORE, SESSION_CLOSE: IGNORE, END_OF_DAY: IGNORE}
_NO_ORDER = {FILLED: INVALID, PARTIALLY_FILLED: INVALID, CANCELLED: INVALID, REJECTED: INVALID}


def _cells(state: str, cells: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(state, event): cell for event, cell in {**_QUIET, **cells}.items()}


def _pending(state: str, filled: str, undone: str) -> dict[tuple[str, str], Any]:
    back = (When(LONG, holds_position), When(FLAT))
    return _cells(
        state,
        {
            TIMER: IGNORE,
            FILLED: (When(filled),),
            PARTIALLY_FILLED: (When(state),),
            CANCELLED: back,
            REJECTED: back,
        },
    )


TABLE = {
    **_cells(FLAT, {TIMER: (When(ENTRY_PENDING, action=submit_buy),), **_NO_ORDER}),
    **_cells(LONG, {TIMER: (When(EXIT_PENDING, action=submit_sell),), **_NO_ORDER}),
    **_pending(ENTRY_PENDING, LONG, FLAT),
    **_pending(EXIT_PENDING, FLAT, LONG),
}

TIMED = Strategy(
    name="timed",
    states=(FLAT, ENTRY_PENDING, LONG, EXIT_PENDING),
    events=(*STANDARD_EVENTS, TIMER),
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    explore=Domain(context=sample_context, events={BAR: sample_bar, TIMER: sample_timer}),
    infer=infer,
)

"""Long/short on the SMA regime: long while the fast average is above the slow one, short
while it is below, flipping the position in one order (sell twice the quantity to go from
long to short).

It shares the indicator bookkeeping of ``sma_crossover``; only the table differs.
"""

from __future__ import annotations

import random
from typing import Any

from actors.fsm import (
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
    Domain,
    Strategy,
    Submit,
    When,
)
from actors.fsm_infer import InferenceError, instrument_fields
from messages import Bar, Side, TradingState
from scenarios.strategies.sma_crossover import (
    SmaContext,
    fast_above_slow,
    fast_below_slow,
    new_context,
    observe,
    sample_bar,
)

FLAT = "FLAT"
LONG_PENDING = "LONG_PENDING"
LONG = "LONG"
SHORT_PENDING = "SHORT_PENDING"
SHORT = "SHORT"


def is_long(context: SmaContext, event: Any) -> bool:
    return context.position > 0


def is_short(context: SmaContext, event: Any) -> bool:
    return context.position < 0


def buy_to_long(context: SmaContext, bar: Bar) -> list[Submit]:
    """From flat or short: one buy that covers the short and opens the long."""
    return [Submit(side=Side.BUY, quantity=context.quantity - context.position)]


def sell_to_short(context: SmaContext, bar: Bar) -> list[Submit]:
    """From flat or long: one sell that closes the long and opens the short."""
    return [Submit(side=Side.SELL, quantity=context.quantity + context.position)]


_SESSION = {SESSION_OPEN: IGNORE, SESSION_CLOSE: IGNORE, END_OF_DAY: IGNORE}
_NO_ORDER_OPEN = {FILLED: INVALID, PARTIALLY_FILLED: INVALID, CANCELLED: INVALID, REJECTED: INVALID}
_BY_POSITION = (When(LONG, is_long), When(SHORT, is_short), When(FLAT))


def _resting(state: str, bar: tuple[When, ...]) -> dict[tuple[str, str], Any]:
    cells = {**_SESSION, **_NO_ORDER_OPEN, BAR: bar}
    return {(state, event): cell for event, cell in cells.items()}


def _pending(state: str, filled: str) -> dict[tuple[str, str], Any]:
    cells = {
        **_SESSION,
        BAR: IGNORE,
        FILLED: (When(filled),),
        PARTIALLY_FILLED: (When(state),),
        CANCELLED: _BY_POSITION,
        REJECTED: _BY_POSITION,
    }
    return {(state, event): cell for event, cell in cells.items()}


TABLE = {
    **_resting(
        FLAT,
        (
            When(LONG_PENDING, fast_above_slow, buy_to_long),
            When(SHORT_PENDING, fast_below_slow, sell_to_short),
            When(FLAT),
        ),
    ),
    **_resting(LONG, (When(SHORT_PENDING, fast_below_slow, sell_to_short), When(LONG))),
    **_resting(SHORT, (When(LONG_PENDING, fast_above_slow, buy_to_long), When(SHORT))),
    **_pending(LONG_PENDING, LONG),
    **_pending(SHORT_PENDING, SHORT),
}


def infer(snapshot: TradingState, symbol: str) -> tuple[str, dict[str, Any]]:
    """An open buy is LONG_PENDING, an open sell SHORT_PENDING; else the sign of the
    position names the state."""
    fields = instrument_fields(snapshot, symbol)
    position, orders = fields["position"], list(fields["open_orders"].values())
    if len(orders) > 1:
        raise InferenceError(f"{symbol}: {len(orders)} open orders; long_short keeps one")
    if orders:
        return (LONG_PENDING if orders[0].side is Side.BUY else SHORT_PENDING), fields
    if position > 0:
        return LONG, fields
    return (SHORT if position < 0 else FLAT), fields


def sample_context(rng: random.Random, state: str) -> SmaContext:
    """A context long_short can hold in ``state``, with partial fills behind pending states."""
    fast = rng.randint(1, 3)
    context = new_context("SYM", {"fast": fast, "slow": fast + rng.randint(1, 3)})
    for _ in range(rng.randint(0, context.slow + 2)):
        observe(context, BAR, sample_bar(rng, context))
    held = context.quantity * rng.choice((1.0, 0.5))
    if state == LONG:
        context.position = held
    elif state == SHORT:
        context.position = -held
    elif state in (LONG_PENDING, SHORT_PENDING):
        context.position = rng.choice((0.0, held, -held))
        side = Side.BUY if state == LONG_PENDING else Side.SELL
        context.open_orders["SYM-1"] = Submit(side=side, quantity=context.quantity * 2)
    elif state != FLAT:
        raise ValueError(f"long_short has no state {state!r}")
    return context


STRATEGY = Strategy(
    name="long_short",
    states=(FLAT, LONG_PENDING, LONG, SHORT_PENDING, SHORT),
    events=STANDARD_EVENTS,
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    observe=observe,
    explore=Domain(context=sample_context, events={BAR: sample_bar}),
    infer=infer,
)

"""Long/short on the SMA regime: long while the fast average is above the slow one, short
while it is below, flipping the position in one order (sell twice the quantity to go from
long to short), and flat when the two averages agree.

It shares the indicator bookkeeping of ``sma_crossover``; only the table differs. An open
order that would bring the position exactly to zero is a flattening order; any other buy
or sell is an entry or a flip: that is how ``infer`` tells the pending states apart.
"""

from __future__ import annotations

import random
from typing import Any

from tradeswarm.actors.fsm.engine import (
    BAR,
    BROKER_EVENTS,
    CANCELLED,
    FILLED,
    IGNORE,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_EVENTS,
    STANDARD_EVENTS,
    Cell,
    Domain,
    InstrumentContext,
    Strategy,
    When,
    row,
)
from tradeswarm.actors.fsm.infer import InferenceError, instrument_fields
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.messages import Bar, Side, TradingState
from tradeswarm.scenarios.strategies.sma_crossover import (
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
FLATTEN_PENDING = "FLATTEN_PENDING"


def is_long(context: SmaContext, event: Any) -> bool:
    return context.position > 0


def is_short(context: SmaContext, event: Any) -> bool:
    return context.position < 0


def averages_agree(context: SmaContext, bar: Bar) -> bool:
    return context.averages_ready() and (
        context.fast_sum * context.slow == context.slow_sum * context.fast
    )


def close_position(context: SmaContext, bar: Bar) -> list[Submit]:
    side = Side.SELL if context.position > 0 else Side.BUY
    return [Submit(side=side, quantity=abs(context.position))]


def buy_to_long(context: SmaContext, bar: Bar) -> list[Submit]:
    """From flat or short: one buy that covers the short and opens the long."""
    return [Submit(side=Side.BUY, quantity=context.quantity - context.position)]


def sell_to_short(context: SmaContext, bar: Bar) -> list[Submit]:
    """From flat or long: one sell that closes the long and opens the short."""
    return [Submit(side=Side.SELL, quantity=context.quantity + context.position)]


_BY_POSITION = (When(LONG, is_long), When(SHORT, is_short), When(FLAT))


def _resting(state: str, bar: tuple[When, ...]) -> dict[tuple[str, str], Any]:
    return row(state, {BAR: bar}, ignore=SESSION_EVENTS, invalid=BROKER_EVENTS)


def _pending(state: str, filled: str) -> dict[tuple[str, str], Any]:
    cells: dict[str, Cell] = {
        BAR: IGNORE,
        FILLED: (When(filled),),
        PARTIALLY_FILLED: (When(state),),
        CANCELLED: _BY_POSITION,
        REJECTED: _BY_POSITION,
    }
    return row(state, cells, ignore=SESSION_EVENTS)


TABLE = {
    **_resting(
        FLAT,
        (
            When(LONG_PENDING, fast_above_slow, buy_to_long),
            When(SHORT_PENDING, fast_below_slow, sell_to_short),
            When(FLAT),
        ),
    ),
    **_resting(
        LONG,
        (
            When(SHORT_PENDING, fast_below_slow, sell_to_short),
            When(FLATTEN_PENDING, averages_agree, close_position),
            When(LONG),
        ),
    ),
    **_resting(
        SHORT,
        (
            When(LONG_PENDING, fast_above_slow, buy_to_long),
            When(FLATTEN_PENDING, averages_agree, close_position),
            When(SHORT),
        ),
    ),
    **_pending(LONG_PENDING, LONG),
    **_pending(SHORT_PENDING, SHORT),
    **_pending(FLATTEN_PENDING, FLAT),
}


def infer(snapshot: TradingState, symbol: str) -> tuple[str, dict[str, Any]]:
    """An open order that brings the position to zero is FLATTEN_PENDING; another open buy
    is LONG_PENDING, another sell SHORT_PENDING; with no order the sign of the position
    names the state."""
    fields = instrument_fields(snapshot, symbol)
    position, orders = fields["position"], list(fields["open_orders"].values())
    if len(orders) > 1:
        raise InferenceError(f"{symbol}: {len(orders)} open orders; this table keeps one")
    if orders:
        order = orders[0]
        signed = order.quantity if order.side is Side.BUY else -order.quantity
        if position != 0 and position + signed == 0:
            return FLATTEN_PENDING, fields
        return (LONG_PENDING if order.side is Side.BUY else SHORT_PENDING), fields
    if position > 0:
        return LONG, fields
    return (SHORT if position < 0 else FLAT), fields


def sample_context(rng: random.Random, state: str) -> SmaContext:
    """A context long_short can hold in ``state``, with partial fills behind pending states."""
    fast = rng.randint(1, 3)
    context = new_context("SYM", {"fast": fast, "slow": fast + rng.randint(1, 3)})
    for _ in range(rng.randint(0, context.slow + 2)):
        observe(context, BAR, sample_bar(rng, context))
    place_position(rng, context, state)
    return context


def place_position(rng: random.Random, context: InstrumentContext, state: str) -> None:
    """The position and open order a long/flat/short table holds in ``state``; shared with
    every table built on these states (``pairs``)."""
    quantity = getattr(context, "quantity", 100.0)
    held = quantity * rng.choice((1.0, 0.5))
    if state == LONG:
        context.position = held
    elif state == SHORT:
        context.position = -held
    elif state == FLATTEN_PENDING:
        context.position = rng.choice((held, -held))
        side = Side.SELL if context.position > 0 else Side.BUY
        context.open_orders["SYM-1"] = Submit(side=side, quantity=held)
    elif state in (LONG_PENDING, SHORT_PENDING):
        buying = state == LONG_PENDING
        # what is left of an entry or a flip: more than the position it moves away from
        context.position = rng.choice((0.0, -held, held) if buying else (0.0, held, -held))
        left = quantity + (-context.position if buying else context.position)
        if left <= 0 or left == abs(context.position):
            context.position, left = 0.0, quantity
        side = Side.BUY if buying else Side.SELL
        context.open_orders["SYM-1"] = Submit(side=side, quantity=left)
    elif state != FLAT:
        raise ValueError(f"no state {state!r} among long, short and flat")


STRATEGY = Strategy(
    name="long_short",
    states=(FLAT, LONG_PENDING, LONG, SHORT_PENDING, SHORT, FLATTEN_PENDING),
    events=STANDARD_EVENTS,
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    observe=observe,
    explore=Domain(context=sample_context, events={BAR: sample_bar}),
    infer=infer,
)

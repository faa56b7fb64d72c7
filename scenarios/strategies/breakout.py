"""Channel breakout with a protective GTC stop.

Enter with a DAY limit buy a little above the close when the close breaks above the
highest high of the last ``lookback`` bars (it expires if the next session never trades
at the limit). Once filled, protect the position at once with a GTC sell stop
``stop_fraction`` below the fill. Leave when the close breaks below the lowest low of the
channel: cancel the stop and sell at the market in the same decision, so the position is
never both unprotected and unsold.

``infer`` reads the orders: an open buy is ENTRY_PENDING, a lone sell stop PROTECTED, an
open market sell EXITING.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    Domain,
    InstrumentContext,
    Strategy,
    When,
    row,
)
from tradeswarm.actors.fsm.infer import InferenceError, instrument_fields
from tradeswarm.actors.fsm.intents import Cancel, Intent, Submit
from tradeswarm.messages import Bar, Fill, OrderType, Side, TimeInForce, TradingState

FLAT = "FLAT"
ENTRY_PENDING = "ENTRY_PENDING"
PROTECTED = "PROTECTED"
EXITING = "EXITING"


@dataclass(slots=True)
class BreakoutContext(InstrumentContext):
    lookback: int = 20
    stop_fraction: float = 0.05  # the stop sits this fraction below the entry fill
    reach: float = 0.005  # the entry limit sits this fraction above the close
    quantity: float = 100.0
    highs: deque[float] = field(default_factory=deque)
    lows: deque[float] = field(default_factory=deque)
    channel_high: float | None = None  # of the bars before the current one
    channel_low: float | None = None
    close: float = 0.0
    entry_price: float = 0.0


def new_context(symbol: str, params: Mapping[str, Any]) -> BreakoutContext:
    lookback, stop = int(params.get("lookback", 20)), float(params.get("stop_fraction", 0.05))
    if lookback < 1 or not 0 < stop < 1:
        raise ValueError(
            f"breakout needs lookback >= 1 and 0 < stop_fraction < 1, got {lookback}, {stop}"
        )
    return BreakoutContext(
        symbol=symbol,
        lookback=lookback,
        stop_fraction=stop,
        reach=float(params.get("reach", 0.005)),
        quantity=float(params.get("quantity", 100)),
    )


def observe(context: BreakoutContext, event_kind: str, event: Any) -> None:
    """The channel of the bars before this one, then this bar joins it."""
    if event_kind != BAR:
        return
    full = len(context.highs) == context.lookback
    context.channel_high = max(context.highs) if full else None
    context.channel_low = min(context.lows) if full else None
    context.close = event.close
    context.highs.append(event.high)
    context.lows.append(event.low)
    if len(context.highs) > context.lookback:
        context.highs.popleft()
        context.lows.popleft()


def breaks_out(context: BreakoutContext, bar: Bar) -> bool:
    return context.channel_high is not None and context.close > context.channel_high


def breaks_down(context: BreakoutContext, bar: Bar) -> bool:
    return context.channel_low is not None and context.close < context.channel_low


def holds_position(context: BreakoutContext, event: Any) -> bool:
    return context.position > 0


def an_order_is_open(context: BreakoutContext, event: Any) -> bool:
    return bool(context.open_orders)


def holds_an_unprotected_position(context: BreakoutContext, event: Any) -> bool:
    return context.position > 0 and not context.open_orders


def bid_above(context: BreakoutContext, bar: Bar) -> list[Intent]:
    price = round(context.close * (1 + context.reach), 2)
    return [
        Submit(
            side=Side.BUY,
            quantity=context.quantity,
            order_type=OrderType.LIMIT,
            limit_price=price,
            time_in_force=TimeInForce.DAY,
        )
    ]


def place_stop(context: BreakoutContext, event: Any) -> list[Intent]:
    if isinstance(event, Fill):
        context.entry_price = event.price
    reference = context.entry_price or context.close
    stop = max(round(reference * (1 - context.stop_fraction), 2), 0.01)
    return [
        Submit(
            side=Side.SELL,
            quantity=context.position,
            order_type=OrderType.STOP,
            stop_price=stop,
            time_in_force=TimeInForce.GTC,
        )
    ]


def cancel_stop_and_sell(context: BreakoutContext, bar: Bar) -> list[Intent]:
    cancels: list[Intent] = [Cancel(client_order_id) for client_order_id in context.open_orders]
    return [*cancels, Submit(side=Side.SELL, quantity=context.position)]


def sell_position(context: BreakoutContext, event: Any) -> list[Intent]:
    return [Submit(side=Side.SELL, quantity=context.position)]


# An order ended: another still open keeps the state; a bare position gets its stop back.
_AFTER_AN_ORDER_ENDED = (
    When(EXITING, an_order_is_open),
    When(PROTECTED, holds_an_unprotected_position, place_stop),
    When(FLAT),
)


def _cells(state: str, cells: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return row(state, cells, ignore=SESSION_EVENTS)


TABLE = {
    **row(
        FLAT,
        {BAR: (When(ENTRY_PENDING, breaks_out, bid_above), When(FLAT))},
        ignore=SESSION_EVENTS,
        invalid=BROKER_EVENTS,
    ),
    **_cells(
        ENTRY_PENDING,
        {
            BAR: IGNORE,
            FILLED: (When(PROTECTED, action=place_stop),),
            PARTIALLY_FILLED: (When(ENTRY_PENDING),),
            CANCELLED: (When(PROTECTED, holds_position, place_stop), When(FLAT)),
            REJECTED: (When(FLAT),),
        },
    ),
    **_cells(
        PROTECTED,
        {
            BAR: (When(EXITING, breaks_down, cancel_stop_and_sell), When(PROTECTED)),
            FILLED: (When(FLAT),),  # the stop was hit
            PARTIALLY_FILLED: (When(PROTECTED),),
            CANCELLED: (When(PROTECTED, holds_position, place_stop), When(FLAT)),
            REJECTED: (When(EXITING, holds_position, sell_position), When(FLAT)),
        },
    ),
    **_cells(
        EXITING,
        {
            BAR: IGNORE,
            FILLED: (When(EXITING, an_order_is_open), When(FLAT)),
            PARTIALLY_FILLED: (When(EXITING),),
            CANCELLED: _AFTER_AN_ORDER_ENDED,
            REJECTED: _AFTER_AN_ORDER_ENDED,
        },
    ),
}


def infer(snapshot: TradingState, symbol: str) -> tuple[str, dict[str, Any]]:
    fields = instrument_fields(snapshot, symbol)
    position, orders = fields["position"], list(fields["open_orders"].values())
    if position < 0:
        raise InferenceError(f"{symbol}: short {-position:g}; breakout is long only")
    buys = [order for order in orders if order.side is Side.BUY]
    market_sells = [o for o in orders if o.side is Side.SELL and o.order_type is OrderType.MARKET]
    stops = [o for o in orders if o.side is Side.SELL and o.order_type is OrderType.STOP]
    if buys:
        if len(orders) > 1:
            raise InferenceError(f"{symbol}: a buy open beside other orders")
        return ENTRY_PENDING, fields
    if market_sells:
        return EXITING, fields
    if stops and position > 0:
        return PROTECTED, fields
    if orders or position > 0:
        raise InferenceError(f"{symbol}: a position without its stop, or a stray order")
    return FLAT, fields


def sample_bar(rng: random.Random, context: BreakoutContext) -> Bar:
    close = rng.choice((97.0, 100.0, 103.0))
    spread = rng.choice((0.0, 1.0))
    return Bar(
        symbol=context.symbol,
        ts_ns=0,
        open=close,
        high=close + spread,
        low=close - spread,
        close=close,
        volume=1e3,
    )


def sample_context(rng: random.Random, state: str) -> BreakoutContext:
    context = new_context("SYM", {"lookback": rng.randint(1, 3)})
    for _ in range(rng.randint(0, context.lookback + 2)):
        observe(context, BAR, sample_bar(rng, context))
    held = context.quantity * rng.choice((1.0, 0.5))
    stop = Submit(Side.SELL, held, OrderType.STOP, stop_price=95.0)
    if state == ENTRY_PENDING:
        context.position = context.quantity - held
        context.open_orders["SYM-1"] = Submit(Side.BUY, held, OrderType.LIMIT, limit_price=101.0)
    elif state == PROTECTED:
        context.position = held
        context.open_orders["SYM-2"] = stop
    elif state == EXITING:
        context.position = held
        if rng.random() < 0.5:
            context.open_orders["SYM-2"] = stop
        context.open_orders["SYM-3"] = Submit(Side.SELL, held)
    elif state != FLAT:
        raise ValueError(f"breakout has no state {state!r}")
    return context


STRATEGY = Strategy(
    name="breakout",
    states=(FLAT, ENTRY_PENDING, PROTECTED, EXITING),
    events=STANDARD_EVENTS,
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    observe=observe,
    explore=Domain(context=sample_context, events={BAR: sample_bar}),
    infer=infer,
)

"""Strategy tables the integration tests run as a user's own table (``module:attribute``).

``SESSION_ORDERS`` exercises the broker's session rules: at every session's open it bids
a DAY limit far below the market (it never trades, so it expires at the close: a cancel
with reason ``end_of_day``), and at every session's close it buys at the market (decided
in the session's last minute, so the broker acknowledges and cancels it at once with
reason ``last_minute``; with ``resubmit_next_session`` it comes back at the next open).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
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
    Domain,
    InstrumentContext,
    Strategy,
    When,
)
from tradeswarm.actors.fsm.infer import instrument_fields
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.messages import Bar, OrderType, Side, TimeInForce, TradingState

IDLE = "IDLE"  # no order open
WORKING = "WORKING"  # at least one order open


@dataclass(slots=True)
class SessionOrdersContext(InstrumentContext):
    bid_price: float = 1.0  # the DAY limit's price: far below any synthetic price
    quantity: float = 10.0


def new_context(symbol: str, params: Mapping[str, Any]) -> SessionOrdersContext:
    bid_price, quantity = float(params.get("bid_price", 1.0)), float(params.get("quantity", 10))
    if bid_price <= 0 or quantity <= 0:
        raise ValueError(f"session_orders needs bid_price > 0 and quantity > 0, got {params}")
    return SessionOrdersContext(symbol=symbol, bid_price=bid_price, quantity=quantity)


def an_order_is_open(context: SessionOrdersContext, event: Any) -> bool:
    return bool(context.open_orders)


def bid_far_below(context: SessionOrdersContext, event: Any) -> list[Submit]:
    return [
        Submit(
            side=Side.BUY,
            quantity=context.quantity,
            order_type=OrderType.LIMIT,
            limit_price=context.bid_price,
            time_in_force=TimeInForce.DAY,
        )
    ]


def buy_at_market(context: SessionOrdersContext, event: Any) -> list[Submit]:
    return [Submit(side=Side.BUY, quantity=context.quantity)]


_ORDER_ENDED = (When(WORKING, an_order_is_open), When(IDLE))
_SESSIONS = {
    SESSION_OPEN: (When(WORKING, action=bid_far_below),),
    SESSION_CLOSE: (When(WORKING, action=buy_at_market),),
    END_OF_DAY: IGNORE,
}

TABLE = {
    **{
        (IDLE, event): cell
        for event, cell in {
            BAR: IGNORE,
            FILLED: INVALID,
            PARTIALLY_FILLED: INVALID,
            CANCELLED: INVALID,
            REJECTED: INVALID,
            **_SESSIONS,
        }.items()
    },
    **{
        (WORKING, event): cell
        for event, cell in {
            BAR: IGNORE,
            FILLED: _ORDER_ENDED,
            PARTIALLY_FILLED: (When(WORKING),),
            CANCELLED: _ORDER_ENDED,
            REJECTED: _ORDER_ENDED,
            **_SESSIONS,
        }.items()
    },
}


def infer(snapshot: TradingState, symbol: str) -> tuple[str, dict[str, Any]]:
    """Any open order is WORKING; none is IDLE, whatever the position."""
    fields = instrument_fields(snapshot, symbol)
    return (WORKING if fields["open_orders"] else IDLE), fields


def sample_bar(rng: random.Random, context: SessionOrdersContext) -> Bar:
    close = rng.choice((95.0, 100.0, 105.0))
    return Bar(
        symbol=context.symbol, ts_ns=0, open=close, high=close, low=close, close=close, volume=1e4
    )


def sample_context(rng: random.Random, state: str) -> SessionOrdersContext:
    context = new_context("SYM", {})
    context.position = context.quantity * rng.randint(0, 3)
    if state == WORKING:
        bid = bid_far_below(context, None)[0]
        market = buy_at_market(context, None)[0]
        orders = rng.choice(((bid,), (market,), (bid, market)))
        for index, order in enumerate(orders, start=1):
            context.open_orders[f"SYM-{index}"] = order
    elif state != IDLE:
        raise ValueError(f"session_orders has no state {state!r}")
    return context


SESSION_ORDERS = Strategy(
    name="session_orders",
    states=(IDLE, WORKING),
    events=STANDARD_EVENTS,
    initial=IDLE,
    table=TABLE,
    new_context=new_context,
    explore=Domain(context=sample_context, events={BAR: sample_bar}),
    infer=infer,
)

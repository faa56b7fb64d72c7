"""Mean reversion with DAY limit orders: bid below the close when the price has fallen a
band below its moving average, offer at the average once it has recovered.

A DAY order that has not traded by the session's end expires (``cancelled`` with reason
``end_of_day``); the table goes back to where it was, and the next bar that still shows
the signal submits it again. Expiry and re-submission are the point of this strategy.
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
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.messages import Bar, OrderType, Side, TimeInForce, TradingState

FLAT = "FLAT"
ENTRY_PENDING = "ENTRY_PENDING"
LONG = "LONG"
EXIT_PENDING = "EXIT_PENDING"


@dataclass(slots=True)
class ReversionContext(InstrumentContext):
    window: int = 20
    band: float = 0.02  # how far below the average counts as oversold, a fraction
    offset: float = 0.002  # how far below the close the entry bid sits, a fraction
    quantity: float = 100.0
    closes: deque[float] = field(default_factory=deque)
    total: float = 0.0
    close: float = 0.0

    def mean(self) -> float | None:
        return self.total / self.window if len(self.closes) == self.window else None


def new_context(symbol: str, params: Mapping[str, Any]) -> ReversionContext:
    window, band = int(params.get("window", 20)), float(params.get("band", 0.02))
    if window < 2 or not 0 < band < 1:
        raise ValueError(f"mean_reversion needs window >= 2 and 0 < band < 1, got {window}, {band}")
    return ReversionContext(
        symbol=symbol,
        window=window,
        band=band,
        offset=float(params.get("offset", 0.002)),
        quantity=float(params.get("quantity", 100)),
    )


def observe(context: ReversionContext, event_kind: str, event: Any) -> None:
    if event_kind != BAR:
        return
    context.close = event.close
    context.closes.append(event.close)
    context.total += event.close
    if len(context.closes) > context.window:
        context.total -= context.closes.popleft()


def oversold(context: ReversionContext, bar: Bar) -> bool:
    mean = context.mean()
    return mean is not None and context.close < mean * (1 - context.band)


def recovered(context: ReversionContext, bar: Bar) -> bool:
    mean = context.mean()
    return mean is not None and context.close >= mean


def holds_position(context: ReversionContext, event: Any) -> bool:
    return context.position > 0


def bid_below(context: ReversionContext, bar: Bar) -> list[Submit]:
    price = round(context.close * (1 - context.offset), 2)
    return [_day_limit(Side.BUY, context.quantity, price)]


def offer_at_mean(context: ReversionContext, bar: Bar) -> list[Submit]:
    return [_day_limit(Side.SELL, context.position, round(context.mean() or context.close, 2))]


def _day_limit(side: Side, quantity: float, price: float) -> Submit:
    return Submit(
        side=side,
        quantity=quantity,
        order_type=OrderType.LIMIT,
        limit_price=max(price, 0.01),
        time_in_force=TimeInForce.DAY,
    )


_BACK_BY_POSITION = (When(LONG, holds_position), When(FLAT))


def _cells(state: str, cells: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return row(state, cells, ignore=SESSION_EVENTS)


def _resting(state: str, bar: tuple[When, ...]) -> dict[tuple[str, str], Any]:
    return row(state, {BAR: bar}, ignore=SESSION_EVENTS, invalid=BROKER_EVENTS)


TABLE = {
    **_resting(FLAT, (When(ENTRY_PENDING, oversold, bid_below), When(FLAT))),
    **_cells(
        ENTRY_PENDING,
        {
            BAR: IGNORE,
            FILLED: (When(LONG),),
            PARTIALLY_FILLED: (When(ENTRY_PENDING),),
            CANCELLED: _BACK_BY_POSITION,
            REJECTED: _BACK_BY_POSITION,
        },
    ),
    **_resting(LONG, (When(EXIT_PENDING, recovered, offer_at_mean), When(LONG))),
    **_cells(
        EXIT_PENDING,
        {
            BAR: IGNORE,
            FILLED: (When(FLAT),),
            PARTIALLY_FILLED: (When(EXIT_PENDING),),
            CANCELLED: _BACK_BY_POSITION,
            REJECTED: _BACK_BY_POSITION,
        },
    ),
}


def infer(snapshot: TradingState, symbol: str) -> tuple[str, dict[str, Any]]:
    """An open buy is ENTRY_PENDING, an open sell EXIT_PENDING; else LONG or FLAT."""
    fields = instrument_fields(snapshot, symbol)
    position, orders = fields["position"], list(fields["open_orders"].values())
    if len(orders) > 1:
        raise InferenceError(f"{symbol}: {len(orders)} open orders; mean_reversion keeps one")
    if position < 0:
        raise InferenceError(f"{symbol}: short {-position:g}; mean_reversion is long only")
    if orders:
        return (ENTRY_PENDING if orders[0].side is Side.BUY else EXIT_PENDING), fields
    return (LONG if position > 0 else FLAT), fields


def sample_bar(rng: random.Random, context: ReversionContext) -> Bar:
    close = rng.choice((94.0, 97.0, 100.0, 103.0))
    return Bar(
        symbol=context.symbol, ts_ns=0, open=close, high=close, low=close, close=close, volume=1e3
    )


def sample_context(rng: random.Random, state: str) -> ReversionContext:
    context = new_context("SYM", {"window": rng.randint(2, 4), "band": 0.02})
    for _ in range(rng.randint(0, context.window + 2)):
        observe(context, BAR, sample_bar(rng, context))
    held = context.quantity * rng.choice((1.0, 0.5))
    if state == ENTRY_PENDING:
        context.position = context.quantity - held
        context.open_orders["SYM-1"] = _day_limit(Side.BUY, held, 99.0)
    elif state == LONG:
        context.position = held
    elif state == EXIT_PENDING:
        context.position = held
        context.open_orders["SYM-2"] = _day_limit(Side.SELL, held, 101.0)
    elif state != FLAT:
        raise ValueError(f"mean_reversion has no state {state!r}")
    return context


STRATEGY = Strategy(
    name="mean_reversion",
    states=(FLAT, ENTRY_PENDING, LONG, EXIT_PENDING),
    events=STANDARD_EVENTS,
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    observe=observe,
    explore=Domain(context=sample_context, events={BAR: sample_bar}),
    infer=infer,
)

"""Channel breakout with a protective GTC stop.

Enter with a DAY limit buy a little above the close when the close breaks above the
highest high of the last ``lookback`` bars (it expires if the next session never trades
at the limit). Once filled, protect the position at once with a GTC sell stop
``stop_fraction`` below the fill. Leave when the close breaks below the lowest low of the
channel: cancel the stop and sell at the market in the same decision, so the position is
never both unprotected and unsold. The channel is of the bars before the current one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import Bar, Context, Fill, Intent, OrderType, TimeInForce, When

FLAT, ENTRY_PENDING, PROTECTED, EXITING = "FLAT", "ENTRY_PENDING", "PROTECTED", "EXITING"


class BreakoutParams(fsm.Params):
    lookback: int = 20
    stop_fraction: float = 0.05  # the stop sits this fraction below the entry fill
    reach: float = 0.005  # the entry limit sits this fraction above the close
    quantity: float = 100.0

    def validate(self) -> None:
        if self.lookback < 1 or not 0 < self.stop_fraction < 1 or not self.quantity > 0:
            raise ValueError(
                f"breakout needs lookback >= 1, 0 < stop_fraction < 1 and quantity > 0: {self}"
            )


@dataclass(slots=True)
class BreakoutContext(Context):
    highs: deque[float] = field(default_factory=deque)
    lows: deque[float] = field(default_factory=deque)
    channel: tuple[float, float] | None = None  # (low, high) of the bars before this one
    entry_price: float = 0.0


def observe(ctx: BreakoutContext, event_kind: str, event: Any) -> None:
    if event_kind != fsm.BAR:
        return
    full = len(ctx.highs) == ctx.params.lookback
    ctx.channel = (min(ctx.lows), max(ctx.highs)) if full else None
    ctx.highs.append(event.high)
    ctx.lows.append(event.low)
    if len(ctx.highs) > ctx.params.lookback:
        ctx.highs.popleft()
        ctx.lows.popleft()


def breaks_out(ctx: BreakoutContext, bar: Bar) -> bool:
    return ctx.channel is not None and bar.close > ctx.channel[1]


def breaks_down(ctx: BreakoutContext, bar: Bar) -> bool:
    return ctx.channel is not None and bar.close < ctx.channel[0]


def an_order_is_open(ctx: Context, event: Any) -> bool:
    return bool(ctx.open_orders)


def holds_an_unprotected_position(ctx: Context, event: Any) -> bool:
    return ctx.position > 0 and not ctx.open_orders


def bid_above(ctx: Context, bar: Bar) -> list[Intent]:
    limit = round(bar.close * (1 + ctx.params.reach), 2)
    return fsm.order(
        ctx,
        ctx.params.quantity,
        order_type=OrderType.LIMIT,
        limit_price=limit,
        time_in_force=TimeInForce.DAY,
    )


def place_stop(ctx: BreakoutContext, event: Any) -> list[Intent]:
    if isinstance(event, Fill):
        ctx.entry_price = event.price
    stop = max(round((ctx.entry_price or ctx.close) * (1 - ctx.params.stop_fraction), 2), 0.01)
    return fsm.order_target(ctx, 0, order_type=OrderType.STOP, stop_price=stop)


def cancel_stop_and_sell(ctx: Context, bar: Bar) -> list[Intent]:
    return [*(fsm.Cancel(order_id) for order_id in ctx.open_orders), *sell_position(ctx, bar)]


def sell_position(ctx: Context, event: Any) -> list[Intent]:
    return list(fsm.order_target(ctx, 0))


PROTECT = When(PROTECTED, action=place_stop)
# An order ended: another still open keeps the state; a bare position gets its stop back.
AFTER_AN_ORDER_ENDED = (
    When(EXITING, an_order_is_open),
    When(PROTECTED, holds_an_unprotected_position, place_stop),
    When(FLAT),
)
STRATEGY = fsm.strategy(
    "breakout",
    params=BreakoutParams,
    context=BreakoutContext,
    observe=observe,
    states={
        FLAT: fsm.flat(),
        ENTRY_PENDING: fsm.holds("flat", "long", orders=[fsm.buy(OrderType.LIMIT)]),
        PROTECTED: fsm.long(fsm.sell(OrderType.STOP, closes=True)),
        EXITING: fsm.long(
            fsm.sell(OrderType.MARKET, closes=True),
            fsm.sell(OrderType.STOP, optional=True, closes=True),
        ),
    },
    table={
        (FLAT, fsm.BAR): [When(ENTRY_PENDING, breaks_out, bid_above), When(FLAT)],
        **fsm.pending(ENTRY_PENDING, filled=PROTECT, flat=FLAT, long=PROTECT),
        **fsm.pending(PROTECTED, filled=FLAT, flat=FLAT, long=PROTECT),
        (PROTECTED, fsm.BAR): [When(EXITING, breaks_down, cancel_stop_and_sell), When(PROTECTED)],
        (PROTECTED, fsm.REJECTED): fsm.by_position(
            flat=FLAT, long=When(EXITING, action=sell_position)
        ),
        **fsm.cells(
            EXITING,
            bar=fsm.IGNORE,
            filled=[When(EXITING, an_order_is_open), When(FLAT)],
            partially_filled=[When(EXITING)],
            cancelled=AFTER_AN_ORDER_ENDED,
            rejected=AFTER_AN_ORDER_ENDED,
        ),
    },
    walks=fsm.Walks(params={"lookback": 2}, closes=(97.0, 100.0, 103.0)),
)

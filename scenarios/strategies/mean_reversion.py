"""Mean reversion with DAY limit orders: bid below the close when the price has fallen a
band below its moving average, offer at the average once it has recovered.

A DAY order that has not traded by the session's end expires (``cancelled`` with reason
``end_of_day``); the table goes back to where it was, and the next bar that still shows
the signal submits it again. Expiry and re-submission are the point of this strategy.
"""

from __future__ import annotations

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import Bar, Context, Intent, OrderType, TimeInForce, When

FLAT, ENTRY_PENDING, LONG, EXIT_PENDING = "FLAT", "ENTRY_PENDING", "LONG", "EXIT_PENDING"


class ReversionParams(fsm.Params):
    window: int = 20
    band: float = 0.02  # how far below the average counts as oversold, a fraction
    offset: float = 0.002  # how far below the close the entry bid sits, a fraction
    quantity: float = 100.0

    def validate(self) -> None:
        if self.window < 2 or not 0 < self.band < 1 or not self.quantity > 0:
            raise ValueError(
                f"mean_reversion needs window >= 2, 0 < band < 1 and quantity > 0, got {self}"
            )


def oversold(ctx: Context, bar: Bar) -> bool:
    mean = ctx.ind.mean.value
    return mean is not None and bar.close < mean * (1 - ctx.params.band)


def recovered(ctx: Context, bar: Bar) -> bool:
    mean = ctx.ind.mean.value
    return mean is not None and bar.close >= mean


def _day_limit(ctx: Context, shares: float, price: float) -> list[Intent]:
    limit = max(round(price, 2), 0.01)
    return fsm.order(
        ctx, shares, order_type=OrderType.LIMIT, limit_price=limit, time_in_force=TimeInForce.DAY
    )


def bid_below(ctx: Context, bar: Bar) -> list[Intent]:
    return _day_limit(ctx, ctx.params.quantity, bar.close * (1 - ctx.params.offset))


def offer_at_mean(ctx: Context, bar: Bar) -> list[Intent]:
    return _day_limit(ctx, -ctx.position, ctx.ind.mean.value or bar.close)


STRATEGY = fsm.strategy(
    "mean_reversion",
    params=ReversionParams,
    indicators=lambda p: {"mean": fsm.sma(p.window)},
    states={
        FLAT: fsm.flat(),
        ENTRY_PENDING: fsm.holds("flat", "long", orders=[fsm.buy(OrderType.LIMIT)]),
        LONG: fsm.long(),
        EXIT_PENDING: fsm.long(fsm.sell(OrderType.LIMIT, closes=True)),
    },
    table={
        (FLAT, fsm.BAR): [When(ENTRY_PENDING, oversold, bid_below), When(FLAT)],
        (LONG, fsm.BAR): [When(EXIT_PENDING, recovered, offer_at_mean), When(LONG)],
        **fsm.pending(ENTRY_PENDING, filled=LONG, flat=FLAT, long=LONG),
        **fsm.pending(EXIT_PENDING, filled=FLAT, flat=FLAT, long=LONG),
    },
    walks=fsm.Walks(params={"window": 2}, closes=(94.0, 97.0, 100.0, 103.0)),
)

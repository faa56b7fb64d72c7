"""A test table driven by timers alone: buy on one timer, sell on the next."""

from __future__ import annotations

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import Context, Intent, When

FLAT, ENTRY_PENDING, LONG, EXIT_PENDING = "FLAT", "ENTRY_PENDING", "LONG", "EXIT_PENDING"


class TimedParams(fsm.Params):
    quantity: float = 100.0
    fast: int = 10  # taken and ignored: the scenarios that run this table set them
    slow: int = 30


def buy(ctx: Context, event: object) -> list[Intent]:
    return fsm.order(ctx, ctx.params.quantity)


def sell_all(ctx: Context, event: object) -> list[Intent]:
    return fsm.order_target(ctx, 0)


TIMED = fsm.strategy(
    "timed",
    params=TimedParams,
    events=(*fsm.STANDARD_EVENTS, fsm.TIMER),
    ignore=(*fsm.SESSION_EVENTS, fsm.BAR),
    states={
        FLAT: fsm.flat(),
        ENTRY_PENDING: fsm.holds("flat", "long", orders=[fsm.buy()]),
        LONG: fsm.long(),
        EXIT_PENDING: fsm.long(fsm.sell(closes=True)),
    },
    table={
        (FLAT, fsm.TIMER): [When(ENTRY_PENDING, action=buy)],
        (LONG, fsm.TIMER): [When(EXIT_PENDING, action=sell_all)],
        (ENTRY_PENDING, fsm.TIMER): fsm.IGNORE,
        (EXIT_PENDING, fsm.TIMER): fsm.IGNORE,
        **fsm.pending(ENTRY_PENDING, filled=LONG, flat=FLAT, long=LONG),
        **fsm.pending(EXIT_PENDING, filled=FLAT, flat=FLAT, long=LONG),
    },
)

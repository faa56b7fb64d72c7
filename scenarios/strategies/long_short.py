"""Long/short on the SMA regime: long while the fast average is above the slow one, short
while it is below, flat when the two agree; a flip is one order (sell twice the quantity to
go from long to short). "Agree" allows for float noise: within 1e-9 of the slow average.

An open order that brings the position to exactly zero is a flattening order; any other
buy or sell is an entry or a flip: that is how the declarations tell the pending states
apart, after partial fills too.
"""

from __future__ import annotations

from typing import Any

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import Bar, Context, Intent, When
from tradeswarm.scenarios.strategies.sma_crossover import SmaParams

FLAT, LONG, SHORT = "FLAT", "LONG", "SHORT"
LONG_PENDING, SHORT_PENDING, FLATTEN_PENDING = "LONG_PENDING", "SHORT_PENDING", "FLATTEN_PENDING"
TOLERANCE = 1e-9


def _gap(ctx: Context) -> float | None:
    fast, slow = ctx.ind.fast, ctx.ind.slow
    return fast.value - slow.value if slow.ready else None


def fast_above_slow(ctx: Context, bar: Bar) -> bool:
    gap = _gap(ctx)
    return gap is not None and gap > TOLERANCE * abs(ctx.ind.slow.value)


def fast_below_slow(ctx: Context, bar: Bar) -> bool:
    gap = _gap(ctx)
    return gap is not None and gap < -TOLERANCE * abs(ctx.ind.slow.value)


def averages_agree(ctx: Context, bar: Bar) -> bool:
    gap = _gap(ctx)
    return gap is not None and abs(gap) <= TOLERANCE * abs(ctx.ind.slow.value)


def go_long(ctx: Context, bar: Bar) -> list[Intent]:
    return fsm.order_target(ctx, ctx.params.quantity)


def go_short(ctx: Context, bar: Bar) -> list[Intent]:
    return fsm.order_target(ctx, -ctx.params.quantity)


def go_flat(ctx: Context, bar: Bar) -> list[Intent]:
    return fsm.order_target(ctx, 0)


def _pending(state: str, filled: str) -> dict[tuple[str, str], Any]:
    return fsm.pending(state, filled=filled, flat=FLAT, long=LONG, short=SHORT)


ANY = ("flat", "long", "short")
STRATEGY = fsm.strategy(
    "long_short",
    params=SmaParams,
    indicators=lambda p: {"fast": fsm.sma(p.fast), "slow": fsm.sma(p.slow)},
    states={
        FLAT: fsm.flat(),
        LONG_PENDING: fsm.holds(*ANY, orders=[fsm.buy(closes=False)]),
        LONG: fsm.long(),
        SHORT_PENDING: fsm.holds(*ANY, orders=[fsm.sell(closes=False)]),
        SHORT: fsm.short(),
        FLATTEN_PENDING: fsm.holds("long", "short", orders=[fsm.closing()]),
    },
    table={
        (FLAT, fsm.BAR): [
            When(LONG_PENDING, fast_above_slow, go_long),
            When(SHORT_PENDING, fast_below_slow, go_short),
            When(FLAT),
        ],
        (LONG, fsm.BAR): [
            When(SHORT_PENDING, fast_below_slow, go_short),
            When(FLATTEN_PENDING, averages_agree, go_flat),
            When(LONG),
        ],
        (SHORT, fsm.BAR): [
            When(LONG_PENDING, fast_above_slow, go_long),
            When(FLATTEN_PENDING, averages_agree, go_flat),
            When(SHORT),
        ],
        **_pending(LONG_PENDING, LONG),
        **_pending(SHORT_PENDING, SHORT),
        **_pending(FLATTEN_PENDING, FLAT),
    },
    walks=fsm.Walks(params={"fast": 2, "slow": 3}),
)

"""SMA crossover, long only: buy when the fast average crosses above the slow one, sell when
it crosses below. A cross is a sign change of fast - slow against the last non-zero
difference, as backtrader's CrossOver counts it. With ``regime = true`` it trades the regime
instead: long whenever fast is above slow, which also enters on the first bar both are ready.
"""

from __future__ import annotations

from typing import Any

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import Bar, Context, Intent, When

FLAT, ENTRY_PENDING, LONG, EXIT_PENDING = "FLAT", "ENTRY_PENDING", "LONG", "EXIT_PENDING"


class SmaParams(fsm.Params):
    fast: int = 10
    slow: int = 30
    quantity: float = 100.0
    regime: bool = False

    def validate(self) -> None:
        if not 0 < self.fast < self.slow or not self.quantity > 0:
            raise ValueError(f"sma_crossover needs 0 < fast < slow and quantity > 0: {self}")


def indicators(p: SmaParams) -> dict[str, Any]:
    fast, slow = fsm.sma(p.fast), fsm.sma(p.slow)
    return {"fast": fast, "slow": slow, "cross": fsm.crossover(fast, slow)}


def crosses_up(ctx: Context, bar: Bar) -> bool:
    if ctx.params.regime:
        return ctx.ind.cross.side == 1  # fast above slow beyond float noise
    return ctx.ind.cross.value == 1


def crosses_down(ctx: Context, bar: Bar) -> bool:
    if ctx.params.regime:
        return ctx.ind.cross.side == -1
    return ctx.ind.cross.value == -1


def buy_quantity(ctx: Context, bar: Bar) -> list[Intent]:
    return fsm.order(ctx, ctx.params.quantity)


def sell_all(ctx: Context, bar: Bar) -> list[Intent]:
    return fsm.order_target(ctx, 0)


STRATEGY = fsm.strategy(
    "sma_crossover",
    params=SmaParams,
    indicators=indicators,
    states={
        FLAT: fsm.flat(),
        ENTRY_PENDING: fsm.holds("flat", "long", orders=[fsm.buy()]),
        LONG: fsm.long(),
        EXIT_PENDING: fsm.long(fsm.sell(closes=True)),
    },
    table={
        (FLAT, fsm.BAR): [When(ENTRY_PENDING, crosses_up, buy_quantity), When(FLAT)],
        (LONG, fsm.BAR): [When(EXIT_PENDING, crosses_down, sell_all), When(LONG)],
        **fsm.pending(ENTRY_PENDING, filled=LONG, flat=FLAT, long=LONG),
        **fsm.pending(EXIT_PENDING, filled=FLAT, flat=FLAT, long=LONG),
    },
    walks=fsm.Walks(params={"fast": 2, "slow": 3}),
)

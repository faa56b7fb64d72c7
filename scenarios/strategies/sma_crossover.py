"""SMA crossover, long only: buy when the fast average crosses above the slow one, sell when
it crosses below. A cross is a sign change of fast - slow against the last non-zero
difference, as backtrader's CrossOver counts it. With ``regime = true`` it trades the regime
instead: long whenever fast is above slow, which also enters on the first bar both are ready.
"""

from __future__ import annotations

from typing import Any

from tradeswarm.actors.fsm import (
    BAR,
    Bar,
    Context,
    Params,
    Submit,
    Walks,
    When,
    buy,
    crossover,
    flat,
    holds,
    long,
    order,
    order_target,
    pending,
    sell,
    sma,
    strategy,
)

FLAT, ENTRY_PENDING, LONG, EXIT_PENDING = "FLAT", "ENTRY_PENDING", "LONG", "EXIT_PENDING"


class SmaParams(Params):
    fast: int = 10
    slow: int = 30
    quantity: float = 100.0
    regime: bool = False

    def validate(self) -> None:
        if not 0 < self.fast < self.slow:
            raise ValueError(f"sma_crossover needs 0 < fast < slow, got {self.fast}, {self.slow}")


def indicators(p: SmaParams) -> dict[str, Any]:
    fast, slow = sma(p.fast), sma(p.slow)
    return {"fast": fast, "slow": slow, "cross": crossover(fast, slow)}


def crosses_up(ctx: Context, bar: Bar) -> bool:
    if ctx.params.regime:
        return ctx.ind.cross.ready and ctx.ind.fast.value > ctx.ind.slow.value
    return ctx.ind.cross.value == 1


def crosses_down(ctx: Context, bar: Bar) -> bool:
    if ctx.params.regime:
        return ctx.ind.cross.ready and ctx.ind.fast.value < ctx.ind.slow.value
    return ctx.ind.cross.value == -1


def buy_quantity(ctx: Context, bar: Bar) -> list[Submit]:
    return order(ctx, ctx.params.quantity)


def sell_all(ctx: Context, bar: Bar) -> list[Submit]:
    return order_target(ctx, 0)


STRATEGY = strategy(
    "sma_crossover",
    params=SmaParams,
    indicators=indicators,
    states={
        FLAT: flat(),
        ENTRY_PENDING: holds("flat", "long", orders=[buy()]),
        LONG: long(),
        EXIT_PENDING: long(sell(closes=True)),
    },
    table={
        (FLAT, BAR): [When(ENTRY_PENDING, crosses_up, buy_quantity), When(FLAT)],
        (LONG, BAR): [When(EXIT_PENDING, crosses_down, sell_all), When(LONG)],
        **pending(ENTRY_PENDING, filled=LONG, flat=FLAT, long=LONG),
        **pending(EXIT_PENDING, filled=FLAT, flat=FLAT, long=LONG),
    },
    walks=Walks(params={"fast": 2, "slow": 3}),
)

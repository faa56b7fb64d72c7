"""SMA crossover, long only: hold the position while the fast average is above the slow one.

The guard is the regime (``fast_above_slow``), not the crossing instant: a strategy that
missed a crossing (an order rejected, a restart) still trades the regime it is in.
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
from tradeswarm.messages import Bar, Side, TradingState

FLAT = "FLAT"
ENTRY_PENDING = "ENTRY_PENDING"
LONG = "LONG"
EXIT_PENDING = "EXIT_PENDING"


@dataclass(slots=True)
class SmaContext(InstrumentContext):
    fast: int = 10
    slow: int = 30
    quantity: float = 100.0
    window: deque[int] = field(default_factory=deque)
    fast_sum: int = 0
    slow_sum: int = 0

    def averages_ready(self) -> bool:
        return len(self.window) >= self.slow


def new_context(symbol: str, params: Mapping[str, Any]) -> SmaContext:
    fast, slow = int(params.get("fast", 10)), int(params.get("slow", 30))
    if not 0 < fast < slow:
        raise ValueError(f"sma_crossover needs 0 < fast < slow, got fast={fast} slow={slow}")
    return SmaContext(
        symbol=symbol, fast=fast, slow=slow, quantity=float(params.get("quantity", 100))
    )


def observe(context: SmaContext, event_kind: str, event: Any) -> None:
    """Keep rolling sums of closes in integer micro-dollars: O(1) per bar, and exact, so
    the comparison of the two averages never depends on rounding drift."""
    if event_kind != BAR:
        return
    close = round(event.close * 1_000_000)
    window = context.window
    window.append(close)
    context.fast_sum += close
    context.slow_sum += close
    size = len(window)
    if size > context.fast:
        context.fast_sum -= window[size - 1 - context.fast]
    if size > context.slow:
        context.slow_sum -= window.popleft()


def fast_above_slow(context: SmaContext, bar: Bar) -> bool:
    return context.averages_ready() and (
        context.fast_sum * context.slow > context.slow_sum * context.fast
    )


def fast_below_slow(context: SmaContext, bar: Bar) -> bool:
    return context.averages_ready() and (
        context.fast_sum * context.slow < context.slow_sum * context.fast
    )


def holds_position(context: SmaContext, event: Any) -> bool:
    return context.position > 0


def submit_buy(context: SmaContext, bar: Bar) -> list[Submit]:
    return [Submit(side=Side.BUY, quantity=context.quantity)]


def submit_sell(context: SmaContext, bar: Bar) -> list[Submit]:
    return [Submit(side=Side.SELL, quantity=context.position)]


def _resting(state: str, bar: tuple[When, ...]) -> dict[tuple[str, str], Any]:
    """No order open: only a bar can move it; a broker event cannot happen."""
    return row(state, {BAR: bar}, ignore=SESSION_EVENTS, invalid=BROKER_EVENTS)


def _cells(state: str, cells: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return row(state, cells, ignore=SESSION_EVENTS)


TABLE = {
    **_resting(FLAT, (When(ENTRY_PENDING, fast_above_slow, submit_buy), When(FLAT))),
    **_cells(
        ENTRY_PENDING,
        {
            BAR: IGNORE,
            FILLED: (When(LONG),),
            PARTIALLY_FILLED: (When(ENTRY_PENDING),),
            CANCELLED: (When(LONG, holds_position), When(FLAT)),
            REJECTED: (When(FLAT),),
        },
    ),
    **_resting(LONG, (When(EXIT_PENDING, fast_below_slow, submit_sell), When(LONG))),
    **_cells(
        EXIT_PENDING,
        {
            BAR: IGNORE,
            FILLED: (When(FLAT),),
            PARTIALLY_FILLED: (When(EXIT_PENDING),),
            CANCELLED: (When(LONG, holds_position), When(FLAT)),
            REJECTED: (When(LONG),),
        },
    ),
}


def infer(snapshot: TradingState, symbol: str) -> tuple[str, dict[str, Any]]:
    """The broker's facts name the state: an open buy is ENTRY_PENDING, an open sell
    EXIT_PENDING, else a position is LONG and none is FLAT. Indicators are not among the
    facts; the actor warms them from history."""
    fields = instrument_fields(snapshot, symbol)
    position, orders = fields["position"], list(fields["open_orders"].values())
    if len(orders) > 1:
        raise InferenceError(f"{symbol}: {len(orders)} open orders; sma_crossover keeps one")
    if position < 0:
        raise InferenceError(f"{symbol}: short {-position:g}; sma_crossover is long only")
    if not orders:
        return (LONG if position > 0 else FLAT), fields
    if orders[0].side is Side.BUY:
        return ENTRY_PENDING, fields
    if position <= 0:
        raise InferenceError(f"{symbol}: an open sell and no position to sell")
    return EXIT_PENDING, fields


_CLOSES = (99.0, 100.0, 101.0)  # few prices, so equal averages (the boundary) come up often


def sample_bar(rng: random.Random, context: SmaContext) -> Bar:
    close = rng.choice(_CLOSES)
    return Bar(
        symbol=context.symbol, ts_ns=0, open=close, high=close, low=close, close=close, volume=1e3
    )


def sample_context(rng: random.Random, state: str) -> SmaContext:
    """A context SMA crossover can hold in ``state``: short windows (every regime within a
    few bars), warm or not, and partial fills behind the pending states."""
    fast = rng.randint(1, 3)
    context = new_context("SYM", {"fast": fast, "slow": fast + rng.randint(1, 3)})
    for _ in range(rng.randint(0, context.slow + 2)):
        observe(context, BAR, sample_bar(rng, context))
    bought = context.quantity * rng.choice((1.0, 0.5, 0.25))
    if state == ENTRY_PENDING:
        context.position = context.quantity - bought  # 0 until a partial fill
        context.open_orders["SYM-1"] = Submit(side=Side.BUY, quantity=context.quantity)
    elif state == LONG:
        context.position = bought  # less than ordered after a partial fill and a cancel
    elif state == EXIT_PENDING:
        context.position = bought * rng.choice((1.0, 0.5))  # less once the sell part-filled
        context.open_orders["SYM-2"] = Submit(side=Side.SELL, quantity=bought)
    elif state != FLAT:
        raise ValueError(f"sma_crossover has no state {state!r}")
    return context


STRATEGY = Strategy(
    name="sma_crossover",
    states=(FLAT, ENTRY_PENDING, LONG, EXIT_PENDING),
    events=STANDARD_EVENTS,
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    observe=observe,
    explore=Domain(context=sample_context, events={BAR: sample_bar}),
    infer=infer,
)

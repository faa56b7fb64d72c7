"""SMA crossover, long only: hold the position while the fast average is above the slow one.

The guard is the regime (``fast_above_slow``), not the crossing instant: a strategy that
missed a crossing (an order rejected, a restart) still trades the regime it is in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from actors.fsm import (
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
    InstrumentContext,
    Strategy,
    Submit,
    When,
)
from messages import Bar, Side

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


_SESSION = {SESSION_OPEN: IGNORE, SESSION_CLOSE: IGNORE, END_OF_DAY: IGNORE}
_NO_ORDER_OPEN = {FILLED: INVALID, PARTIALLY_FILLED: INVALID, CANCELLED: INVALID, REJECTED: INVALID}


def _cells(state: str, cells: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(state, event): cell for event, cell in {**_SESSION, **cells}.items()}


TABLE = {
    **_cells(
        FLAT,
        {
            BAR: (When(ENTRY_PENDING, fast_above_slow, submit_buy), When(FLAT)),
            **_NO_ORDER_OPEN,
        },
    ),
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
    **_cells(
        LONG,
        {
            BAR: (When(EXIT_PENDING, fast_below_slow, submit_sell), When(LONG)),
            **_NO_ORDER_OPEN,
        },
    ),
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

STRATEGY = Strategy(
    name="sma_crossover",
    states=(FLAT, ENTRY_PENDING, LONG, EXIT_PENDING),
    events=STANDARD_EVENTS,
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    observe=observe,
)

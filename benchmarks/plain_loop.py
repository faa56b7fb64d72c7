"""The baseline: SMA(fast, slow) long-only crossover as one plain Python loop per symbol.

It follows ``scenarios/strategies/sma_crossover.py`` and the broker rule by rule, so its
number of fills must equal the swarm's on the same bars; a difference means one of the two
is wrong, which is why the benchmark checks it on every cell.

* Closes are summed as integer micro-dollars (``round(close * 1e6)``), exactly as the
  strategy's ``observe`` does, so equal averages compare equal in both.
* On bar ``i``, once ``slow`` closes are in: flat and fast crossing above slow buys
  ``quantity``; long and fast crossing below sells the whole position. A cross is a sign
  change of fast - slow against the last non-zero difference (backtrader's CrossOver).
  The order fills at bar ``i + 1``'s open, and
  that fill is applied before the decision on bar ``i + 1`` (the instrument's clock rule).
* An order decided on the last bar never fills: the broker cancels it at end of data.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from tradeswarm.actors.market.bars import BarColumns


@dataclass(frozen=True)
class PlainResult:
    bars: int
    fills: int
    final_cash: float
    seconds: float

    @property
    def bar_events_per_second(self) -> float:
        return self.bars / self.seconds if self.seconds > 0 else 0.0


def run_symbol(
    opens: list[float],
    closes: list[float],
    *,
    fast: int,
    slow: int,
    quantity: float,
) -> tuple[int, float]:
    """Fills and the cash change of one symbol over its bars."""
    window: deque[int] = deque()
    fast_sum = slow_sum = 0
    position = 0.0
    last: int | None = None  # the last non-zero fast - slow (scaled), for crossings
    pending = 0.0  # signed quantity of the order that fills at the next open; 0: none
    fills = 0
    cash = 0.0
    for open_, close in zip(opens, closes, strict=True):
        if pending:
            cash -= pending * open_
            position += pending
            pending = 0.0
            fills += 1
        micros = round(close * 1_000_000)
        window.append(micros)
        fast_sum += micros
        slow_sum += micros
        size = len(window)
        if size > fast:
            fast_sum -= window[size - 1 - fast]
        if size > slow:
            slow_sum -= window.popleft()
            size = slow
        if size < slow:
            continue
        difference = fast_sum * slow - slow_sum * fast
        up = last is not None and last < 0 < difference
        down = last is not None and last > 0 > difference
        if difference != 0 or last is None:
            last = difference
        if position == 0 and up:
            pending = quantity
        elif position > 0 and down:
            pending = -position
    return fills, cash


def run_plain(
    bars: dict[str, BarColumns],
    *,
    fast: int,
    slow: int,
    quantity: float,
    starting_cash: float,
) -> PlainResult:
    """Every symbol's loop, timed from numpy columns to the last fill.

    Turning the columns into Python floats is inside the timing, since the swarm pays for
    the same conversion; generating the bars is not, since both sides pay it alike.
    """
    started = time.perf_counter()
    fills = 0
    cash = starting_cash
    count = 0
    for columns in bars.values():
        symbol_fills, symbol_cash = run_symbol(
            columns.open.tolist(),
            columns.close.tolist(),
            fast=fast,
            slow=slow,
            quantity=quantity,
        )
        fills += symbol_fills
        cash += symbol_cash
        count += len(columns)
    return PlainResult(count, fills, cash, time.perf_counter() - started)

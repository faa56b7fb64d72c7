"""Trade statistics of a run: round trips, exposure, turnover and what the broker charged.

A round trip runs from flat to flat in one symbol: it opens with the fill that leaves a zero
position and closes with the fill that brings it back to zero. A fill that flips the
position (long 100, sell 150) closes the trip at the zero crossing and opens the next with
the rest; its commission is split pro rata to the two parts. Matching lots FIFO gives each
trip a P&L equal to the sum of its cash flows, because every lot a trip opens it also
closes, so that sum is what is computed: ``P&L = -sum(signed quantity * price) -
commissions``, net of every commission the trip paid, opening and closing. A trip still open
at the end of the data is not counted.

* Win rate is winning trips (P&L > 0) over all closed trips; a trip of exactly 0 counts in
  the denominator only. Average win and average loss are the mean P&L of the winners and of
  the losers (the latter negative), NaN when there are none.
* Exposure is the fraction of the equity curve's days that end with a non-zero position in
  some symbol: a trip opened and closed within one day does not count.
* Turnover is the run's traded notional, ``sum(|quantity| * price)``, over its average daily
  equity; it is not annualised.

Quantities within ``QUANTITY_EPSILON`` of zero are zero, so float fills that should net out
do close their trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tradeswarm.scenarios.report.metrics import by_day, to_dates

if TYPE_CHECKING:
    from tradeswarm.messages import Fill

QUANTITY_EPSILON = 1e-9


@dataclass(frozen=True)
class FillRow:
    """An execution, as the broker reported it; ``side`` is ``"buy"`` or ``"sell"``."""

    ts_ns: int
    symbol: str
    side: str
    quantity: float
    price: float
    commission: float

    @classmethod
    def from_fill(cls, fill: Fill) -> FillRow:
        return cls(
            fill.ts_ns, fill.symbol, str(fill.side), fill.quantity, fill.price, fill.commission
        )

    @property
    def signed_quantity(self) -> float:
        if self.side == "buy":
            return self.quantity
        if self.side == "sell":
            return -self.quantity
        raise ValueError(f"a fill's side is 'buy' or 'sell', got {self.side!r}")


@dataclass(frozen=True)
class RoundTrip:
    symbol: str
    opened_ns: int
    closed_ns: int
    pnl: float


@dataclass(frozen=True)
class TradeStats:
    round_trips: int
    win_rate: float
    average_win: float
    average_loss: float
    exposure: float
    turnover: float
    commissions: float


@dataclass(slots=True)
class _OpenTrip:
    opened_ns: int
    position: float
    cash: float


def round_trips(fills: Sequence[FillRow]) -> list[RoundTrip]:
    """Closed round trips in the order they closed; fills are taken in time order."""
    open_trips: dict[str, _OpenTrip] = {}
    closed: list[RoundTrip] = []
    for fill in sorted(fills, key=lambda f: f.ts_ns):
        signed = fill.signed_quantity
        trip = open_trips.get(fill.symbol)
        if trip is None:
            if abs(signed) > QUANTITY_EPSILON:
                cash = -signed * fill.price - fill.commission
                open_trips[fill.symbol] = _OpenTrip(fill.ts_ns, signed, cash)
            continue
        after = trip.position + signed
        if abs(after) > QUANTITY_EPSILON and (after > 0) == (trip.position > 0):
            trip.position = after
            trip.cash += -signed * fill.price - fill.commission
            continue
        closing = -trip.position  # the part of this fill that brings the trip to zero
        share = abs(closing) / abs(signed)
        pnl = trip.cash - closing * fill.price - fill.commission * share
        closed.append(RoundTrip(fill.symbol, trip.opened_ns, fill.ts_ns, pnl))
        del open_trips[fill.symbol]
        if abs(after) > QUANTITY_EPSILON:
            rest = -after * fill.price - fill.commission * (1.0 - share)
            open_trips[fill.symbol] = _OpenTrip(fill.ts_ns, after, rest)
    return closed


def positions_from_fills(fills: Sequence[FillRow], days: pd.DatetimeIndex) -> pd.DataFrame:
    """End-of-day positions per symbol on ``days``, for runs that did not record them."""
    if not fills:
        return pd.DataFrame(index=days, dtype=float)
    frame = pd.DataFrame(
        {
            "day": to_dates(pd.Index([f.ts_ns for f in fills], dtype="int64")),
            "symbol": [f.symbol for f in fills],
            "signed": np.array([f.signed_quantity for f in fills], dtype=float),
        }
    )
    changes = frame.pivot_table(
        index="day", columns="symbol", values="signed", aggfunc="sum", fill_value=0.0
    )
    return changes.cumsum().reindex(days, method="ffill").fillna(0.0)


def _exposure(positions: pd.DataFrame, days: pd.DatetimeIndex) -> float:
    if days.empty:
        return np.nan
    held = positions.copy()
    held.index = to_dates(held.index)
    held = held.sort_index(kind="stable")
    held = held[~held.index.duplicated(keep="last")]
    held = held.reindex(days, method="ffill").fillna(0.0)
    invested = (held.abs().to_numpy() > QUANTITY_EPSILON).any(axis=1)
    return float(invested.mean())


def trade_stats(
    fills: Sequence[FillRow], positions_by_day: pd.DataFrame | None, equity: pd.Series
) -> TradeStats:
    """The run's trade statistics; see the module docstring for the definitions.

    ``positions_by_day`` holds end-of-day quantities, dates x symbols. A day without a row
    keeps the previous row, so a log of the days the book changed is enough; before the
    first row the book is flat. ``None`` rebuilds it from the fills.
    """
    daily_equity = by_day(equity)
    days = pd.DatetimeIndex(daily_equity.index)
    positions = positions_from_fills(fills, days) if positions_by_day is None else positions_by_day
    pnls = np.array([trip.pnl for trip in round_trips(fills)], dtype=float)
    wins, losses = pnls[pnls > 0], pnls[pnls < 0]
    notional = sum(abs(f.quantity) * f.price for f in fills)
    mean_equity = daily_equity.mean() if len(daily_equity) else np.nan
    return TradeStats(
        round_trips=len(pnls),
        win_rate=float(len(wins) / len(pnls)) if len(pnls) else np.nan,
        average_win=float(wins.mean()) if len(wins) else np.nan,
        average_loss=float(losses.mean()) if len(losses) else np.nan,
        exposure=_exposure(positions, days),
        turnover=float(notional / mean_equity),
        commissions=float(sum(f.commission for f in fills)),
    )

"""Where a bar sits in time: every bar is stored stamped at its close, in ns UTC.

A daily bar closes when its session really closes, as the exchange calendar says (13:00
New York on 2024-07-03, 15:00 Tokyo on any XTKS day); without a calendar, at 16:00 New York
(the rule from before calendars). An intraday bar stamped at its close keeps its stamp; one
stamped at its open closes one bar length later, but never after the end of the trading
interval it opened in (the session's close, or the start of its lunch break): a vendor's
last hourly bar of a 09:30-16:00 session opens at 15:30 and closes at 16:00, not 16:30.

With a calendar a bar must lie in a session's trading hours: a close in ``(open,
break_start]`` or ``(break_end, close]``, an open in ``[open, break_start)`` or
``[break_end, close)``; a daily bar's date must be a session. Whatever is not is returned as
``outside``, for the reader to refuse or drop as ``Layout.outside_sessions`` says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tradeswarm.actors.market.bars import NS_PER_DAY
from tradeswarm.actors.market.sessions import session_table

__all__ = [
    "NO_CALENDAR_ZONE",
    "daily_closes",
    "intraday_closes",
    "intraday_limits",
    "outside_problem",
]

NO_CALENDAR_ZONE = "America/New_York"
_NO_CALENDAR_CLOSE_NS = 16 * 3600 * 10**9
_NO_LIMIT = np.iinfo(np.int64).max


def daily_closes(days: np.ndarray, calendar: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(close ns UTC, outside mask) of daily bars on ``days`` (days since the epoch)."""
    if calendar is None:
        wall = pa.array(days * NS_PER_DAY + _NO_CALENDAR_CLOSE_NS, pa.timestamp("ns"))
        utc = pc.assume_timezone(wall, NO_CALENDAR_ZONE)  # 16:00 is never in a DST switch
        closes = np.asarray(pc.cast(utc, pa.int64()).to_numpy(), dtype=np.int64)
        return closes, np.zeros(len(days), dtype=bool)
    table = session_table(calendar)
    index = np.minimum(np.searchsorted(table.days, days), len(table.days) - 1)
    outside = table.days[index] != days
    return table.closes[index], outside


def intraday_limits(
    ts: np.ndarray, stamp: Literal["open", "close"], calendar: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """(latest close, outside mask) of intraday bars stamped ``ts`` at their open or close.

    The latest close is the end of the trading interval a bar opened in (only an ``"open"``
    stamp needs it); without a calendar there is no limit and nothing is outside.
    """
    if calendar is None:
        return np.full(len(ts), _NO_LIMIT, dtype=np.int64), np.zeros(len(ts), dtype=bool)
    table = session_table(calendar)
    count = len(table.days)
    side: Literal["left", "right"] = "left" if stamp == "close" else "right"
    after = np.searchsorted(table.closes, ts, side=side)
    index = np.minimum(after, count - 1)
    opens, closes = table.opens[index], table.closes[index]
    starts, ends = table.break_starts[index], table.break_ends[index]
    if stamp == "close":
        inside = (opens < ts) & ~((starts < ts) & (ts <= ends))
    else:
        inside = (opens <= ts) & ~((starts <= ts) & (ts < ends))
    inside &= after < count
    limits = np.where(ts < starts, starts, closes)
    return limits, ~inside


def intraday_closes(
    ts: np.ndarray, limits: np.ndarray, stamp: Literal["open", "close"], bar_ns: int
) -> np.ndarray:
    """Close times: ``ts`` itself, or ``ts`` + one bar, capped at the interval's end."""
    if stamp == "close":
        return ts
    return np.minimum(ts + bar_ns, limits)


def outside_problem(key: int, daily: bool, stamp: Literal["open", "close"], calendar: str) -> str:
    """Why the bar with ``key`` (a day, or its open/close ns UTC) is outside ``calendar``."""
    table = session_table(calendar)
    if daily:
        return f"not a session of {calendar}"
    moment = datetime.fromtimestamp(key / 1e9, UTC)
    local = moment.astimezone(ZoneInfo(table.tz))
    what = "closing" if stamp == "close" else "opening"
    return (
        f"a bar {what} at {local:%Y-%m-%d %H:%M} {table.tz} ({moment:%H:%M} UTC), "
        f"outside the trading hours of every {calendar} session"
    )

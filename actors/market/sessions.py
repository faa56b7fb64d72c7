"""Trading sessions from an exchange calendar: which sessions a bar timeline covers, and
when each one really opens and closes.

A weekday clock gets holidays and early closes wrong, and a broker that trades the "last
minute" of 2024-07-03 at 16:00 New York trades three hours after the market shut. The
``exchange_calendars`` package knows every exchange's holidays and special hours, so the
synthetic bars, the market data's session events and the broker all ask it, through one
cached calendar per name. Everything here is numpy over whole timelines: a timeline of a
million minutes maps to its sessions in milliseconds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where used: the calendars bring pandas, heavy for a process
    from exchange_calendars import ExchangeCalendar

__all__ = [
    "EARLIEST_SESSION",
    "LATEST_SESSION",
    "SessionSpan",
    "SessionTable",
    "exchange_calendar",
    "session_bounds",
    "session_spans",
    "session_table",
]

EARLIEST_SESSION = "1990-01-01"
LATEST_SESSION = "2099-12-31"

_NS_PER_DAY = 86_400 * 10**9
_NEW_YORK_SHIFT_NS = 5 * 3600 * 10**9
_NAT = np.iinfo(np.int64).min


@cache
def exchange_calendar(name: str) -> ExchangeCalendar:
    """The calendar ``name`` (``"XNYS"``, ``"XLON"``...) with sessions from 1990 to 2099.

    The package's default range, 20 years back to one year ahead of today, is too short
    for the vendor files, which start in 1999, and would make a long synthetic run fail
    or pass depending on the day it runs. So the range is fixed, and narrowed only to
    what a calendar has records for (XHKG stops in 2049). Built once per name: building
    costs about 0.1 s.
    """
    import exchange_calendars

    with warnings.catch_warnings():
        # exchange_calendars still uses pandas APIs that pandas 3.1 deprecates (tz-aware
        # Series.values, DatetimeIndex.weekday); the results are right, and the warnings
        # are theirs to fix, not ours to show on every run.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        try:
            return exchange_calendars.get_calendar(name, start=EARLIEST_SESSION, end=LATEST_SESSION)
        except exchange_calendars.errors.InvalidCalendarName:
            raise ValueError(
                f"unknown exchange calendar {name!r}; use a name from "
                "exchange_calendars.get_calendar_names(), such as 'XNYS'"
            ) from None
        except ValueError:
            return _calendar_within_its_bounds(name)


def _calendar_within_its_bounds(name: str) -> ExchangeCalendar:
    """The widest range the calendar accepts within 1990-2099, else the package's default.

    A calendar the package cannot build at all (its own rules contradict each other) is
    refused with the package's reason, shortened: the full one lists every bad date.
    """
    import exchange_calendars
    import pandas as pd

    try:
        default = exchange_calendars.get_calendar(name)
    except ValueError as error:
        raise ValueError(
            f"exchange calendar {name!r} cannot be built by exchange_calendars: "
            f"{str(error)[:160]}; choose another calendar"
        ) from None
    lowest, highest = type(default).bound_min(), type(default).bound_max()
    start, end = pd.Timestamp(EARLIEST_SESSION), pd.Timestamp(LATEST_SESSION)
    if lowest is not None:
        start = max(start, lowest)
    if highest is not None:
        end = min(end, highest)
    try:
        return exchange_calendars.get_calendar(name, start=start, end=end)
    except ValueError:
        return default


@dataclass(frozen=True)
class SessionTable:
    """A calendar's sessions as int64 columns, one row per session, ascending.

    ``days`` is the session date in days since the epoch; times are ns UTC. Where a
    session has no lunch break, ``break_starts`` and ``break_ends`` are its close, so the
    trading intervals are always ``[open, break_start)`` and ``[break_end, close)``.
    """

    name: str
    tz: str
    days: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    break_starts: np.ndarray
    break_ends: np.ndarray


@cache
def session_table(name: str) -> SessionTable:
    """The sessions of calendar ``name`` as numpy columns, built once per name."""
    calendar = exchange_calendar(name)
    closes = np.asarray(calendar.closes_nanos, dtype=np.int64)
    break_starts = np.asarray(calendar.break_starts_nanos, dtype=np.int64)
    break_ends = np.asarray(calendar.break_ends_nanos, dtype=np.int64)
    return SessionTable(
        name=name,
        tz=str(calendar.tz),
        days=np.asarray(calendar.sessions_nanos, dtype=np.int64) // _NS_PER_DAY,
        opens=np.asarray(calendar.opens_nanos, dtype=np.int64),
        closes=closes,
        break_starts=np.where(break_starts == _NAT, closes, break_starts),
        break_ends=np.where(break_ends == _NAT, closes, break_ends),
    )


@dataclass(frozen=True)
class SessionSpan:
    """One session a timeline touches: its date, its open and close, and its bars.

    ``open_ns`` and ``close_ns`` are the calendar's, or the first and last bar times when
    there is no calendar. ``first`` and ``last`` index the session's first and last bar
    in the timeline, so callers can stay on timeline times.
    """

    session: str
    open_ns: int
    close_ns: int
    first: int
    last: int


def _day_text(day: int) -> str:
    return str(np.datetime64(day, "D"))


def _local_days(ts_ns: np.ndarray, tz: str) -> np.ndarray:
    """The calendar-local date of each time, in days since the epoch."""
    import pandas as pd

    local = pd.DatetimeIndex(ts_ns, tz="UTC").tz_convert(tz).tz_localize(None)
    return local.asi8 // _NS_PER_DAY


def _session_index(ts: np.ndarray, table: SessionTable) -> np.ndarray:
    """Row in ``table`` of the session of each bar time.

    A time inside a session's hours, ``(open, close]``, belongs to it; that covers minute
    bars, and sessions that open the evening before their date. Any other time belongs to
    the session on its local date: a daily bar stamped 16:00 New York after a 13:00 early
    close still belongs to that day. A time on no session's date is an error, since a bar
    on a holiday means the data or the calendar is wrong.
    """
    import pandas as pd

    count = len(table.days)
    after = np.searchsorted(table.closes, ts, side="left")
    index = np.minimum(after, count - 1)
    inside = (after < count) & (table.opens[index] < ts)
    outside = np.flatnonzero(~inside)
    if len(outside) == 0:
        return index
    stray = ts[outside]
    local = _local_days(stray, table.tz)
    before = np.maximum(after[outside] - 1, 0)
    following = np.minimum(after[outside], count - 1)
    on_before = table.days[before] == local
    on_following = table.days[following] == local
    found = on_before | on_following
    if not bool(found.all()):
        bad = int(np.flatnonzero(~found)[0])
        moment = pd.Timestamp(int(stray[bad]), tz="UTC")
        raise ValueError(
            f"a bar at {moment.isoformat()} ({_day_text(int(local[bad]))} in {table.tz}) "
            f"falls in no {table.name} session, which run from "
            f"{_day_text(int(table.days[0]))} to {_day_text(int(table.days[-1]))}; "
            "remove the bar or choose the calendar of its exchange"
        )
    index = index.copy()
    index[outside] = np.where(on_before, before, following)
    return index


def session_spans(timeline_ns: np.ndarray, calendar: str | None) -> list[SessionSpan]:
    """The sessions of an ascending timeline of bar times, in order, each with its bars.

    Without a calendar the session date is the UTC date five hours earlier (exact for
    bars inside US trading hours, either side of daylight saving) and the session opens
    and closes at its first and last bar: the rule from before calendars were known.
    """
    ts = np.asarray(timeline_ns, dtype=np.int64)
    if len(ts) == 0:
        return []
    if calendar is None:
        keys = (ts - _NEW_YORK_SHIFT_NS) // _NS_PER_DAY
    else:
        table = session_table(calendar)
        keys = _session_index(ts, table)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:] - 1, len(ts) - 1]
    spans = []
    for first, last in zip(starts.tolist(), ends.tolist(), strict=True):
        key = int(keys[first])
        if calendar is None:
            day, open_ns, close_ns = key, int(ts[first]), int(ts[last])
        else:
            day, open_ns, close_ns = (
                int(table.days[key]),
                int(table.opens[key]),
                int(table.closes[key]),
            )
        spans.append(SessionSpan(_day_text(day), open_ns, close_ns, first, last))
    return spans


def session_bounds(timeline_ns: np.ndarray, calendar: str | None) -> list[tuple[str, int, int]]:
    """``(session date, open ns, close ns)`` of every session with bars, in order.

    With a calendar the open and close are the calendar's (13:00 New York on an early
    close); without one they are the session's first and last bar times.
    """
    return [
        (span.session, span.open_ns, span.close_ns) for span in session_spans(timeline_ns, calendar)
    ]

"""What the market data interleaves with the bars: session events, and the merge of both
into one time-ordered stream per symbol."""

from __future__ import annotations

import bisect

import numpy as np

from tradeswarm.actors.market.sessions import session_spans
from tradeswarm.messages import Bar, SessionEvent, SessionEventKind


def session_events(
    timeline: np.ndarray, calendar: str | None = None, timer_ns: int = 0
) -> list[SessionEvent]:
    """Open at a session's first bar time, close and end of day at its last, and with a
    ``timer_ns`` period a timer at the first bar time of each period after the open.

    The events stay on timeline times, the only times the clock knows; with a calendar
    each event also carries the exchange's real close in ``close_ts_ns``, and bars map to
    the calendar's sessions. Without one the session date is the UTC date five hours
    earlier and ``close_ts_ns`` is 0.
    """
    events: list[SessionEvent] = []
    for span in session_spans(timeline, calendar):
        open_ts, close_ts = int(timeline[span.first]), int(timeline[span.last])
        real_close = 0 if calendar is None else span.close_ns
        timers = _timer_times(timeline[span.first : span.last + 1], open_ts, timer_ns)
        for kind, ts_ns in (
            (SessionEventKind.SESSION_OPEN, open_ts),
            *((SessionEventKind.TIMER, ts) for ts in timers),
            (SessionEventKind.SESSION_CLOSE, close_ts),
            (SessionEventKind.END_OF_DAY, close_ts),
        ):
            events.append(
                SessionEvent(kind=kind, ts_ns=ts_ns, session=span.session, close_ts_ns=real_close)
            )
    return events


def _timer_times(session_times: np.ndarray, open_ts: int, timer_ns: int) -> list[int]:
    if timer_ns <= 0:
        return []
    periods = (session_times - open_ts) // timer_ns
    starts = np.flatnonzero(np.diff(periods) > 0) + 1
    return [int(ts) for ts in session_times[starts]]


def merge_items(bars: list[Bar], events: list[SessionEvent]) -> list[Bar | SessionEvent]:
    """Bars and session events in time order; at one time: open, bar, close, end of day."""
    if not events:
        return list(bars)
    stamps = [bar.ts_ns for bar in bars]
    items: list[Bar | SessionEvent] = []
    taken = 0
    for event in events:
        if event.kind is SessionEventKind.SESSION_OPEN:
            position = bisect.bisect_left(stamps, event.ts_ns, lo=taken)
        else:
            position = bisect.bisect_right(stamps, event.ts_ns, lo=taken)
        items.extend(bars[taken:position])
        items.append(event)
        taken = position
    items.extend(bars[taken:])
    return items

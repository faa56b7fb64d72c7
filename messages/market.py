"""Market data: bars and the session calendar, broadcast by the market-data actor."""

from __future__ import annotations

from enum import StrEnum

from tradeswarm.messages.base import Message


class Bar(Message, kw_only=True, frozen=True):
    """One OHLCV bar; ``ts_ns`` is the bar's close time, int nanoseconds UTC."""

    symbol: str
    ts_ns: int
    open: float
    high: float
    low: float
    close: float
    volume: float


class SessionEventKind(StrEnum):
    SESSION_OPEN = "session_open"
    SESSION_CLOSE = "session_close"
    END_OF_DAY = "end_of_day"
    TIMER = "timer"  # a strategy's periodic tick, on the first bar time of each period


class SessionEvent(Message, kw_only=True, frozen=True):
    """A session boundary; ``session`` is the session date as ``YYYY-MM-DD``.

    ``ts_ns`` is always a bar time on the timeline, since the clock knows no other times:
    the session's first bar for an open, its last for a close. ``close_ts_ns`` is when the
    exchange really closes (13:00 New York on an early close), so a broker can tell the
    session's last minute; 0 when no calendar is known, and then ``ts_ns`` of the close
    stands for it. Appended last with a default, so bytes written before it still decode.
    """

    kind: SessionEventKind
    ts_ns: int
    session: str
    close_ts_ns: int = 0


class BarsPublished(Message, kw_only=True, frozen=True):
    """The market-data clock: every bar with ``ts_ns <= through_ts_ns`` has been published.

    It follows the chunk's batches on the same socket, so a subscriber that sees it has
    every bar it will ever get up to that time. ``timestamps`` is the chunk's timeline
    (every distinct bar time, all symbols); ``sessions`` the session events inside it.
    ``final`` marks the end of the data. ``batches`` is the sequence number of each
    symbol's batch in the chunk: a subscriber that lacks one has a gap to mend before it
    may take the mark.
    """

    seq: int
    through_ts_ns: int
    timestamps: list[int]
    sessions: list[SessionEvent]
    batches: dict[str, int]
    final: bool = False


class BarBatch(Message, kw_only=True, frozen=True):
    """Consecutive events of one symbol's stream in one message: bars, and the session
    events between them in time order, so a subscriber needs no merge.

    A message per bar costs more than the bar. ``seq`` counts batches on this symbol's
    topic, so a subscriber sees a gap.
    """

    symbol: str
    seq: int
    items: list[Bar | SessionEvent]

"""Many symbols' bar streams merged into time-ordered chunks of whole sessions.

Why it streams: a ten-million-row file cannot be held whole by the market data, so each
symbol's bars arrive as an iterator of chunks (``actors.market.readers``), and this merge
holds only what it must: for each symbol, the bars read but not yet published.

Theory of operation. The merge may publish a time only once every symbol's bars up to it
are known: the *horizon* is the earliest last-read time over the symbols whose streams go
on (a finished stream does not hold anyone back). Below the horizon the timeline is the
union of the symbols' times. A chunk ends at a session's end, never inside one: session
events (open, close, end of day, timers) are computed from a whole session's bars, and the
last session below the horizon may go on past it, so it waits for the next chunk unless
every stream has ended. Chunks hold at least ``target_bars`` bars where the data allows,
since every chunk costs the swarm a clock boundary.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.feed import session_events
from tradeswarm.actors.market.sessions import session_spans
from tradeswarm.messages import SessionEvent

__all__ = ["BarStream", "Chunk"]


@dataclass(frozen=True)
class Chunk:
    """A stretch of whole sessions: its timeline (every bar time, all symbols), the
    session events inside it, each symbol's bars in it, and whether the data ends here."""

    timeline: np.ndarray
    sessions: list[SessionEvent]
    bars: dict[str, BarColumns]
    final: bool


class BarStream:
    def __init__(
        self,
        streams: Mapping[str, Iterator[BarColumns]],
        calendar: str | None,
        timer_ns: int = 0,
        target_bars: int = 16_384,
    ) -> None:
        self._streams = dict(streams)
        self._calendar = calendar
        self._timer_ns = timer_ns
        self._target = target_bars
        self._buffered: dict[str, list[BarColumns]] = {symbol: [] for symbol in streams}
        self._ended: set[str] = set()
        self._published = False
        self._done = False

    def next_chunk(self) -> Chunk | None:
        """The next chunk, or None once the final one has been given."""
        if self._done:
            return None
        while True:
            self._fill_empty()
            horizon = self._horizon()
            timeline = self._timeline(horizon)
            everything = len(self._ended) == len(self._streams)
            cuts = self._cuts(timeline, everything)
            enough = next((cut for cut in cuts if self._bars_through(cut) >= self._target), None)
            if enough is not None:
                return self._publish(timeline, enough, everything)
            if everything:
                return self._publish(timeline, cuts[-1], everything) if cuts else self._empty()
            for symbol in self._laggards():
                self._pull(symbol)

    # -- reading ----------------------------------------------------------------------------

    def _pull(self, symbol: str) -> None:
        try:
            piece = next(self._streams[symbol])
        except StopIteration:
            self._ended.add(symbol)
            return
        if len(piece):
            self._buffered[symbol].append(piece)

    def _fill_empty(self) -> None:
        for symbol, pieces in self._buffered.items():
            while not pieces and symbol not in self._ended:
                self._pull(symbol)

    def _last_read(self, symbol: str) -> int:
        pieces = self._buffered[symbol]
        return int(pieces[-1].ts_ns[-1]) if pieces else -1

    def _horizon(self) -> int:
        going = [self._last_read(s) for s in self._streams if s not in self._ended]
        return min(going) if going else np.iinfo(np.int64).max

    def _laggards(self) -> list[str]:
        """The streams holding the horizon back, to read next: all of them at once, so
        a thousand symbols on one clock cost one pass, not a thousand."""
        going = [s for s in sorted(self._streams) if s not in self._ended]
        horizon = min(self._last_read(s) for s in going)
        return [s for s in going if self._last_read(s) == horizon]

    # -- cutting ----------------------------------------------------------------------------

    def _timeline(self, horizon: int) -> np.ndarray:
        stamps = [piece.ts_ns for pieces in self._buffered.values() for piece in pieces]
        if not stamps:
            return np.empty(0, dtype=np.int64)
        times = np.unique(np.concatenate(stamps))
        return times[times <= horizon]

    def _cuts(self, timeline: np.ndarray, everything: bool) -> list[int]:
        """The last time of each whole session of ``timeline``: where a chunk may end. The
        chunk ends at the first of them that gives it ``target_bars``, so a thousand
        symbols' chunks hold a session, not all the sessions read ahead."""
        if len(timeline) == 0:
            return []
        spans = session_spans(timeline, self._calendar)
        whole = spans if everything else spans[:-1]
        return [int(timeline[span.last]) for span in whole]

    def _bars_through(self, cut: int) -> int:
        return sum(
            int(np.searchsorted(piece.ts_ns, cut, side="right"))
            for pieces in self._buffered.values()
            for piece in pieces
        )

    def _publish(self, timeline: np.ndarray, cut: int, everything: bool) -> Chunk:
        times = timeline[timeline <= cut]
        bars = {symbol: self._take(symbol, cut) for symbol in sorted(self._buffered)}
        final = everything and not any(self._buffered.values())
        self._published = True
        self._done = final
        events = session_events(times, self._calendar, self._timer_ns)
        return Chunk(times, events, {s: b for s, b in bars.items() if len(b)}, final)

    def _take(self, symbol: str, cut: int) -> BarColumns:
        """This symbol's buffered bars up to ``cut``, removed from the buffer."""
        taken: list[BarColumns] = []
        pieces = self._buffered[symbol]
        while pieces:
            piece = pieces[0]
            end = int(np.searchsorted(piece.ts_ns, cut, side="right"))
            if end == len(piece):
                taken.append(pieces.pop(0))
                continue
            if end:
                taken.append(_slice(piece, 0, end))
                pieces[0] = _slice(piece, end, len(piece))
            break
        return BarColumns.concatenated(symbol, taken)

    def _empty(self) -> Chunk:
        self._done = True
        return Chunk(np.empty(0, dtype=np.int64), [], {}, True)


def _slice(bars: BarColumns, start: int, end: int) -> BarColumns:
    return BarColumns(
        bars.symbol,
        bars.ts_ns[start:end],
        bars.open[start:end],
        bars.high[start:end],
        bars.low[start:end],
        bars.close[start:end],
        bars.volume[start:end],
    )

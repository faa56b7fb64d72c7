"""The market-data actor: loads bars, then broadcasts them in chunks with the clock.

Flow control: a PUB socket drops what a slow subscriber cannot take, so the actor never
runs more than ``WINDOW_CHUNKS`` chunks ahead of the broker's progress (the broker is
the slowest participant by construction: it waits for every instrument). The slow-joiner
problem is solved with an XPUB: the actor sees every subscription arrive and publishes
nothing until all expected ones have, and the runner has released it.
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import zmq

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.csv_bars import load_csv_bars
from tradeswarm.actors.market.sessions import session_spans
from tradeswarm.actors.market.synthetic import synthetic_minute_bars
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import (
    MARKET_DATA_NAME,
    Bar,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    Endpoints,
    SessionEvent,
    SessionEventKind,
    encode,
)
from tradeswarm.messages.topics import CLOCK, bar_topic

log = logging.getLogger(__name__)

TARGET_BARS_PER_CHUNK = 16384
WINDOW_CHUNKS = 2


@dataclass(frozen=True)
class CsvSource:
    paths: dict[str, str]
    adjust: bool = True


@dataclass(frozen=True)
class SyntheticSource:
    symbols: tuple[str, ...]
    bars_per_symbol: int
    seed: int
    start: str = "2024-01-02"
    start_price: float = 100.0
    drift: float = 0.05
    volatility: float = 0.2
    calendar: str = "XNYS"


BarSource = CsvSource | SyntheticSource


def load_bars(source: BarSource) -> dict[str, BarColumns]:
    if isinstance(source, CsvSource):
        return {
            symbol: load_csv_bars(Path(path), symbol, adjust=source.adjust)
            for symbol, path in source.paths.items()
        }
    return synthetic_minute_bars(
        source.symbols,
        source.bars_per_symbol,
        seed=source.seed,
        start=source.start,
        start_price=source.start_price,
        drift=source.drift,
        volatility=source.volatility,
        calendar=source.calendar,
    )


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


class MarketDataActor(SocketActor):
    def __init__(
        self,
        *,
        source: BarSource,
        expected_subscriptions: int,
        calendar: str | None = None,
        timer_seconds: float = 0.0,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None = None,
    ) -> None:
        super().__init__(MARKET_DATA_NAME, endpoints, zmq_context)
        self.source = source
        self.calendar = calendar
        self.timer_ns = round(timer_seconds * 1e9)
        self.counters.update(bars=0, chunks=0)
        self._expected_subscriptions = expected_subscriptions
        self._subscriptions = 0
        self._released = False
        self._next_chunk = 0
        self._credited_chunks = 0

    def open_sockets(self) -> None:
        self._columns = load_bars(self.source)
        self._symbols = sorted(self._columns)
        self._topics = {symbol: bar_topic(symbol) for symbol in self._symbols}
        self._seq = dict.fromkeys(self._symbols, 0)
        stamps = [self._columns[symbol].ts_ns for symbol in self._symbols]
        self._timeline = np.unique(np.concatenate(stamps)) if stamps else np.array([], np.int64)
        self._sessions = session_events(self._timeline, self.calendar, self.timer_ns)
        self._session_ts = [event.ts_ns for event in self._sessions]
        step = max(1, TARGET_BARS_PER_CHUNK // max(1, len(self._symbols)))
        self._bounds = [*range(0, len(self._timeline), step), len(self._timeline)]
        self._chunk_throughs = [int(self._timeline[end - 1]) for end in self._bounds[1:]]
        self._publisher = self.open(
            zmq.XPUB,
            bind=self.endpoints.market_data,
            handler=self._on_subscription,
            options={zmq.XPUB_VERBOSE: 1},
        )
        self.open(zmq.PULL, bind=self.endpoints.market_credit, handler=self._on_credit)

    def _on_subscription(self, frames: list[bytes]) -> None:
        if frames[0][:1] == b"\x01":
            self._subscriptions += 1

    def _on_credit(self, frames: list[bytes]) -> None:
        message = self.decode_or_count(frames[-1], "broker")
        if isinstance(message, BrokerProgress):
            throughs = self._chunk_throughs
            while (
                self._credited_chunks < len(throughs)
                and throughs[self._credited_chunks] <= message.through_ts_ns
            ):
                self._credited_chunks += 1

    def on_start_request(self) -> None:
        self._released = True

    def _chunks_left(self) -> bool:
        return self._next_chunk < len(self._bounds) - 1 or (
            self._next_chunk == 0 and len(self._timeline) == 0
        )

    def has_work(self) -> bool:
        return (
            self._released
            and self._subscriptions >= self._expected_subscriptions
            and self._chunks_left()
            and self._next_chunk < self._credited_chunks + WINDOW_CHUNKS
        )

    def after_poll(self) -> None:
        while self.has_work():
            self._publish_chunk(self._next_chunk)
            self._next_chunk += 1

    def _publish_chunk(self, index: int) -> None:
        if len(self._timeline) == 0:
            self._publisher.send_multipart(
                [
                    CLOCK,
                    encode(
                        BarsPublished(
                            seq=0, through_ts_ns=-1, timestamps=[], sessions=[], final=True
                        )
                    ),
                ]
            )
            return
        low, high = self._bounds[index], self._bounds[index + 1]
        first, last = int(self._timeline[low]), int(self._timeline[high - 1])
        events = self._sessions[
            bisect.bisect_left(self._session_ts, first) : bisect.bisect_right(
                self._session_ts, last
            )
        ]
        for symbol in self._symbols:
            bars = self._bars_between(symbol, first, last)
            items = merge_items(bars, events)
            if not items:
                continue
            batch = BarBatch(symbol=symbol, seq=self._seq[symbol], items=items)
            self._seq[symbol] += 1
            self._publisher.send_multipart([self._topics[symbol], encode(batch)])
            self.counters["bars"] += len(bars)
        final = high == len(self._timeline)
        marker = BarsPublished(
            seq=index,
            through_ts_ns=last,
            timestamps=self._timeline[low:high].tolist(),
            sessions=events,
            final=final,
        )
        self._publisher.send_multipart([CLOCK, encode(marker)])
        self.counters["chunks"] += 1

    def _bars_between(self, symbol: str, first: int, last: int) -> list[Bar]:
        columns = self._columns[symbol]
        low, high = np.searchsorted(columns.ts_ns, [first, last], side="left")
        if high < len(columns.ts_ns) and columns.ts_ns[high] == last:
            high += 1
        if low == high:
            return []
        return [
            Bar(symbol=symbol, ts_ns=t, open=o, high=h, low=lo, close=c, volume=v)
            for t, o, h, lo, c, v in zip(
                columns.ts_ns[low:high].tolist(),
                columns.open[low:high].tolist(),
                columns.high[low:high].tolist(),
                columns.low[low:high].tolist(),
                columns.close[low:high].tolist(),
                columns.volume[low:high].tolist(),
                strict=True,
            )
        ]

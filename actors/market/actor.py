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

import numpy as np
import zmq

from tradeswarm.actors.market.config import MarketDataConfig
from tradeswarm.actors.market.feed import merge_items, session_events
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import (
    Bar,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    Endpoints,
    encode,
)
from tradeswarm.messages.topics import CLOCK, bar_topic

log = logging.getLogger(__name__)

TARGET_BARS_PER_CHUNK = 16384
WINDOW_CHUNKS = 2


class MarketDataActor(SocketActor):
    def __init__(
        self,
        config: MarketDataConfig,
        *,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None = None,
    ) -> None:
        super().__init__(config.name, endpoints, zmq_context)
        self.source = config.source
        self.calendar = config.calendar or None
        self.timer_ns = round(config.timer_seconds * 1e9)
        self.counters.update(bars=0, chunks=0)
        self._expected_subscriptions = config.expected_subscriptions
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

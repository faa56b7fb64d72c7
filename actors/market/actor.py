"""The market-data actor: loads bars, then broadcasts them in chunks with the clock.

Flow control: a PUB socket drops what a slow subscriber cannot take, so the actor never
runs more than ``WINDOW_CHUNKS`` chunks ahead of the broker's progress (the broker is
the slowest participant by construction: it waits for every instrument). The slow-joiner
problem is solved with an XPUB: the actor sees every subscription arrive and publishes
nothing until all expected ones have, and the runner has released it.

Recovery: the actor keeps every chunk the broker has not passed yet (at most the window),
so a subscriber that missed some (restarted, or behind a high-water mark) can have them
again: it subscribes to its welcome topic, and on seeing that subscription the actor
sends ``SnapshotEnd`` there with the kept chunks in one message. Everything older the
subscriber has (the broker passes a chunk only once every instrument has decided on all
of it, after logging it). ``stream_hwm`` bounds what each subscriber may have queued.
"""

from __future__ import annotations

import logging
import time
from collections import deque

import zmq

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.config import MarketDataConfig
from tradeswarm.actors.market.feed import merge_items
from tradeswarm.actors.market.sources import stream_bars
from tradeswarm.actors.market.stream import BarStream, Chunk
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import (
    Bar,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    Endpoints,
    encode,
)
from tradeswarm.messages.link_keys import MARKET_CREDIT, MARKET_DATA, LinkKeys
from tradeswarm.messages.recovery import ActorRecovered, SnapshotEnd, StreamHead
from tradeswarm.messages.topics import CLOCK, WELCOME_PREFIX, bar_topic

log = logging.getLogger(__name__)

TARGET_BARS_PER_CHUNK = 16384
WINDOW_CHUNKS = 2
HEAD_EVERY_SECONDS = 0.25  # the heartbeat while waiting for the broker (StreamHead)


class MarketDataActor(SocketActor):
    def __init__(
        self,
        config: MarketDataConfig,
        *,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None = None,
        keys: LinkKeys | None = None,
    ) -> None:
        super().__init__(config.name, endpoints, zmq_context, keys)
        self.source = config.source
        self.calendar = config.calendar or None
        self.timer_ns = round(config.timer_seconds * 1e9)
        self.counters.update(bars=0, chunks=0)
        self._expected_subscriptions = config.expected_subscriptions
        self._subscriptions = 0
        self._released = False
        self._last_sent = 0.0
        self._recover = config.recover  # until the broker says how far it is
        self._stream_hwm = config.stream_hwm
        self._welcomes_due: list[bytes] = []  # asked for before a restart knew the broker's

    def open_sockets(self) -> None:
        self._stream = BarStream(
            stream_bars(self.source, self.calendar),
            self.calendar,
            self.timer_ns,
            TARGET_BARS_PER_CHUNK,
        )
        self._topics: dict[str, bytes] = {}
        self._seq: dict[str, int] = {}
        self._published: deque[int] = deque()  # through-times of chunks not yet credited
        self._kept: deque[list[bytes]] = deque()  # and their frames, for a snapshot
        self._ended = False
        self._publisher = self.open(
            zmq.XPUB,
            bind=self.endpoints.market_data,
            handler=self._on_subscription,
            options={zmq.XPUB_VERBOSE: 1, zmq.SNDHWM: self._stream_hwm},
            domain=MARKET_DATA,
        )
        self.open(
            zmq.PULL,
            bind=self.endpoints.market_credit,
            handler=self._on_credit,
            domain=MARKET_CREDIT,
        )

    def _on_subscription(self, frames: list[bytes]) -> None:
        """A subscriber says only (un)subscribe: 1 or 0, then a topic."""
        kind = frames[0][:1]
        if kind == b"\x01" and frames[0][1:].startswith(WELCOME_PREFIX):
            if self._recover:  # restarted too: nothing kept before it knows what to keep
                self._welcomes_due.append(frames[0][1:])
            else:
                self._welcome(frames[0][1:])
        elif kind == b"\x01":
            self._subscriptions += 1
        elif kind != b"\x00" or len(frames) != 1:
            self.count_malformed(MARKET_DATA, "a frame that is no subscription")

    def _on_credit(self, frames: list[bytes]) -> None:
        message = self.decode_or_count(frames[-1], "market_credit")
        if isinstance(message, BrokerProgress) and self._recover:
            self._skip_through(message.through_ts_ns)
        elif isinstance(message, BrokerProgress):
            while self._published and self._published[0] <= message.through_ts_ns:
                self._published.popleft()
                self._kept.popleft()

    def _skip_through(self, through_ts_ns: int) -> None:
        """A restart: the stream again from its start, what the broker has passed skipped
        (numbered as before, so subscribers drop what they have by sequence number); then
        publishing as ever, from the first chunk the broker still needs."""
        self._recover = False
        skipped = 0
        while through_ts_ns >= 0:
            chunk = self._stream.next_chunk()
            if chunk is None:
                self._ended = True
                break
            passed = len(chunk.timeline) > 0 and int(chunk.timeline[-1]) <= through_ts_ns
            self._publish(chunk, send=not passed)
            if not passed:
                break  # the first chunk the broker needs: published, and kept
            self._kept.clear()
            self._published.clear()
            skipped += 1
        self._released = True
        for topic in self._welcomes_due:
            self._welcome(topic)
        self._welcomes_due.clear()
        self.send_control(
            ActorRecovered(actor=self.name, replayed_inputs=skipped, replay_seconds=0.0)
        )

    def _welcome(self, topic: bytes) -> None:
        """A subscriber restarted, or with a gap, asks for what it may have missed: every
        chunk the broker has not passed, in one message (``actors.runtime.catch_up``)."""
        host = topic[len(WELCOME_PREFIX) : -1].decode(errors="replace")
        end = SnapshotEnd(host=host, chunks=len(self._kept))
        bodies = [body for chunk in self._kept for body in chunk]
        self._publisher.send_multipart([topic, encode(end), *bodies])
        self.counters["snapshots"] = self.counters.get("snapshots", 0) + 1

    def on_start_request(self) -> None:
        self._released = True

    def has_work(self) -> bool:
        return (
            self._released
            and self._subscriptions >= self._expected_subscriptions
            and not self._ended
            and len(self._published) < WINDOW_CHUNKS
        )

    def after_poll(self) -> None:
        published = False
        while self.has_work():
            chunk = self._stream.next_chunk()
            if chunk is None:
                self._ended = True
                break
            self._publish(chunk)
            published = True
        now = time.monotonic()
        if published or not self._released:
            self._last_sent = now
        elif now - self._last_sent >= HEAD_EVERY_SECONDS:
            # Waiting: a subscriber whose last frames were dropped would wait forever.
            self._last_sent = now
            head = StreamHead(marks=self.counters["chunks"])
            self._publisher.send_multipart([CLOCK, encode(head)])

    def _publish(self, chunk: Chunk, send: bool = True) -> None:
        """Each symbol's bars merged with the chunk's session events, one batch per symbol,
        then the clock mark that says the chunk is complete."""
        through = int(chunk.timeline[-1]) if len(chunk.timeline) else -1
        kept: list[bytes] = []
        batches: dict[str, int] = {}
        for symbol in sorted(chunk.bars):
            bars = _bars(chunk.bars[symbol])
            items = merge_items(bars, chunk.sessions)
            topic = self._topics.get(symbol)
            if topic is None:
                topic = self._topics[symbol] = bar_topic(symbol)
            seq = self._seq.get(symbol, 0)
            self._seq[symbol] = seq + 1
            batches[symbol] = seq
            body = encode(BarBatch(symbol=symbol, seq=seq, items=items))
            if send:
                self._publisher.send_multipart([topic, body])
            kept.append(body)
            self.counters["bars"] += len(bars)
        marker = BarsPublished(
            seq=self.counters["chunks"],
            through_ts_ns=through,
            timestamps=chunk.timeline.tolist(),
            sessions=chunk.sessions,
            batches=batches,
            final=chunk.final,
        )
        body = encode(marker)
        if send:
            self._publisher.send_multipart([CLOCK, body])
        kept.append(body)
        self._kept.append(kept)
        self.counters["chunks"] += 1
        self._ended = chunk.final
        if not chunk.final:
            self._published.append(through)


def _bars(columns: BarColumns) -> list[Bar]:
    symbol = columns.symbol
    return [
        Bar(symbol=symbol, ts_ns=t, open=o, high=h, low=lo, close=c, volume=v)
        for t, o, h, lo, c, v in zip(
            columns.ts_ns.tolist(),
            columns.open.tolist(),
            columns.high.tolist(),
            columns.low.tolist(),
            columns.close.tolist(),
            columns.volume.tolist(),
            strict=True,
        )
    ]

"""A subscriber takes each frame of the market data's stream only when it is the next one,
never a clock mark before every batch of its chunk, and mends a gap with a snapshot: asked
for on the welcome topic, asked again if it does not come, taken when it does."""

from __future__ import annotations

import pytest
import zmq

from tradeswarm.actors.runtime import catch_up
from tradeswarm.actors.runtime.catch_up import (
    Arrival,
    Frame,
    MarketFeed,
    StreamPosition,
    sort_market_frames,
)
from tradeswarm.messages import BarBatch, BarsPublished, decode, encode
from tradeswarm.messages.recovery import SnapshotEnd
from tradeswarm.messages.topics import bar_topic, welcome_topic

WELCOME = welcome_topic("instruments-0")


def batch(symbol: str, seq: int) -> BarBatch:
    return BarBatch(symbol=symbol, seq=seq, items=[])


def mark(seq: int, batches: dict[str, int]) -> BarsPublished:
    return BarsPublished(seq=seq, through_ts_ns=seq, timestamps=[], sessions=[], batches=batches)


def test_live_frames_wait_for_the_snapshot_and_the_snapshot_comes_whole() -> None:
    live = [bar_topic("AAPL"), b"batch"]
    assert sort_market_frames(live, awaiting_snapshot=True) == (Frame.DROP, [b"batch"])
    assert sort_market_frames(live, awaiting_snapshot=False) == (Frame.TAKE, [b"batch"])
    snapshot = [WELCOME, b"end", b"batch", b"mark"]
    assert sort_market_frames(snapshot, awaiting_snapshot=False) == (
        Frame.SNAPSHOT,
        [b"end", b"batch", b"mark"],
    )


def test_a_frame_had_is_dropped_and_one_past_a_hole_is_a_gap() -> None:
    position = StreamPosition()
    assert position.batch("AAPL", 0) is Arrival.NEW
    assert position.batch("AAPL", 0) is Arrival.HAD
    assert position.batch("AAPL", 2) is Arrival.GAP
    assert position.batch("AAPL", 1) is Arrival.NEW, "a gap does not move the position"
    assert position.mark(mark(1, {})) is Arrival.GAP
    assert position.mark(mark(0, {"AAPL": 1})) is Arrival.NEW
    assert position.mark(mark(0, {"AAPL": 1})) is Arrival.HAD


def test_a_mark_waits_for_every_batch_of_its_chunk_among_the_subscribers_symbols() -> None:
    position = StreamPosition(frozenset({"AAPL", "MSFT"}))
    assert position.batch("AAPL", 0) is Arrival.NEW
    chunk = {"AAPL": 0, "MSFT": 0, "IBM": 0}  # IBM: not this subscriber's
    assert position.mark(mark(0, chunk)) is Arrival.GAP, "MSFT's batch was dropped"
    assert position.batch("MSFT", 0) is Arrival.NEW
    assert position.mark(mark(0, chunk)) is Arrival.NEW
    assert position.batch("IBM", 5) is Arrival.HAD, "in a snapshot: another's, not a gap"
    everything = StreamPosition()
    everything.batch("AAPL", 0)
    everything.batch("MSFT", 0)
    assert everything.mark(mark(0, chunk)) is Arrival.GAP, "the broker takes every symbol"


class Subscriber:
    """A MarketFeed over a real SUB socket, recording what it takes."""

    def __init__(self, context: zmq.Context, endpoint: str) -> None:
        self.taken: list[object] = []
        self.snapshots = 0
        self.socket = context.socket(zmq.SUB)
        self.socket.connect(endpoint)
        self.feed = MarketFeed(
            WELCOME,
            StreamPosition(frozenset({"AAPL"})),
            decode=decode,
            take_batch=lambda message, frame: self.taken.append(message),
            take_mark=lambda message, frame: self.taken.append(message),
            snapshot_taken=self.snapshot_taken,
        )
        self.feed.attach(self.socket)

    def snapshot_taken(self) -> None:
        self.snapshots += 1


def subscription(publisher: zmq.Socket) -> bytes:
    assert publisher.poll(2000), "no subscription reached the publisher"
    return publisher.recv()


def test_a_gap_asks_for_a_snapshot_on_the_welcome_topic_and_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context = zmq.Context()
    publisher = context.socket(zmq.XPUB)
    publisher.setsockopt(zmq.XPUB_VERBOSE, 1)
    port = publisher.bind_to_random_port("tcp://127.0.0.1")
    subscriber = Subscriber(context, f"tcp://127.0.0.1:{port}")
    try:
        feed = subscriber.feed
        feed.take(encode(batch("AAPL", 0)))
        feed.take(encode(batch("AAPL", 2)))  # batch 1 was dropped on the way
        assert feed.awaiting_snapshot and feed.counters["gaps"] == 1
        assert subscription(publisher) == b"\x01" + WELCOME
        # Live frames wait while the snapshot is awaited.
        feed.on_frames([bar_topic("AAPL"), encode(batch("AAPL", 3))])
        assert subscriber.taken == [batch("AAPL", 0)]
        # Not answered in time (dropped too): asked again.
        monkeypatch.setattr(catch_up, "SNAPSHOT_RETRY_SECONDS", 0.0)
        feed.retry_if_due()
        assert subscription(publisher) == b"\x00" + WELCOME
        assert subscription(publisher) == b"\x01" + WELCOME
        end = SnapshotEnd(host="instruments-0", chunks=1)
        resent = [batch("AAPL", 1), batch("AAPL", 2), mark(0, {"AAPL": 2})]
        feed.on_frames([WELCOME, encode(end), *map(encode, resent)])
        assert subscriber.taken == [batch("AAPL", 0), *resent]
        assert not feed.awaiting_snapshot and subscriber.snapshots == 1
        assert feed.counters == {"gaps": 1, "snapshots": 1}
        assert subscription(publisher) == b"\x00" + WELCOME, "unsubscribed: the next gap asks anew"
    finally:
        subscriber.socket.close(0)
        publisher.close(0)
        context.term()


def test_a_gap_inside_a_snapshot_asks_again() -> None:
    context = zmq.Context()
    subscriber = Subscriber(context, "inproc://nowhere")
    try:
        feed = subscriber.feed
        feed.ask_snapshot()
        end = SnapshotEnd(host="instruments-0", chunks=1)
        feed.on_frames([WELCOME, encode(end), encode(batch("AAPL", 1))])
        assert feed.awaiting_snapshot and subscriber.snapshots == 0
        assert subscriber.taken == []
    finally:
        subscriber.socket.close(0)
        context.term()

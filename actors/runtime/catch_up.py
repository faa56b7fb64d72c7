"""A subscriber's side of the market data's stream: no frame is ever skipped silently.

Shared by the instrument hosts and the broker, which follow the stream, and rejoin it,
the same way.

Every batch carries its symbol's sequence number and every clock mark the chunk's number
and the sequence number of each batch in the chunk, so a subscriber can tell, frame by
frame, whether it is the next one (take it), one it has (drop it), or one past a hole (a
gap: a high-water mark overflowed, or the subscriber joined late or was restarted). A
subscriber never takes a frame past a hole, and never takes a clock mark before every
batch of the chunk it closes: a mark says "you have every bar up to here", and deciding
on a chunk with a batch missing would change the fills.

A gap is mended with the ZeroMQ guide's Clone pattern. The subscriber subscribes to its
welcome topic; on seeing that subscription the market data sends there, in one message
(a high-water mark drops whole messages, never part of one), every chunk the broker has
not passed, after ``SnapshotEnd``. Nothing the subscriber lacks is older: the broker
passes a chunk only once every subscriber has taken all of it. A gap at the end of what
was sent shows in no later frame; the market data's heartbeat (``StreamHead``) shows it.
Until the snapshot comes, live frames are dropped (the snapshot holds them, or a later
one will); if it does not come within ``SNAPSHOT_RETRY_SECONDS`` (it was dropped too),
it is asked for again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

import zmq

from tradeswarm.messages import AnyMessage, BarBatch, BarsPublished
from tradeswarm.messages.recovery import SnapshotEnd, StreamHead
from tradeswarm.messages.topics import WELCOME_PREFIX

SNAPSHOT_RETRY_SECONDS = 0.5


class Frame(Enum):
    TAKE = "take"  # live frames to take (each may still be one already had, or past a gap)
    SNAPSHOT = "snapshot"  # a welcome snapshot: SnapshotEnd, then the re-sent frames
    DROP = "drop"  # live, while a snapshot is awaited


class Arrival(Enum):
    NEW = "new"  # the next one: take it
    HAD = "had"  # already taken (re-sent in a snapshot, or live and in one): drop it
    GAP = "gap"  # past a hole: drop it and ask for a snapshot


def sort_market_frames(frames: list[bytes], awaiting_snapshot: bool) -> tuple[Frame, list[bytes]]:
    """What to do with one message from the market data's socket, and its bodies."""
    if frames[0].startswith(WELCOME_PREFIX):
        return Frame.SNAPSHOT, frames[1:]
    return (Frame.DROP if awaiting_snapshot else Frame.TAKE), frames[-1:]


class StreamPosition:
    """Where a subscriber is in the market data's streams: the next batch number of each
    symbol it takes (``symbols``; None: every symbol) and the next clock mark."""

    def __init__(self, symbols: frozenset[str] | None = None) -> None:
        self._symbols = symbols
        self._next_batch: dict[str, int] = {}
        self._next_mark = 0

    def batch(self, symbol: str, seq: int) -> Arrival:
        """A snapshot holds every symbol's batches: another subscriber's count as had."""
        if self._symbols is not None and symbol not in self._symbols:
            return Arrival.HAD
        expected = self._next_batch.get(symbol, 0)
        if seq < expected:
            return Arrival.HAD
        if seq > expected:
            return Arrival.GAP
        self._next_batch[symbol] = seq + 1
        return Arrival.NEW

    def mark(self, mark: BarsPublished) -> Arrival:
        """NEW only when it is the next mark and every batch of its chunk was taken."""
        if mark.seq < self._next_mark:
            return Arrival.HAD
        if mark.seq > self._next_mark or not self._has_batches(mark.batches):
            return Arrival.GAP
        self._next_mark = mark.seq + 1
        return Arrival.NEW

    def head(self, marks: int) -> Arrival:
        """The market data has published ``marks`` clock marks: a gap if some are not
        here. (Everything sent before the head has come, or has been dropped.)"""
        return Arrival.GAP if marks > self._next_mark else Arrival.HAD

    def _has_batches(self, batches: dict[str, int]) -> bool:
        taken = self._next_batch
        symbols = self._symbols
        if symbols is None:
            return all(taken.get(symbol, 0) > seq for symbol, seq in batches.items())
        if len(symbols) < len(batches):
            return all(
                taken.get(symbol, 0) > batches[symbol] for symbol in symbols if symbol in batches
            )
        return all(
            taken.get(symbol, 0) > seq for symbol, seq in batches.items() if symbol in symbols
        )


class MarketFeed:
    """The stream as one subscriber takes it: frames checked against its position, a
    snapshot asked for on a gap (and again until it comes), taken when it comes.

    ``decode`` counts what does not decode; ``take_batch`` and ``take_mark`` get each new
    frame with its bytes (to log); ``snapshot_taken`` is told when a snapshot has been."""

    def __init__(
        self,
        welcome: bytes,
        position: StreamPosition,
        *,
        decode: Callable[[bytes], AnyMessage | None],
        take_batch: Callable[[BarBatch, bytes], None],
        take_mark: Callable[[BarsPublished, bytes], None],
        snapshot_taken: Callable[[], None],
    ) -> None:
        self.welcome = welcome
        self.position = position
        self.counters = {"gaps": 0, "snapshots": 0}
        self.awaiting_snapshot = False
        self._decode = decode
        self._take_batch = take_batch
        self._take_mark = take_mark
        self._snapshot_taken = snapshot_taken
        self._socket: zmq.Socket | None = None
        self._asked_at = 0.0

    def attach(self, socket: zmq.Socket) -> None:
        """The SUB socket, once open (a restarted subscriber replays its log before)."""
        self._socket = socket

    def on_frames(self, frames: list[bytes]) -> None:
        what, bodies = sort_market_frames(frames, self.awaiting_snapshot)
        if what is Frame.TAKE:
            self.take(bodies[0])
        elif what is Frame.SNAPSHOT:
            self._take_snapshot(bodies)

    def take(self, frame: bytes) -> None:
        """One frame, live or from a log or a snapshot: taken only if it is the next."""
        message = self._decode(frame)
        if isinstance(message, BarBatch):
            arrival = self.position.batch(message.symbol, message.seq)
            if arrival is Arrival.NEW:
                self._take_batch(message, frame)
        elif isinstance(message, BarsPublished):
            arrival = self.position.mark(message)
            if arrival is Arrival.NEW:
                self._take_mark(message, frame)
        elif isinstance(message, StreamHead):
            arrival = self.position.head(message.marks)
        else:
            return
        if arrival is Arrival.GAP:
            self.counters["gaps"] += 1
            self.ask_snapshot()

    def ask_snapshot(self) -> None:
        """Subscribe to the welcome topic (again: the market data answers each time)."""
        if not self.awaiting_snapshot:
            self.awaiting_snapshot = True
            self._subscribe()

    def retry_if_due(self) -> None:
        """A snapshot can be dropped too: asked for again until one comes."""
        if self.awaiting_snapshot and time.monotonic() - self._asked_at >= SNAPSHOT_RETRY_SECONDS:
            self._subscribe()

    def _subscribe(self) -> None:
        self._asked_at = time.monotonic()
        if self._socket is not None:
            self._socket.setsockopt(zmq.UNSUBSCRIBE, self.welcome)
            self._socket.setsockopt(zmq.SUBSCRIBE, self.welcome)

    def _take_snapshot(self, bodies: list[bytes]) -> None:
        if not bodies or not isinstance(self._decode(bodies[0]), SnapshotEnd):
            return
        self.awaiting_snapshot = False  # a gap inside asks again
        self.counters["snapshots"] += 1
        for frame in bodies[1:]:
            self.take(frame)
        if not self.awaiting_snapshot:
            if self._socket is not None:
                self._socket.setsockopt(zmq.UNSUBSCRIBE, self.welcome)
            self._snapshot_taken()

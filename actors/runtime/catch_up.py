"""What a restarted subscriber makes of the market data's frames: shared by the
instrument hosts and the broker, which rejoin the stream the same way.

The Clone pattern (``messages.recovery``): the subscriber subscribes to its welcome topic
last; the market data re-sends there every chunk the broker has not passed, then
``SnapshotEnd``. Until that end, live frames are dropped: they are in the snapshot, or
were in the subscriber's own log. A frame the subscriber already has (re-sent, or live
and in the snapshot) is told apart by its sequence number.
"""

from __future__ import annotations

from enum import Enum

from tradeswarm.messages.topics import WELCOME_PREFIX


class Frame(Enum):
    TAKE = "take"  # a frame to take (it may still be one already had: see StreamPosition)
    SNAPSHOT_END = "snapshot end"  # the welcome snapshot is complete
    DROP = "drop"  # live, while a snapshot is awaited


def sort_market_frames(frames: list[bytes], awaiting_snapshot: bool) -> tuple[Frame, bytes]:
    """What to do with one message from the market data's socket, and its body."""
    if frames[0].startswith(WELCOME_PREFIX):
        if len(frames) == 3 and not frames[1]:
            return Frame.SNAPSHOT_END, frames[2]
        return Frame.TAKE, frames[-1]
    return (Frame.DROP if awaiting_snapshot else Frame.TAKE), frames[-1]


class StreamPosition:
    """Where a subscriber is in the market data's streams: the next batch number of each
    symbol and the next clock mark. A batch or mark below it was had already (re-sent to
    a restarted subscriber) and is dropped."""

    def __init__(self) -> None:
        self._next_batch: dict[str, int] = {}
        self._next_mark = 0

    def fresh_batch(self, symbol: str, seq: int) -> bool:
        if seq < self._next_batch.get(symbol, 0):
            return False
        self._next_batch[symbol] = seq + 1
        return True

    def fresh_mark(self, seq: int) -> bool:
        if seq < self._next_mark:
            return False
        self._next_mark = seq + 1
        return True

"""A rejoining subscriber takes the welcome snapshot, drops live frames until its end, and
tells a frame it has from a new one by sequence number."""

from __future__ import annotations

from tradeswarm.actors.runtime.catch_up import Frame, StreamPosition, sort_market_frames
from tradeswarm.messages.topics import CLOCK, bar_topic, welcome_topic


def test_live_frames_wait_for_the_snapshot_and_the_snapshot_is_taken() -> None:
    welcome = welcome_topic("instruments-0")
    live = [bar_topic("AAPL"), b"batch"]
    assert sort_market_frames(live, awaiting_snapshot=True) == (Frame.DROP, b"batch")
    assert sort_market_frames(live, awaiting_snapshot=False) == (Frame.TAKE, b"batch")
    resent = [welcome, CLOCK, b"mark"]
    assert sort_market_frames(resent, awaiting_snapshot=True) == (Frame.TAKE, b"mark")
    end = [welcome, b"", b"end"]
    assert sort_market_frames(end, awaiting_snapshot=True) == (Frame.SNAPSHOT_END, b"end")


def test_a_batch_or_mark_already_had_is_not_fresh() -> None:
    position = StreamPosition()
    assert position.fresh_batch("AAPL", 0) and position.fresh_batch("AAPL", 1)
    assert not position.fresh_batch("AAPL", 1)
    assert position.fresh_batch("MSFT", 0)
    assert position.fresh_mark(0) and not position.fresh_mark(0) and position.fresh_mark(2)

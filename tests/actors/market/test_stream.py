"""Symbols' chunked bar streams merged into chunks of whole sessions, nothing lost or doubled."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.feed import session_events
from tradeswarm.actors.market.sessions import session_spans
from tradeswarm.actors.market.stream import BarStream
from tradeswarm.actors.market.synthetic import synthetic_minute_bars
from tradeswarm.messages import SessionEventKind


def pieces(bars: BarColumns, size: int) -> Iterator[BarColumns]:
    for start in range(0, len(bars), size):
        end = start + size
        yield BarColumns(
            bars.symbol,
            bars.ts_ns[start:end],
            bars.open[start:end],
            bars.high[start:end],
            bars.low[start:end],
            bars.close[start:end],
            bars.volume[start:end],
        )


def drain(stream: BarStream) -> list:
    chunks = []
    while (chunk := stream.next_chunk()) is not None:
        chunks.append(chunk)
    return chunks


def test_chunks_hold_whole_sessions_and_every_bar_once() -> None:
    whole = synthetic_minute_bars(("A", "B"), 390 * 5 + 100, seed=4)
    stream = BarStream(
        {symbol: pieces(bars, 97) for symbol, bars in whole.items()}, "XNYS", target_bars=500
    )
    chunks = drain(stream)
    assert chunks[-1].final and not any(chunk.final for chunk in chunks[:-1])
    for symbol, bars in whole.items():
        got = np.concatenate([c.bars[symbol].ts_ns for c in chunks if symbol in c.bars])
        assert np.array_equal(got, bars.ts_ns)
        closes = np.concatenate([c.bars[symbol].close for c in chunks if symbol in c.bars])
        assert np.array_equal(closes, bars.close)
    sessions = [span.session for c in chunks for span in session_spans(c.timeline, "XNYS")]
    assert len(sessions) == len(set(sessions)) == 6  # no session split across two chunks


def test_the_session_events_are_those_of_the_whole_timeline() -> None:
    whole = synthetic_minute_bars(("A",), 390 * 3, seed=2)
    chunks = drain(BarStream({"A": pieces(whole["A"], 50)}, "XNYS", target_bars=1))
    streamed = [event for chunk in chunks for event in chunk.sessions]
    assert streamed == session_events(whole["A"].ts_ns, "XNYS")
    assert [e.kind for e in streamed[:2]] == [
        SessionEventKind.SESSION_OPEN,
        SessionEventKind.SESSION_CLOSE,
    ]


def test_a_symbol_that_ends_early_does_not_hold_the_others_back() -> None:
    long = synthetic_minute_bars(("A", "B"), 390 * 4, seed=1)
    short = pieces(long["B"], 390), long["B"]
    streams = {"A": pieces(long["A"], 100), "B": iter([next(short[0])])}  # B: one session
    chunks = drain(BarStream(streams, "XNYS", target_bars=100))
    assert sum(len(c.bars["A"]) for c in chunks if "A" in c.bars) == 390 * 4
    assert sum(len(c.bars["B"]) for c in chunks if "B" in c.bars) == 390
    assert chunks[-1].final


def test_no_bars_at_all_is_one_final_empty_chunk() -> None:
    empty = synthetic_minute_bars(("A",), 0, seed=1)["A"]
    stream = BarStream({"A": iter([empty])}, "XNYS")
    (chunk,) = drain(stream)
    assert chunk.final and len(chunk.timeline) == 0 and chunk.bars == {}


def test_chunks_grow_to_the_target_where_the_data_allows() -> None:
    whole = synthetic_minute_bars(("A",), 390 * 10, seed=3)
    chunks = drain(BarStream({"A": pieces(whole["A"], 390)}, "XNYS", target_bars=390 * 3))
    assert [len(chunk.timeline) for chunk in chunks] == [390 * 3] * 3 + [390]


def test_a_chunk_ends_at_the_first_session_that_gives_it_enough_bars() -> None:
    # Read far ahead (pieces of four sessions), a chunk still holds one session when one
    # session has the target: what keeps a thousand symbols' chunks small.
    whole = synthetic_minute_bars(("A", "B"), 390 * 8, seed=6)
    stream = BarStream(
        {symbol: pieces(bars, 390 * 4) for symbol, bars in whole.items()}, "XNYS", target_bars=780
    )
    chunks = drain(stream)
    assert [len(session_spans(c.timeline, "XNYS")) for c in chunks] == [1] * 8
    assert all(sum(len(b) for b in c.bars.values()) == 780 for c in chunks)

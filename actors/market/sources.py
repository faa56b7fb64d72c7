"""Where a run's bars come from, as data: a source travels to the market-data process as
msgpack and is streamed there (``stream_bars``), a chunk at a time, never whole."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.config import BarSource, FileSource, SyntheticSource
from tradeswarm.actors.market.readers import read_bars, read_long_bars
from tradeswarm.actors.market.synthetic import synthetic_streams

__all__ = ["load_bars", "stream_bars"]


def stream_bars(source: BarSource, calendar: str | None) -> dict[str, Iterator[BarColumns]]:
    """Each symbol's bars as an iterator of chunks, in time order (``actors.market.stream``
    merges them). ``calendar`` places intraday bars stamped at their open and checks that
    every bar falls in a session; None reads the sessions off the bars."""
    if isinstance(source, SyntheticSource):
        return synthetic_streams(
            source.symbols,
            source.bars_per_symbol,
            seed=source.seed,
            start=source.start,
            start_price=source.start_price,
            drift=source.drift,
            volatility=source.volatility,
            calendar=source.calendar,
        )
    return _file_streams(source, calendar)


def load_bars(source: BarSource, calendar: str | None) -> dict[str, BarColumns]:
    """Each symbol's bars whole: for tests, tools and small data; a run streams."""
    return {
        symbol: BarColumns.concatenated(symbol, list(chunks))
        for symbol, chunks in stream_bars(source, calendar).items()
    }


def _file_streams(source: FileSource, calendar: str | None) -> dict[str, Iterator[BarColumns]]:
    by_path: dict[str, list[str]] = {}
    for symbol, path in source.paths.items():
        by_path.setdefault(path, []).append(symbol)
    streams: dict[str, Iterator[BarColumns]] = {}
    for path, symbols in by_path.items():
        if len(symbols) == 1:
            (symbol,) = symbols
            streams[symbol] = read_bars(
                path,
                symbol,
                source.layout,
                calendar,
                final_ratio=source.final_ratios.get(symbol),
                bar_seconds=source.bar_seconds.get(symbol),
            )
            continue
        long_file = read_long_bars(
            path,
            symbols,
            source.layout,
            calendar,
            final_ratios={s: source.final_ratios[s] for s in symbols if s in source.final_ratios},
            bar_seconds={s: source.bar_seconds[s] for s in symbols if s in source.bar_seconds},
        )
        streams.update(_demultiplexed(long_file, symbols))
    return streams


def _demultiplexed(
    chunks: Iterator[dict[str, BarColumns]], symbols: Sequence[str]
) -> dict[str, Iterator[BarColumns]]:
    """One long file's chunks as one iterator per symbol: asking any symbol for its next
    piece reads the file on until that symbol has one, queueing the others' pieces (the
    merge asks the symbol furthest behind, so the queues stay a chunk or two long)."""
    queues: dict[str, deque[BarColumns]] = {symbol: deque() for symbol in symbols}
    ended = [False]

    def read_until(symbol: str) -> Iterator[BarColumns]:
        queue = queues[symbol]
        while True:
            while not queue and not ended[0]:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    ended[0] = True
                    break
                for name, piece in chunk.items():
                    queues[name].append(piece)
            if not queue:
                return
            yield queue.popleft()

    return {symbol: read_until(symbol) for symbol in symbols}

"""Where a run's bars come from, as data: a source travels to the market-data process as
msgpack and is loaded there (``load_bars``).

A data file is parsed once per process: the runner reads every file to validate it before
any actor starts, and in the ``single`` topology the market data runs in that same
process, so loads are cached by path, modification time and size (a file edited between
two runs is read again).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.config import BarSource, CsvSource, SyntheticSource
from tradeswarm.actors.market.csv_bars import load_csv_bars
from tradeswarm.actors.market.synthetic import synthetic_minute_bars, synthetic_streams


def stream_bars(source: BarSource) -> dict[str, Iterator[BarColumns]]:
    """Each symbol's bars as an iterator of chunks, in time order (``actors.market.stream``
    merges them)."""
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
    return {symbol: iter([bars]) for symbol, bars in load_bars(source).items()}


def load_bars(source: BarSource) -> dict[str, BarColumns]:
    if isinstance(source, CsvSource):
        return {
            symbol: _csv_bars(Path(path), symbol, source.adjust)
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


def _csv_bars(path: Path, symbol: str, adjust: bool) -> BarColumns:
    try:
        stat = path.stat()
    except OSError:  # let the loader say what is wrong, in its words
        return load_csv_bars(path, symbol, adjust=adjust)
    return _cached_csv_bars(str(path.resolve()), stat.st_mtime_ns, stat.st_size, symbol, adjust)


@lru_cache(maxsize=64)
def _cached_csv_bars(path: str, mtime_ns: int, size: int, symbol: str, adjust: bool) -> BarColumns:
    columns = load_csv_bars(Path(path), symbol, adjust=adjust)
    for array in (columns.ts_ns, columns.open, columns.high, columns.low, columns.close):
        array.flags.writeable = False  # shared by every caller in this process
    columns.volume.flags.writeable = False
    return columns

"""Seeded synthetic minute bars, for tests and benchmarks that need many bars and no files.

The prices are a geometric Brownian motion drawn from the seed alone; an exchange calendar
only places them in time, on its sessions' trading minutes, so the same seed gives the same
prices on any calendar and on any machine (for one numpy version).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache

import numpy as np

from tradeswarm.actors.market.bars import EPOCH_ORDINAL, NS_PER_MINUTE, BarColumns
from tradeswarm.actors.market.sessions import session_table

__all__ = [
    "chunk_bars_for",
    "session_minute_timestamps",
    "synthetic_minute_bars",
    "synthetic_streams",
]

MINUTES_PER_SESSION = 390


def session_minute_timestamps(start: str, count: int, calendar: str, first: int = 0) -> np.ndarray:
    """Close times of trading minutes ``first`` to ``first + count`` of ``calendar`` from
    ``start`` on.

    Holidays have no minutes, an early close ends early and a lunch break is skipped, as
    the calendar says. Each session is at most two intervals of whole minutes, so the
    minutes are laid out by arithmetic on those intervals, never by listing them.
    """
    interval_starts, lengths, ends = _minute_intervals(start, calendar)
    if first + count > (int(ends[-1]) if len(ends) else 0):
        last_day = session_table(calendar).days[-1]
        raise ValueError(
            f"{first + count} minute bars from {start} run past the last {calendar} session, "
            f"{np.datetime64(int(last_day), 'D')}; ask for fewer bars or start earlier"
        )
    index = np.arange(first, first + count, dtype=np.int64)
    interval = np.searchsorted(ends, index, side="right")
    minute = index - (ends[interval] - lengths[interval])
    return interval_starts[interval] + (minute + 1) * NS_PER_MINUTE


@lru_cache(maxsize=8)
def _minute_intervals(start: str, calendar: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The trading intervals from ``start`` on: their first nanosecond, their length in
    minutes and the running total of minutes at each one's end. Cached: a thousand symbols'
    streams ask for the same clock chunk after chunk."""
    table = session_table(calendar)
    try:
        first_day = date.fromisoformat(start).toordinal() - EPOCH_ORDINAL
    except ValueError:
        raise ValueError(f"start {start!r} is not a date as YYYY-MM-DD") from None
    if first_day < table.days[0]:
        raise ValueError(
            f"start {start} is before the first {calendar} session the calendar holds, "
            f"{np.datetime64(int(table.days[0]), 'D')}; start later"
        )
    day = int(np.searchsorted(table.days, first_day))
    interval_starts = np.column_stack((table.opens, table.break_ends))[day:].ravel()
    interval_ends = np.column_stack((table.break_starts, table.closes))[day:].ravel()
    lengths = (interval_ends - interval_starts) // NS_PER_MINUTE
    for array in (interval_starts, lengths):
        array.flags.writeable = False
    ends = np.cumsum(lengths)
    ends.flags.writeable = False
    return interval_starts, lengths, ends


CHUNK_BARS = 4096  # bars a symbol's stream yields at a time, at most
BUFFER_BARS = 1 << 20  # bars of all symbols read ahead at a time, about 48 MB, at most


def chunk_bars_for(symbols: int) -> int:
    """Bars per chunk for one of ``symbols`` streams read side by side: smaller chunks for
    many symbols, so reading ahead stays within ``BUFFER_BARS`` (never under a session)."""
    return max(MINUTES_PER_SESSION, min(CHUNK_BARS, BUFFER_BARS // max(symbols, 1)))


class _Path:
    """One symbol's GBM, drawn a chunk at a time. Each quantity (close steps, the two wicks,
    volume) has a generator of its own, spawned from the symbol's seed, so drawing in chunks
    gives exactly the numbers drawing all at once would: the chunk size changes nothing."""

    def __init__(
        self, seed: np.random.SeedSequence, start_price: float, drift: float, volatility: float
    ) -> None:
        self.steps, self.ups, self.downs, self.volumes = (
            np.random.Generator(np.random.PCG64(child)) for child in seed.spawn(4)
        )
        self.dt = 1.0 / (252 * MINUTES_PER_SESSION)
        self.sigma = volatility * math.sqrt(self.dt)
        self.mean = (drift - volatility**2 / 2) * self.dt
        self.log_level = math.log(start_price)  # log of the exact close so far
        self.last_close = max(round(start_price, 2), 0.01)

    def draw(self, count: int) -> tuple[np.ndarray, ...]:
        """OHLCV of the next ``count`` bars: the exact GBM close rounded to cents (so
        rounding never accumulates), open the previous rounded close, wicks of about half a
        minute's sigma kept outside the body, a one-cent floor."""
        log_close = self.log_level + np.cumsum(
            self.mean + self.sigma * self.steps.standard_normal(count)
        )
        self.log_level = float(log_close[-1]) if count else self.log_level
        close = np.maximum(np.round(np.exp(log_close), 2), 0.01)
        open_ = np.empty(count)
        if count:
            open_[0] = self.last_close
            open_[1:] = close[:-1]
            self.last_close = float(close[-1])
        body_high, body_low = np.maximum(open_, close), np.minimum(open_, close)
        up = self.ups.exponential(self.sigma / 2, count)
        down = self.downs.exponential(self.sigma / 2, count)
        high = np.maximum(np.round(body_high * np.exp(up), 2), body_high)
        low = np.maximum(np.minimum(np.round(body_low * np.exp(-down), 2), body_low), 0.01)
        volume = np.maximum(np.round(self.volumes.lognormal(math.log(10_000), 0.5, count)), 1.0)
        return open_, high, low, close, volume


def synthetic_streams(
    symbols: Sequence[str],
    bars_per_symbol: int,
    *,
    seed: int,
    start: str = "2024-01-02",
    start_price: float = 100.0,
    drift: float = 0.05,
    volatility: float = 0.2,
    calendar: str = "XNYS",
    chunk_bars: int | None = None,
) -> dict[str, Iterator[BarColumns]]:
    """Each symbol's bars as an iterator of chunks: no symbol's bars are ever all in memory,
    and the bars are those ``synthetic_minute_bars`` gives, whatever ``chunk_bars`` (by
    default ``chunk_bars_for(len(symbols))``)."""
    chunk_bars = chunk_bars or chunk_bars_for(len(symbols))
    if bars_per_symbol < 0:
        raise ValueError(f"bars_per_symbol is {bars_per_symbol}, must not be negative")
    if start_price <= 0 or volatility < 0:
        raise ValueError("start_price must be positive and volatility not negative")
    if len(set(symbols)) != len(symbols):
        raise ValueError(f"symbols repeat: {list(symbols)}")
    session_minute_timestamps(start, bars_per_symbol, calendar)  # fail now, not mid-stream
    seeds = np.random.SeedSequence(seed).spawn(len(symbols))
    return {
        symbol: _chunks(
            symbol,
            _Path(child, start_price, drift, volatility),
            bars_per_symbol,
            start,
            calendar,
            chunk_bars,
        )
        for symbol, child in zip(symbols, seeds, strict=True)
    }


def _chunks(
    symbol: str, path: _Path, total: int, start: str, calendar: str, chunk_bars: int
) -> Iterator[BarColumns]:
    for first in range(0, total, chunk_bars):
        count = min(chunk_bars, total - first)
        ts_ns = session_minute_timestamps(start, count, calendar, first)
        yield BarColumns(symbol, ts_ns, *path.draw(count))


def synthetic_minute_bars(
    symbols: Sequence[str],
    bars_per_symbol: int,
    *,
    seed: int,
    start: str = "2024-01-02",
    start_price: float = 100.0,
    drift: float = 0.05,
    volatility: float = 0.2,
    calendar: str = "XNYS",
) -> dict[str, BarColumns]:
    """Seeded GBM minute bars for tests and benchmarks, the same for a seed everywhere.

    The bars fill the trading minutes of ``calendar``'s sessions from ``start`` on, every
    symbol on the same clock: for XNYS 09:31-16:00 New York, no bars on holidays, and an
    early close ends at 13:00. A bar is stamped with its minute's close. The prices depend
    on the seed alone, never on the calendar, which only places them in time.

    Each symbol draws from its own streams spawned from ``seed`` by its position in
    ``symbols``, so adding a symbol at the end leaves the others' bars unchanged. (numpy
    promises Generator streams per version, not across versions.) An unknown calendar
    name raises ``ValueError``.
    """
    streams = synthetic_streams(
        symbols,
        bars_per_symbol,
        seed=seed,
        start=start,
        start_price=start_price,
        drift=drift,
        volatility=volatility,
        calendar=calendar,
    )
    return {
        symbol: BarColumns.concatenated(symbol, list(chunks)) for symbol, chunks in streams.items()
    }

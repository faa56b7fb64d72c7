"""Seeded synthetic minute bars, for tests and benchmarks that need many bars and no files.

The prices are a geometric Brownian motion drawn from the seed alone; an exchange calendar
only places them in time, on its sessions' trading minutes, so the same seed gives the same
prices on any calendar and on any machine (for one numpy version).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np

from tradeswarm.actors.market.bars import EPOCH_ORDINAL, NS_PER_MINUTE, BarColumns
from tradeswarm.actors.market.sessions import session_table

__all__ = ["synthetic_minute_bars"]

MINUTES_PER_SESSION = 390


def session_minute_timestamps(start: str, count: int, calendar: str) -> np.ndarray:
    """Close times of the first ``count`` trading minutes of ``calendar`` from ``start`` on.

    Holidays have no minutes, an early close ends early and a lunch break is skipped, as
    the calendar says. Each session is at most two intervals of whole minutes, so the
    minutes are laid out by arithmetic on those intervals, never by listing them.
    """
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
    first = int(np.searchsorted(table.days, first_day))
    interval_starts = np.column_stack((table.opens, table.break_ends))[first:].ravel()
    interval_ends = np.column_stack((table.break_starts, table.closes))[first:].ravel()
    lengths = (interval_ends - interval_starts) // NS_PER_MINUTE
    ends = np.cumsum(lengths)
    if count > (int(ends[-1]) if len(ends) else 0):
        raise ValueError(
            f"{count} minute bars from {start} run past the last {calendar} session, "
            f"{np.datetime64(int(table.days[-1]), 'D')}; ask for fewer bars or start earlier"
        )
    index = np.arange(count, dtype=np.int64)
    interval = np.searchsorted(ends, index, side="right")
    minute = index - (ends[interval] - lengths[interval])
    return interval_starts[interval] + (minute + 1) * NS_PER_MINUTE


def _gbm_bars(
    rng: np.random.Generator,
    count: int,
    start_price: float,
    drift: float,
    volatility: float,
) -> tuple[np.ndarray, ...]:
    """OHLCV of one symbol: a GBM close path at cent precision, wicks around it.

    Closes are the exact GBM path rounded to cents, not a walk of rounded steps, so the path
    is vectorised and rounding never accumulates; open is then the previous rounded close.
    A one-cent floor keeps prices positive however far the path falls.
    """
    if count == 0:
        return tuple(np.empty(0) for _ in range(5))
    dt = 1.0 / (252 * MINUTES_PER_SESSION)
    step_sigma = volatility * math.sqrt(dt)
    log_steps = (drift - volatility**2 / 2) * dt + step_sigma * rng.standard_normal(count)
    exact_close = start_price * np.exp(np.cumsum(log_steps))
    close = np.maximum(np.round(exact_close, 2), 0.01)
    open_ = np.empty(count)
    open_[0] = max(round(start_price, 2), 0.01)
    open_[1:] = close[:-1]
    body_high = np.maximum(open_, close)
    body_low = np.minimum(open_, close)
    # Wicks of about half a minute's sigma; the max/min after rounding keep OHLC valid.
    up = rng.exponential(step_sigma / 2, count)
    down = rng.exponential(step_sigma / 2, count)
    high = np.maximum(np.round(body_high * np.exp(up), 2), body_high)
    low = np.maximum(np.minimum(np.round(body_low * np.exp(-down), 2), body_low), 0.01)
    volume = np.maximum(np.round(rng.lognormal(math.log(10_000), 0.5, count)), 1.0)
    return open_, high, low, close, volume


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

    Each symbol draws from its own PCG64 stream spawned from ``seed`` by its position in
    ``symbols``, so adding a symbol at the end leaves the others' bars unchanged. (numpy
    promises Generator streams per version, not across versions.) An unknown calendar
    name raises ``ValueError``.
    """
    if bars_per_symbol < 0:
        raise ValueError(f"bars_per_symbol is {bars_per_symbol}, must not be negative")
    if start_price <= 0 or volatility < 0:
        raise ValueError("start_price must be positive and volatility not negative")
    if len(set(symbols)) != len(symbols):
        raise ValueError(f"symbols repeat: {list(symbols)}")
    ts_ns = session_minute_timestamps(start, bars_per_symbol, calendar)
    streams = np.random.SeedSequence(seed).spawn(len(symbols))
    result: dict[str, BarColumns] = {}
    for symbol, stream in zip(symbols, streams, strict=True):
        rng = np.random.Generator(np.random.PCG64(stream))
        o, h, lo, c, v = _gbm_bars(rng, bars_per_symbol, start_price, drift, volatility)
        result[symbol] = BarColumns(symbol, ts_ns.copy(), o, h, lo, c, v)
    return result

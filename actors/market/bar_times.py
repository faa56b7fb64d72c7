"""A file's timestamp column as int64 keys: session days for daily bars, ns UTC for the rest.

Accepted forms: dates (``2024-01-02``), times with an offset or ``Z``
(``2024-01-02T09:31:00-05:00``), and times without one, which need ``Layout.timezone``; in
Parquet also date and timestamp columns. A ``Clock`` decided once per file from its first
rows fixes how the whole file is read: daily when its timestamps are dates, or all local
midnights (pandas writes dates as midnight datetimes; yfinance adds the exchange's
offset); else intraday. Conversion is pyarrow's, vectorised; a value that fails is found by
bisecting the chunk, so the error names its row without a loop over the good ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tradeswarm.actors.market.bars import NS_PER_DAY
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.row_checks import BadRow

__all__ = ["ACCEPTED_FORMS", "Clock", "arrow_type_of_text", "decide_clock", "decode", "key_text"]

ACCEPTED_FORMS = (
    "accepted: 2024-01-02, 2024-01-02T09:31:00-05:00, 2024-01-02 14:31:00Z, "
    "or 2024-01-02 09:31:00 with data.timezone"
)
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = _DATE + r"[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_FORMS = {
    pa.date32(): re.compile(_DATE),
    pa.timestamp("ns"): re.compile(_TIME),
    pa.timestamp("ns", "UTC"): re.compile(_TIME + r"(Z|[+-]\d{2}(:?\d{2})?)"),
}
_NOT_A_TIME = f"not a timestamp ({ACCEPTED_FORMS})"


def arrow_type_of_text(text: str) -> pa.DataType | None:
    """The arrow type a timestamp written as ``text`` converts to, None for no known form."""
    for arrow_type, pattern in _FORMS.items():
        if pattern.fullmatch(text.strip()):
            return arrow_type
    return None


@dataclass(frozen=True)
class Clock:
    """How one file's timestamps become keys.

    ``daily``: keys are session days; else ns UTC. ``zone``: the zone of naive intraday
    times (``Layout.timezone``), or the zone whose midnights make an offset timestamp a
    date. ``text_type``: what a text column (Parquet strings) is converted to first.
    """

    daily: bool
    zone: str
    text_type: pa.DataType | None = None


class _TimeInDailyFile(ValueError):
    """A row with a time of day in a file whose first rows are dates."""


class _NoZone(LookupError):
    """A time without an offset, and no ``Layout.timezone`` to place it."""


_FAILURES = (pa.ArrowException, _TimeInDailyFile, _NoZone)


def _typed(column: pa.ChunkedArray, text_type: pa.DataType | None) -> pa.ChunkedArray:
    """Texts converted, timestamps in ns (zone kept), dates as date32; other types as they are."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.cast(column, text_type or pa.timestamp("ns"))
    if pa.types.is_timestamp(column.type):
        return pc.cast(column, pa.timestamp("ns", column.type.tz))
    if pa.types.is_date64(column.type):
        return pc.cast(column, pa.date32())
    return column


def _int64(column: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_date32(column.type):
        return np.asarray(pc.cast(column, pa.int32()).to_numpy(), dtype=np.int64)
    return np.asarray(pc.cast(column, pa.int64()).to_numpy(), dtype=np.int64)


def _wall_ns(column: pa.ChunkedArray, zone: str) -> np.ndarray:
    """Local wall-clock ns of timestamps: naive ones as they are, aware ones in their own
    zone, or in ``zone`` when theirs is UTC (a CSV offset is converted to UTC on reading)."""
    if column.type.tz is not None:
        own = zone if column.type.tz in ("UTC", "+00:00", "Z") else column.type.tz
        column = pc.local_timestamp(pc.cast(column, pa.timestamp("ns", own)))
    return _int64(column)


def decide_clock(sample: pa.ChunkedArray, layout: Layout, date_zone: str) -> Clock:
    """The clock of a file whose first timestamps are ``sample``.

    ``date_zone`` is the calendar's zone (New York without one): offset timestamps that are
    all midnights there, or in their own zone, are dates.
    """
    sample = sample.drop_null()
    text_type = None
    if len(sample) and (pa.types.is_string(sample.type) or pa.types.is_large_string(sample.type)):
        text_type = arrow_type_of_text(str(sample[0]))
    intraday = Clock(daily=False, zone=layout.timezone, text_type=text_type)
    try:
        typed = _typed(sample, text_type)
    except _FAILURES:
        return intraday
    if pa.types.is_date(typed.type):
        return Clock(daily=True, zone=date_zone, text_type=text_type)
    if not pa.types.is_timestamp(typed.type) or len(typed) == 0:
        return intraday
    if bool((_wall_ns(typed, date_zone) % NS_PER_DAY).any()):
        return intraday
    return Clock(daily=True, zone=date_zone, text_type=text_type)


def key_text(key: int, daily: bool) -> str:
    """A key as a person reads it: the date, or the ISO time in UTC."""
    if daily:
        return str(np.datetime64(key, "D"))
    return str(np.datetime64(key, "ns")).removesuffix(".000000000") + "Z"


def _first_failure(column: pa.ChunkedArray, convert: Callable[[pa.ChunkedArray], object]) -> int:
    """Index of the first value ``convert`` rejects, given that it rejects the whole column."""
    good, bad = 0, len(column)  # convert(column[:good]) succeeds, convert(column[:bad]) fails
    while bad - good > 1:
        middle = (good + bad) // 2
        try:
            convert(column.slice(0, middle))
            good = middle
        except _FAILURES:
            bad = middle
    return good


def _keys(column: pa.ChunkedArray, clock: Clock) -> np.ndarray:
    typed = _typed(column, clock.text_type)
    if clock.daily:
        if pa.types.is_date32(typed.type):
            return _int64(typed)
        if not pa.types.is_timestamp(typed.type):
            raise pa.ArrowTypeError(f"{typed.type} is neither a date nor a timestamp")
        wall = _wall_ns(typed, clock.zone)
        if bool((wall % NS_PER_DAY).any()):
            raise _TimeInDailyFile
        return wall // NS_PER_DAY
    if not pa.types.is_timestamp(typed.type):
        raise pa.ArrowTypeError(f"{typed.type} is no timestamp")
    if typed.type.tz is None:
        if not clock.zone:
            raise _NoZone
        typed = pc.assume_timezone(typed, clock.zone)
    return _int64(typed)


def _problem(column: pa.ChunkedArray, at: int, clock: Clock) -> tuple[str, str]:
    """Why row ``at`` of ``column`` has no key, and the fix."""
    try:
        _keys(column.slice(at, 1), clock)
    except _TimeInDailyFile:
        return "a time in a file of daily bars (its first rows are dates)", (
            "one file holds one form of timestamp; fix or remove the row"
        )
    except _NoZone:
        return "a time without a UTC offset, and data.timezone is not set", (
            'set data.timezone to the zone of the file\'s times, e.g. "America/New_York", '
            "or write them with their offset"
        )
    except pa.ArrowInvalid as error:
        if "timezone" in str(error):
            return f"ambiguous or missing in {clock.zone} (a daylight-saving switch)", (
                "write the file's times in UTC or with their offset"
            )
    except pa.ArrowException:
        pass
    return _NOT_A_TIME, "fix the row or convert the column"


def decode(
    column: pa.ChunkedArray, clock: Clock, rows: np.ndarray
) -> tuple[np.ndarray, BadRow | None]:
    """Keys of ``column``, and the first row that has none (the keys before it are good).

    ``rows`` maps positions to file rows, for the ``BadRow``.
    """
    limit = len(column)
    if column.null_count:
        limit = int(np.argmax(column.is_null().to_numpy()))
    part = column.slice(0, limit)
    keys = np.zeros(len(column), dtype=np.int64)
    problem, fix = "empty", "fix or remove the row"
    try:
        keys[:limit] = _keys(part, clock)
        bad_at = limit
    except _FAILURES:
        bad_at = _first_failure(part, lambda prefix: _keys(prefix, clock))
        if bad_at:
            keys[:bad_at] = _keys(part.slice(0, bad_at), clock)
        problem, fix = _problem(part, bad_at, clock)
    if bad_at == len(column):
        return keys, None
    value = column[bad_at]
    text = str(value) if value.is_valid else "null"
    return keys, BadRow(int(rows[bad_at]), "timestamp", text, problem, fix)

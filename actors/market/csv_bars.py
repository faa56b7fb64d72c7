"""Real daily bars from vendor CSV files (``date,open,high,low,close,volume,adj_close``).

Every row is validated, because a bad vendor row would otherwise surface as a baffling fill
much later; a ``DataError`` names the file, the line, the field and the fix. A daily bar is
stamped with its close, 16:00 New York wall time converted through zoneinfo, so a bar keeps
its place in the session across daylight-saving switches.
"""

from __future__ import annotations

import csv
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import numpy as np

from tradeswarm.actors.market.bars import (
    EPOCH_ORDINAL,
    NS_PER_DAY,
    NS_PER_MINUTE,
    BarColumns,
    DataError,
)

__all__ = ["load_csv_bars"]

NEW_YORK = ZoneInfo("America/New_York")
CSV_COLUMNS = ("date", "open", "high", "low", "close", "volume", "adj_close")
OHLC_TOLERANCE = 1e-9
SESSION_CLOSE_MINUTE = 16 * 60

_PRICE_FIELDS = ("open", "high", "low", "close", "adj_close")
_HEADER = ",".join(CSV_COLUMNS)


def _ny_offset_ns(day: int, minute_of_day: int) -> int:
    hour, minute = divmod(minute_of_day, 60)
    d = date.fromordinal(day + EPOCH_ORDINAL)
    offset = datetime(d.year, d.month, d.day, hour, minute, tzinfo=NEW_YORK).utcoffset()
    assert offset is not None
    return offset // timedelta(microseconds=1) * 1000


def _ny_wall_time_to_utc_ns(days: np.ndarray, minute_of_day: int) -> np.ndarray:
    """UTC ns of one New York wall-clock time on each of ``days`` (ascending, days since epoch).

    Asking zoneinfo about every day costs as much as parsing the whole file, so it is asked
    every four weeks and bisected where the offset changed: New York never changes its
    offset twice within four weeks (tzdata has them ten weeks apart or more since 1883).
    Session hours never fall in a DST gap or overlap, so the offset is never ambiguous.
    """
    if len(days) == 0:
        return np.empty(0, dtype=np.int64)
    first, last = int(days[0]), int(days[-1])
    starts, offsets = [first], [_ny_offset_ns(first, minute_of_day)]
    knot = first
    while knot < last:
        following = min(knot + 28, last)
        offset = _ny_offset_ns(following, minute_of_day)
        if offset != offsets[-1]:
            before, after = knot, following
            while after - before > 1:
                middle = (before + after) // 2
                if _ny_offset_ns(middle, minute_of_day) == offsets[-1]:
                    before = middle
                else:
                    after = middle
            starts.append(after)
            offsets.append(offset)
        knot = following
    day_offsets = np.array(offsets, dtype=np.int64)[np.searchsorted(starts, days, "right") - 1]
    wall_ns = days.astype(np.int64) * NS_PER_DAY + minute_of_day * NS_PER_MINUTE
    return wall_ns - day_offsets


def _parse_day(text: str) -> int:
    """Days since the epoch; only YYYY-MM-DD, since fromisoformat alone accepts other forms."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    return date.fromisoformat(text).toordinal() - EPOCH_ORDINAL


def _read_rows(path: Path) -> tuple[list[list[str]], list[int]]:
    """The data rows and their line numbers, once the file, header and field counts are right."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: no such data file; check [data] path in the scenario") from None
    rows: list[list[str]] = []
    lines: list[int] = []
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(
                f"{path}:1: file is empty; expected the header {_HEADER!r} and one row per day"
            )
        if [name.strip().lower() for name in header] != list(CSV_COLUMNS):
            raise DataError(
                f"{path}:1: header is {','.join(header)!r}, expected "
                f"{_HEADER!r}; fix the header or the column order"
            )
        for fields in reader:
            if len(fields) == len(CSV_COLUMNS):
                rows.append(fields)
                lines.append(reader.line_num)
            elif fields:
                field = CSV_COLUMNS[min(len(fields), len(CSV_COLUMNS) - 1)]
                what = "missing" if len(fields) < len(CSV_COLUMNS) else "followed by extra fields"
                raise DataError(
                    f"{path}:{reader.line_num}: {len(fields)} fields, expected "
                    f"{len(CSV_COLUMNS)} ({_HEADER}); field {field!r} is {what}; "
                    "fix or remove the row"
                )
    if not rows:
        raise DataError(f"{path}:2: file has a header but no rows; add one row per day ({_HEADER})")
    return rows, lines


def _parse_columns(rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray] | None:
    """Days and the six number columns if every row is valid, else None.

    Checks whole columns at once because that is fast; which row is wrong and why is left
    to ``_raise_for_first_bad_row``, which walks the rows only when something is wrong.
    """
    date_texts, *number_texts = zip(*rows, strict=True)
    try:
        days = np.array([_parse_day(text.strip()) for text in date_texts], dtype=np.int64)
        table = np.array([list(map(float, texts)) for texts in number_texts])
    except ValueError:
        return None
    o, h, lo, c, volume, adj_close = table
    with np.errstate(invalid="ignore"):
        valid = (
            np.isfinite(table).all()
            and (np.minimum(np.minimum(o, h), np.minimum(lo, c)) > 0).all()
            and (adj_close > 0).all()
            and (volume >= 0).all()
            and (h >= np.maximum(o, c) - OHLC_TOLERANCE).all()
            and (lo <= np.minimum(o, c) + OHLC_TOLERANCE).all()
            and (np.diff(days) > 0).all()
        )
    return (days, table) if valid else None


def _parse_number(path: Path, line: int, field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DataError(
            f"{path}:{line}: field {field!r} is {text!r}, not a number; fix or remove the row"
        )
    return value


def _raise_for_first_bad_row(path: Path, rows: list[list[str]], lines: list[int]) -> NoReturn:
    """Raise the DataError of the first row, in file order, that ``_parse_columns`` rejects."""
    previous_date, previous_line = "", 1
    for fields, line in zip(rows, lines, strict=True):
        text = fields[0].strip()
        try:
            _parse_day(text)
        except ValueError:
            raise DataError(
                f"{path}:{line}: field 'date' is {fields[0]!r}, not a date as "
                "YYYY-MM-DD; fix or remove the row"
            ) from None
        if previous_date and text <= previous_date:
            raise DataError(
                f"{path}:{line}: field 'date' is {fields[0]!r}, not after "
                f"{previous_date!r} on line {previous_line}; dates must increase "
                "strictly, so sort the file or remove the duplicate"
            )
        values = {
            name: _parse_number(path, line, name, fields[i])
            for i, name in enumerate(CSV_COLUMNS)
            if i > 0
        }
        _check_row(path, line, fields, values)
        previous_date, previous_line = text, line
    raise DataError(f"{path}: rejected, but no single row explains why; report this as a bug")


def _check_row(path: Path, line: int, fields: list[str], values: dict[str, float]) -> None:
    for name in _PRICE_FIELDS:
        if values[name] <= 0:
            raise DataError(
                f"{path}:{line}: field {name!r} is {fields[CSV_COLUMNS.index(name)]!r},"
                " not a positive price; fix or remove the row"
            )
    if values["volume"] < 0:
        raise DataError(
            f"{path}:{line}: field 'volume' is {fields[5]!r}, negative; fix or remove the row"
        )
    o, h, lo, c = values["open"], values["high"], values["low"], values["close"]
    if h < max(o, c) - OHLC_TOLERANCE:
        raise DataError(
            f"{path}:{line}: field 'high' is {fields[2]!r}, below max(open, close) "
            f"= {max(o, c)!r}; fix the prices or remove the row"
        )
    if lo > min(o, c) + OHLC_TOLERANCE:
        raise DataError(
            f"{path}:{line}: field 'low' is {fields[3]!r}, above min(open, close) "
            f"= {min(o, c)!r}; fix the prices or remove the row"
        )


def load_csv_bars(path: Path, symbol: str, *, adjust: bool = True) -> BarColumns:
    """Daily bars of one symbol from a ``date,open,high,low,close,volume,adj_close`` file.

    Each bar closes at 16:00 New York time on its date. With ``adjust`` the prices are
    back-adjusted by ``adj_close / close`` so a split is not a crash, and volume is divided
    by the same ratio so dollar volume, which slippage models use, is unchanged. Every row is
    validated because a bad vendor row would otherwise surface as a baffling fill much later;
    the error says where and how to fix it. Blank lines are skipped.
    """
    path = Path(path)
    rows, lines = _read_rows(path)
    parsed = _parse_columns(rows)
    if parsed is None:
        _raise_for_first_bad_row(path, rows, lines)
    days, (o, h, lo, c, volume, adj_close) = parsed
    if adjust:
        ratio = adj_close / c
        o, h, lo, c = (np.round(column * ratio, 6) for column in (o, h, lo, c))
        volume = volume / ratio
    return BarColumns(
        symbol=symbol,
        ts_ns=_ny_wall_time_to_utc_ns(days, SESSION_CLOSE_MINUTE),
        open=o,
        high=h,
        low=lo,
        close=c,
        volume=volume,
    )

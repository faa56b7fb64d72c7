"""The plain, row-by-row reading of a CSV file, used only to name lines in errors.

pyarrow reads CSV in blocks and counts rows, not lines, and its conversion errors name a
value but no row. So when something is wrong this module walks the file with the standard
``csv`` module, which knows the line each row ends on: rows are counted as pyarrow counts
them (empty lines skipped), each line is decoded as UTF-8 on its own so a bad byte is named
with its line, and the walk stops at the row it was asked for. It is slow (a few seconds per
ten million rows) and runs once per failed file, never on a good one.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Generator, Iterator
from typing import BinaryIO

from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.file_format import DataFile

__all__ = ["CsvRow", "first_row_where", "head", "rows_at"]

CsvRow = tuple[int, list[str]]  # (line the row ends on, 1-based; its fields)


def _open(file: DataFile) -> BinaryIO:
    if file.gzip:
        return gzip.open(file.path, "rb")  # type: ignore[return-value]
    return file.path.open("rb")


def _decoded(file: DataFile, handle: BinaryIO) -> Iterator[str]:
    for number, raw in enumerate(handle, 1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise DataError(
                f"{file}:{number}: not UTF-8 text (byte 0x{raw[error.start]:02x} at column "
                f"{error.start + 1}); save the file as UTF-8 CSV"
            ) from None


def _rows(file: DataFile) -> Generator[CsvRow]:
    """Every non-empty row, the header first, with the line it ends on."""
    with _open(file) as handle:
        reader = csv.reader(_decoded(file, handle))
        for fields in reader:
            if fields:
                yield reader.line_num, fields


def head(file: DataFile) -> tuple[list[str], CsvRow | None]:
    """The header and the first data row (None when there is none)."""
    rows = _rows(file)
    try:
        _, header = next(rows)
    except StopIteration:
        raise DataError(
            f"{file}:1: file is empty; expected a header line and one row per bar"
        ) from None
    first = next(rows, None)
    rows.close()
    return header, first


def rows_at(file: DataFile, wanted: set[int]) -> dict[int, CsvRow]:
    """The rows at data-row indices ``wanted`` (0-based, as pyarrow counts), by index."""
    found: dict[int, CsvRow] = {}
    if not wanted:
        return found
    last = max(wanted)
    rows = _rows(file)
    next(rows)  # the header
    for index, row in enumerate(rows):
        if index in wanted:
            found[index] = row
        if index == last:
            break
    rows.close()
    return found


def first_row_where(file: DataFile, bad: Callable[[list[str]], bool]) -> tuple[int, CsvRow] | None:
    """The first data row (index, row) for which ``bad(fields)`` holds, if any."""
    rows = _rows(file)
    next(rows)
    try:
        for index, row in enumerate(rows):
            if bad(row[1]):
                return index, row
    finally:
        rows.close()
    return None

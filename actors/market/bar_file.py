"""One bar file opened for reading: its kind, its columns, and its rows as arrow tables.

pyarrow reads the rows: ``pyarrow.csv.open_csv`` streams CSV (gzip through a compressed
input stream) block by block, ``ParquetFile.iter_batches`` streams Parquet; only the
columns a pass needs are converted. The blocks are re-cut into tables of at most
``chunk_rows`` rows, so a caller's memory depends on ``chunk_rows`` and not on the file.
A CSV timestamp column is given the arrow type of its first row's form (date, naive or
offset time), so pyarrow converts it in C and a row of another form fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tradeswarm.actors.market import bar_errors, csv_lines
from tradeswarm.actors.market.bar_times import (
    ACCEPTED_FORMS,
    Clock,
    arrow_type_of_text,
    decide_clock,
)
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.column_names import resolve_columns
from tradeswarm.actors.market.file_format import DataFile, identify
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.row_checks import BadRow
from tradeswarm.actors.market.sessions import session_table
from tradeswarm.actors.market.stamps import NO_CALENDAR_ZONE

__all__ = ["BarFile", "open_bar_file"]

_CSV_BLOCK_BYTES = 1 << 20
_PARQUET_BATCH_ROWS = 65_536
_CLOCK_SAMPLE_ROWS = 10_000  # the first rows decide daily or intraday, whatever chunk_rows is

Chunk = tuple[int, pa.Table]  # (data row of the table's first row, 0-based; the table)
T = TypeVar("T")


@dataclass(frozen=True)
class BarFile:
    """A bar file with its columns resolved: ``names`` maps canonical names to the file's.

    ``header`` is a CSV file's header (errors quote its lines); ``time_type`` the arrow type
    of a CSV timestamp column.
    """

    file: DataFile
    names: dict[str, str]
    header: list[str] | None = None
    time_type: pa.DataType | None = None

    def chunks(self, fields: Sequence[str], chunk_rows: int) -> Generator[Chunk]:
        """The file's rows in order, as tables of ``fields`` (canonical names)."""
        batches = self._csv_batches(fields) if self.header is not None else self._parquet(fields)
        return _recut(batches, fields, self.names, chunk_rows)

    def chunks_from_the_end(self, fields: Sequence[str]) -> Iterator[Chunk]:
        """A Parquet file's rows in chunks, last chunk first: where its last rows are found
        cheaply. Each row group is decoded once, then cut from its end."""
        parquet = _parquet_file(self.file)
        sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
        columns = _file_columns(fields, self.names)
        for group in reversed(range(len(sizes))):
            table = _parquet_call(self.file, parquet.read_row_group, group, columns=columns)
            table = _canonical(table, fields, self.names)
            for end in range(table.num_rows, 0, -_PARQUET_BATCH_ROWS):
                start = max(end - _PARQUET_BATCH_ROWS, 0)
                yield sum(sizes[:group]) + start, table.slice(start, end - start)

    def row_error(self, bad: BadRow) -> DataError:
        return bar_errors.row_error(self.file, self.names, self.header, bad)

    def _csv_batches(self, fields: Sequence[str]) -> Iterator[pa.RecordBatch]:
        types = {self.names[field]: self._csv_type(field) for field in fields}
        stream = pa.input_stream(
            str(self.file.path), compression="gzip" if self.file.gzip else None
        )
        try:
            reader = pa_csv.open_csv(
                stream,
                read_options=pa_csv.ReadOptions(block_size=_CSV_BLOCK_BYTES),
                convert_options=pa_csv.ConvertOptions(
                    include_columns=_file_columns(fields, self.names), column_types=types
                ),
            )
            with reader:
                yield from reader
        except pa.ArrowInvalid as error:
            assert self.header is not None
            raise bar_errors.arrow_error(self.file, self.header, error) from None
        finally:
            stream.close()

    def _csv_type(self, field: str) -> pa.DataType:
        if field == "timestamp":
            return self.time_type
        return pa.string() if field == "symbol" else pa.float64()

    def _parquet(self, fields: Sequence[str]) -> Iterator[pa.RecordBatch]:
        parquet = _parquet_file(self.file)
        batches = parquet.iter_batches(
            batch_size=_PARQUET_BATCH_ROWS, columns=_file_columns(fields, self.names)
        )
        while (batch := _parquet_call(self.file, next, batches, None)) is not None:
            yield batch


def _file_columns(fields: Sequence[str], names: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(names[field] for field in fields))


def _canonical(table: pa.Table, fields: Sequence[str], names: dict[str, str]) -> pa.Table:
    return pa.table({field: table.column(names[field]) for field in fields})


def _recut(
    batches: Iterator[pa.RecordBatch], fields: Sequence[str], names: dict[str, str], rows: int
) -> Generator[Chunk]:
    """Tables of exactly ``rows`` rows (the last one shorter), whatever the blocks were."""
    pending: list[pa.RecordBatch] = []
    count = first = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(pending)
            yield first, _canonical(table.slice(0, rows), fields, names)
            rest = table.slice(rows)
            pending, count, first = rest.to_batches(), rest.num_rows, first + rows
    if count:
        yield first, _canonical(pa.Table.from_batches(pending), fields, names)


def _parquet_call(file: DataFile, call: Callable[..., T], *args: object, **kwargs: object) -> T:
    """``call(*args, **kwargs)``, a damaged or unreadable Parquet file named as such."""
    try:
        return call(*args, **kwargs)
    except (pa.ArrowException, OSError) as error:
        raise DataError(f"{file}: cannot read the Parquet file ({error}); re-export it") from None


def _parquet_file(file: DataFile) -> pq.ParquetFile:
    # Without pre_buffer=False, iter_batches buffers row groups ahead and memory grows with
    # the file (54 MiB of arrow memory for 6M rows of 6 columns, against 8 MiB without).
    return _parquet_call(file, pq.ParquetFile, str(file.path), pre_buffer=False)


def _open_csv(file: DataFile, layout: Layout, need_symbol: bool) -> BarFile:
    header, first = csv_lines.head(file)
    if first is None:
        raise DataError(f"{file}:2: file has a header but no rows; add one row per bar")
    names = resolve_columns(str(file), header, layout, need_symbol=need_symbol, header_line=True)
    line, fields = first
    column = header.index(names["timestamp"])
    text = fields[column] if column < len(fields) else ""
    time_type = arrow_type_of_text(text)
    if time_type is None:
        raise DataError(
            f"{file}:{line}: field {names['timestamp']!r} is {text!r}, not a timestamp "
            f"({ACCEPTED_FORMS}); fix the row or convert the column"
        )
    return BarFile(file, names, header, time_type)


def _open_parquet(file: DataFile, layout: Layout, need_symbol: bool) -> BarFile:
    parquet = _parquet_file(file)
    if parquet.metadata.num_rows == 0:
        raise DataError(f"{file}: file has no rows; add one row per bar")
    names = resolve_columns(
        str(file), parquet.schema_arrow.names, layout, need_symbol=need_symbol, header_line=False
    )
    return BarFile(file, names)


def open_bar_file(
    path: str | Path, layout: Layout, calendar: str | None, *, need_symbol: bool
) -> tuple[BarFile, Clock]:
    """The file at ``path``, checked to be readable as ``layout`` says, and its clock."""
    file = identify(Path(path), layout)
    opener = _open_csv if file.format == "csv" else _open_parquet
    bar_file = opener(file, layout, need_symbol)
    date_zone = session_table(calendar).tz if calendar is not None else NO_CALENDAR_ZONE
    first_rows = bar_file.chunks(["timestamp"], _CLOCK_SAMPLE_ROWS)
    try:
        _, table = next(first_rows)
    finally:
        first_rows.close()
    return bar_file, decide_clock(table.column("timestamp"), layout, date_zone)

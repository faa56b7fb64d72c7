"""What kind of file a bar file is: CSV text, gzip-compressed CSV, or Parquet.

The first bytes decide, not the name: ``PAR1`` opens every Parquet file and ``1f 8b`` every
gzip stream, and a misnamed file is common (``bars.csv`` saved from a dataframe as Parquet).
When ``Layout.format`` insists on one kind and the file is the other, the error says which
kind it is and which setting reads it, rather than letting a parser fail on binary bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.layout import Layout

__all__ = ["DataFile", "identify"]

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class DataFile:
    """A bar file and how to open it: ``gzip`` is only ever true for CSV."""

    path: Path
    format: Literal["csv", "parquet"]
    gzip: bool

    def __str__(self) -> str:
        return str(self.path)


def _sniff(path: Path) -> bytes:
    if path.is_dir():
        raise DataError(f"{path}: a folder, not a data file; check [data] path in the scenario")
    try:
        with path.open("rb") as handle:
            return handle.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise DataError(f"{path}: no such data file; check [data] path in the scenario") from None


def _refuse_binary(path: Path, head: bytes) -> None:
    """Text that is no CSV (a spreadsheet, an executable) fails here, named for what it is."""
    if head.startswith(_ZIP_MAGIC):
        raise DataError(
            f"{path}: a zip archive (an Excel workbook?), neither CSV nor Parquet; "
            "export the sheet as CSV (UTF-8) or save the bars as Parquet"
        )
    if head.startswith(_UTF16_MARKS):
        raise DataError(
            f'{path}: UTF-16 text (as Excel saves "Unicode text"), not UTF-8; save the file '
            "as CSV UTF-8"
        )
    if b"\x00" in head:
        raise DataError(
            f"{path}: a binary file, neither CSV text nor Parquet (it starts with "
            f"{head[:8]!r}); point [data] path at the bar file, or export it as CSV"
        )


def identify(path: Path, layout: Layout) -> DataFile:
    """The file's kind from its first bytes, checked against ``layout.format``."""
    head = _sniff(path)
    if not head:
        raise DataError(f"{path}:1: file is empty; expected a header line and one row per bar")
    if head.startswith(_PARQUET_MAGIC):
        if layout.format == "csv":
            raise DataError(f'{path}: this is a Parquet file; set data.format = "parquet"')
        return DataFile(path, "parquet", gzip=False)
    compressed = head.startswith(_GZIP_MAGIC)
    if not compressed:
        _refuse_binary(path, head)
    if layout.format == "parquet":
        kind = "gzip-compressed CSV" if compressed else "CSV text"
        raise DataError(f'{path}: this is not a Parquet file but {kind}; set data.format = "csv"')
    return DataFile(path, "csv", gzip=compressed)

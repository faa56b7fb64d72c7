"""What every bar source returns: ``BarColumns``, the ``DataError`` of a bad data file, and
the time units the sources share.

Sources return columns of numpy arrays rather than ``Bar`` messages: a feed slices columns
into batches far cheaper than it could walk a list of objects, and a million bars fit in a
few arrays. Timestamps are bar close times in UTC nanoseconds. The sources themselves live
beside this module: ``readers`` (the files users have: CSV or Parquet, daily or intraday)
and ``synthetic`` (seeded minute bars); keeping the shared types here lets a consumer such
as the report import them without loading either source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

__all__ = ["EPOCH_ORDINAL", "NS_PER_DAY", "NS_PER_MINUTE", "BarColumns", "DataError"]

NS_PER_MINUTE = 60 * 1_000_000_000
NS_PER_DAY = 24 * 60 * NS_PER_MINUTE
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # date.toordinal() of day 0 of ts_ns


@dataclass(frozen=True)
class BarColumns:
    """Columns of one symbol's bars, numpy arrays of equal length, ts ascending strictly."""

    symbol: str
    ts_ns: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __post_init__(self) -> None:
        # Checked here once so every consumer may index the columns together without asking.
        n = len(self.ts_ns)
        columns = (self.open, self.high, self.low, self.close, self.volume)
        if any(len(column) != n for column in columns):
            raise ValueError(f"{self.symbol}: bar columns differ in length")
        if n > 1 and not bool(np.all(np.diff(self.ts_ns) > 0)):
            raise ValueError(f"{self.symbol}: ts_ns must ascend strictly")

    def __len__(self) -> int:
        return len(self.ts_ns)

    @classmethod
    def concatenated(cls, symbol: str, pieces: list[BarColumns]) -> BarColumns:
        """Consecutive chunks of one symbol's bars as one (no copy for a single piece)."""
        if len(pieces) == 1:
            return pieces[0]
        if not pieces:
            empty = np.empty(0)
            return cls(symbol, np.empty(0, dtype=np.int64), empty, empty, empty, empty, empty)
        return cls(
            symbol,
            *(
                np.concatenate([getattr(piece, name) for piece in pieces])
                for name in ("ts_ns", "open", "high", "low", "close", "volume")
            ),
        )


class DataError(ValueError):
    """A bad data file; the message names the file, the line (1-based, header is line 1),
    the field and the fix."""

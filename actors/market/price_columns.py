"""A bar table's price and volume columns as float64 numpy arrays, missing values as NaN.

A CSV pass already reads them as float64; Parquet files hold integers (volume), float32,
decimals, and now and then text, so each column is cast, and a value that cannot be is
found by bisecting the column and reported as ``not a number`` at its row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tradeswarm.actors.market.row_checks import BadRow, earliest

__all__ = ["NUMBER_FIELDS", "float_columns"]

NUMBER_FIELDS = ("open", "high", "low", "close", "volume", "adj_close")


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    floats = pc.cast(column, pa.float64())
    if floats.null_count:
        floats = pc.fill_null(floats, np.nan)
    return np.asarray(floats.to_numpy(), dtype=np.float64)


def _first_unconvertible(column: pa.ChunkedArray) -> int:
    good, bad = 0, len(column)  # column[:good] converts, column[:bad] does not
    while bad - good > 1:
        middle = (good + bad) // 2
        try:
            _floats(column.slice(0, middle))
            good = middle
        except pa.ArrowException:
            bad = middle
    return good


def _column(
    name: str, column: pa.ChunkedArray, rows: np.ndarray
) -> tuple[np.ndarray, BadRow | None]:
    try:
        return _floats(column), None
    except pa.ArrowException:
        at = _first_unconvertible(column)
    values = np.full(len(column), np.nan)
    values[:at] = _floats(column.slice(0, at))
    return values, BadRow(int(rows[at]), name, str(column[at]), "not a number")


def float_columns(table: pa.Table, rows: np.ndarray) -> tuple[dict[str, np.ndarray], BadRow | None]:
    """The number fields ``table`` holds, and the first value that is not a number at all.

    ``rows`` maps positions to file rows. Values before a bad one are converted, NaN after.
    """
    columns: dict[str, np.ndarray] = {}
    bad: BadRow | None = None
    for name in NUMBER_FIELDS:
        if name in table.column_names:
            columns[name], problem = _column(name, table.column(name), rows)
            bad = earliest(bad, problem)
    return columns, bad

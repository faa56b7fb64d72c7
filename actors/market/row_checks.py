"""The checks every bar row passes, over whole columns at once, and the ``BadRow`` they find.

A bad vendor row would otherwise surface as a baffling fill much later, so every row is
checked: prices positive and finite, volume not negative, high and low around open and
close (within ``OHLC_TOLERANCE``, for float noise), and timestamps strictly increasing. The
checks are numpy masks, cheap on a chunk of any size; only the first failure is described,
as a ``BadRow`` that the reader turns into a ``DataError`` naming the file's line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FIX_ROW",
    "OHLC_TOLERANCE",
    "BadRow",
    "earliest",
    "first_bad_number",
    "first_out_of_order",
]

OHLC_TOLERANCE = 1e-9
FIX_ROW = "fix or remove the row"
_FIX_PRICES = "fix the prices or remove the row"
_FIX_ORDER = "timestamps must increase strictly, so sort the file or remove the duplicate"
_POSITIVE = ("open", "high", "low", "close", "adj_close")


@dataclass(frozen=True)
class BadRow:
    """The first problem in a file: which data row (0-based), which field, what and the fix.

    ``value`` is the value as read, for files without text lines (Parquet); a CSV error
    quotes the line's own text instead. A ``problem`` holding ``{previous}`` is completed
    with the row ``previous_row``: ``'2000-03-02' on line 3``, or for Parquet its
    ``previous_value`` and row, ``'2000-03-02' in row 3``.
    """

    row: int
    field: str
    value: str
    problem: str
    fix: str = FIX_ROW
    previous_row: int | None = None
    previous_value: str = ""


def earliest(*found: BadRow | None) -> BadRow | None:
    """The problem on the first row; on one row, the first one given (the checks' order)."""
    problems = [bad for bad in found if bad is not None]
    return min(problems, key=lambda bad: bad.row) if problems else None


def _first(mask: np.ndarray) -> int | None:
    return int(np.argmax(mask)) if bool(mask.any()) else None


def first_bad_number(numbers: dict[str, np.ndarray], rows: np.ndarray) -> BadRow | None:
    """The first row whose numbers break a rule; ``rows`` maps positions to file rows.

    ``numbers`` holds whichever of open, high, low, close, volume and adj_close were read
    (a first pass reads only some); a missing value is NaN. The high/low rule needs all four
    prices.
    """
    checks: list[tuple[np.ndarray, str, str, str]] = []
    with np.errstate(invalid="ignore"):
        for name, column in numbers.items():
            checks.append((~np.isfinite(column), name, "not a number", FIX_ROW))
        for name, column in numbers.items():
            if name in _POSITIVE:
                checks.append((column <= 0, name, "not a positive price", FIX_ROW))
            elif name == "volume":
                checks.append((column < 0, name, "negative", FIX_ROW))
    found: list[BadRow | None] = [
        _described(mask, rows, numbers[name], name, problem, fix)
        for mask, name, problem, fix in checks
    ]
    if {"open", "high", "low", "close"} <= numbers.keys():
        found.extend(_ohlc(numbers, rows))
    return earliest(*found)


def _described(
    mask: np.ndarray, rows: np.ndarray, column: np.ndarray, name: str, problem: str, fix: str
) -> BadRow | None:
    at = _first(mask)
    if at is None:
        return None
    return BadRow(int(rows[at]), name, repr(float(column[at])), problem, fix)


def _ohlc(numbers: dict[str, np.ndarray], rows: np.ndarray) -> Sequence[BadRow | None]:
    o, h, lo, c = (numbers[name] for name in ("open", "high", "low", "close"))
    top, bottom = np.maximum(o, c), np.minimum(o, c)
    found: list[BadRow | None] = []
    with np.errstate(invalid="ignore"):
        for name, column, mask, bound, what in (
            ("high", h, h < top - OHLC_TOLERANCE, top, "below max(open, close)"),
            ("low", lo, lo > bottom + OHLC_TOLERANCE, bottom, "above min(open, close)"),
        ):
            at = _first(mask)
            found.append(
                None
                if at is None
                else BadRow(
                    int(rows[at]),
                    name,
                    repr(float(column[at])),
                    f"{what} = {float(bound[at])!r}",
                    _FIX_PRICES,
                )
            )
    return found


def first_out_of_order(
    keys: np.ndarray,
    rows: np.ndarray,
    text_of: Callable[[int], str],
    previous: tuple[int, int] | None,
) -> BadRow | None:
    """The first row whose timestamp key is not after the one before it.

    ``previous`` is the (key, file row) of the row before this chunk, if any, so order is
    checked across chunks too; ``text_of(key)`` is a key's text for a Parquet message.
    """
    if len(keys) == 0:
        return None
    before = np.empty(len(keys), dtype=np.int64)
    before[1:] = keys[:-1]
    before[0] = previous[0] if previous is not None else np.iinfo(np.int64).min
    at = _first(keys <= before)
    if at is None:
        return None
    previous_row = int(rows[at - 1]) if at > 0 else previous[1]  # type: ignore[index]
    return BadRow(
        int(rows[at]),
        "timestamp",
        text_of(int(keys[at])),
        "not after {previous}",
        _FIX_ORDER,
        previous_row,
        text_of(int(before[at])),
    )

"""A bad row or a pyarrow failure as the one-line ``DataError`` a person can act on.

A CSV error names the file's line and quotes the field as written there
(``AAPL.csv:3: field 'High' is 'abc', not a number; fix or remove the row``); the line is
found by walking the file (``csv_lines``), which only a failed read pays for. A Parquet file
has no lines, so its errors name the row (``AAPL.parquet: row 3: field 'high' is ...``).
pyarrow's own CSV errors name a column and a value but no row; the walk finds the first row
with that value.
"""

from __future__ import annotations

import re

import pyarrow as pa

from tradeswarm.actors.market.bar_times import ACCEPTED_FORMS
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.csv_lines import CsvRow, first_row_where, rows_at
from tradeswarm.actors.market.file_format import DataFile
from tradeswarm.actors.market.row_checks import FIX_ROW, BadRow

__all__ = ["arrow_error", "row_error"]

_FIELD_COUNT = re.compile(r"Expected (\d+) columns, got (\d+)")
_CONVERSION = re.compile(
    r"In CSV column #(\d+): CSV conversion error to (.+?): "
    r"(invalid value|expected a zone offset in|expected no zone offset in) '(.*)'",
    re.DOTALL,
)
_ONE_FORM = "one file holds one form of timestamp; fix or remove the row"


def _field(header: list[str], fields: list[str], column: str) -> str:
    index = header.index(column)
    return fields[index] if index < len(fields) else ""


def row_error(
    file: DataFile, names: dict[str, str], header: list[str] | None, bad: BadRow
) -> DataError:
    """The error of ``bad``, quoting the CSV line's own text, or naming the Parquet row."""
    column = names.get(bad.field, bad.field)
    if header is None:
        previous = ""
        if bad.previous_row is not None:
            previous = f"{bad.previous_value!r} in row {bad.previous_row + 1}"
        problem = bad.problem.replace("{previous}", previous)
        return DataError(
            f"{file}: row {bad.row + 1}: field {column!r} is {bad.value!r}, {problem}; {bad.fix}"
        )
    wanted = {bad.row} if bad.previous_row is None else {bad.row, bad.previous_row}
    found = rows_at(file, wanted)
    line, fields = found[bad.row]
    problem = bad.problem
    if bad.previous_row is not None:
        previous_line, previous_fields = found[bad.previous_row]
        quoted = _field(header, previous_fields, column)
        problem = problem.replace("{previous}", f"{quoted!r} on line {previous_line}")
    text = _field(header, fields, column)
    return DataError(f"{file}:{line}: field {column!r} is {text!r}, {problem}; {bad.fix}")


def _conversion_problem(arrow_type: str, kind: str, value: str = "") -> tuple[str, str]:
    if arrow_type == "double":
        return "not a number", FIX_ROW
    if kind == "expected a zone offset in":
        return "a time without a UTC offset, unlike the file's first row", _ONE_FORM
    if kind == "expected no zone offset in":
        return "a time with a UTC offset, unlike the file's first row", _ONE_FORM
    if arrow_type.startswith("date32"):
        if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):  # the form is right, the day is not
            return "not a day of the calendar", FIX_ROW
        return "not a date as YYYY-MM-DD, as the file's first row is", _ONE_FORM
    return f"not a timestamp ({ACCEPTED_FORMS})", FIX_ROW


def _field_count_error(file: DataFile, header: list[str]) -> DataError | None:
    found = first_row_where(file, lambda fields: len(fields) != len(header))
    if found is None:
        return None
    _, (line, fields) = found
    what = "missing" if len(fields) < len(header) else "followed by extra fields"
    field = header[min(len(fields), len(header) - 1)]
    count = f"{len(fields)} field{'' if len(fields) == 1 else 's'}"
    return DataError(
        f"{file}:{line}: {count}, expected {len(header)} as in the header "
        f"({','.join(header)}); field {field!r} is {what}; fix or remove the row"
    )


def _conversion_error(file: DataFile, header: list[str], match: re.Match[str]) -> DataError | None:
    index, arrow_type, kind, value = int(match[1]), match[2], match[3], match[4]

    def holds_value(fields: list[str]) -> bool:
        return index < len(fields) and fields[index] in (value, value.strip())

    found: tuple[int, CsvRow] | None = first_row_where(file, holds_value)
    if found is None:
        return None
    _, (line, fields) = found
    problem, fix = _conversion_problem(arrow_type, kind, fields[index])
    return DataError(
        f"{file}:{line}: field {header[index]!r} is {fields[index]!r}, {problem}; {fix}"
    )


def arrow_error(file: DataFile, header: list[str], error: pa.ArrowInvalid) -> DataError:
    """pyarrow's failure to read a CSV file, as the error of the first row that caused it.

    A line that is not UTF-8 is reported by the walk itself, wherever it stops.
    """
    message = str(error)
    found: DataError | None = None
    if match := _FIELD_COUNT.search(message):
        found = _field_count_error(file, header)
    elif match := _CONVERSION.search(message):
        found = _conversion_error(file, header, match)
    elif "UTF8" in message:
        first_row_where(file, lambda fields: False)  # raises at the line that is not UTF-8
    first_line = message.splitlines()[0] if message else type(error).__name__
    return found or DataError(
        f"{file}: pyarrow cannot read the file ({first_line}); fix the file's CSV syntax"
    )

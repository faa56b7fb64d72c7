"""Bad bar files raise one DataError naming the file, the line (or Parquet row), the field
and the fix, whatever layout or kind of file they come in."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from tests.actors.market.bar_files import DATA, joined, read_all, write_text
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.readers import read_bars, read_long_bars

HEADER = "date,open,high,low,close,volume,adj_close"
GOOD_ROW = "2000-03-01,10.0,11.0,9.0,10.5,1000,5.25"
NEXT_ROW = "2000-03-02,10.5,12.0,10.0,11.0,2000,5.5"


def read_text(tmp_path: Path, text: str, name: str = "BAD.csv", **options: object) -> None:
    read_all(write_text(tmp_path / name, text), "BAD", None, **options)


def error_of(call: Callable[[], object]) -> str:
    with pytest.raises(DataError) as raised:
        call()
    return str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,abc,12,10,11,2000,5.5\n",
            "BAD.csv:3: field 'open' is 'abc', not a number; fix or remove the row",
            id="non-numeric open",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10,11,,5.5\n",
            "BAD.csv:3: field 'volume' is '', not a number",
            id="empty volume",
        ),
        pytest.param(
            f"{HEADER}\n2000-03-01,10,11,9,nan,1000,5\n", ":2: field 'close' is 'nan'", id="nan"
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-13-02,10.5,12,10,11,2000,5.5\n",
            "BAD.csv:3: field 'date' is '2000-13-02', not a day of the calendar; fix or remove",
            id="impossible date",
        ),
        pytest.param(
            f"{HEADER}\n2000-03-01,10,inf,9,10,1000,5\n", ":2: field 'high' is 'inf'", id="inf"
        ),
        pytest.param(
            f"{HEADER}\n2000/03/01,10,11,9,10,1000,5\n",
            ":2: field 'date' is '2000/03/01', not a timestamp (accepted: 2024-01-02, ",
            id="slashed date",
        ),
        pytest.param(
            f"{HEADER}\n2000-02-30,10,11,9,10,1000,5\n",
            ":2: field 'date' is '2000-02-30', not a day of the calendar",
            id="no such day",
        ),
        pytest.param(
            f"{HEADER}\n20000301,10,11,9,10,1000,5\n", ":2: field 'date' is '20000301'", id="basic"
        ),
        pytest.param(f"{HEADER}\n,10,11,9,10,1000,5\n", ":2: field 'date' is ''", id="no date"),
        pytest.param(
            f"{HEADER}\n2000-03-01,0,11,9,10,1000,5\n",
            ":2: field 'open' is '0', not a positive price; fix or remove the row",
            id="zero open",
        ),
        pytest.param(
            f"{HEADER}\n2000-03-01,10,11,-9,10,1000,5\n", ":2: field 'low' is '-9'", id="low < 0"
        ),
        pytest.param(
            f"{HEADER}\n2000-03-01,10,11,9,10,1000,0\n",
            ":2: field 'adj_close' is '0', not a positive price",
            id="zero adj_close",
        ),
        pytest.param(
            f"{HEADER}\n2000-03-01,10,11,9,10,-1,5\n",
            ":2: field 'volume' is '-1', negative; fix or remove the row",
            id="negative volume",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,10.9,10,11,2000,5.5\n",
            ":3: field 'high' is '10.9', below max(open, close) = 11.0; "
            "fix the prices or remove the row",
            id="high below close",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10.6,11,2000,5.5\n",
            ":3: field 'low' is '10.6', above min(open, close) = 10.5",
            id="low above open",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n",
            ":3: field 'date' is '2000-03-01', not after '2000-03-01' on line 2; timestamps "
            "must increase strictly, so sort the file or remove the duplicate",
            id="repeated date",
        ),
        pytest.param(
            f"{HEADER}\n{NEXT_ROW}\n{GOOD_ROW}\n",
            ":3: field 'date' is '2000-03-01', not after '2000-03-02' on line 2",
            id="date goes back",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10,11,2000\n",
            ":3: 6 fields, expected 7 as in the header (date,open,high,low,close,volume,"
            "adj_close); field 'adj_close' is missing; fix or remove the row",
            id="field missing",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n{NEXT_ROW},7\n",
            ":3: 8 fields, expected 7 as in the header",
            id="extra field",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02 10:00,1,1,1,1,1,1\n",
            ":3: field 'date' is '2000-03-02 10:00', not a date as YYYY-MM-DD, as the file's "
            "first row is; one file holds one form of timestamp",
            id="a time in a daily file",
        ),
        pytest.param("", "BAD.csv:1: file is empty; expected a header line", id="empty file"),
        pytest.param(f"{HEADER}\n", "BAD.csv:2: file has a header but no rows", id="no rows"),
        pytest.param(
            f"{GOOD_ROW}\n{NEXT_ROW}\n",
            "BAD.csv:1: no column for timestamp, open, high, low, close, volume (the file's "
            "columns are '2000-03-01', '10.0', ",
            id="no header",
        ),
        pytest.param(
            "date,open,high,low,close,volume\n2000-03-01,10,11,9,10,1000\n",
            "BAD.csv:1: no adj_close column (the file's columns are 'date', 'open', 'high', "
            "'low', 'close', 'volume') and data.adjust is \"back\"",
            id="no adj_close",
        ),
    ],
)
def test_a_bad_csv_row_is_named_by_its_line_field_and_fix(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(DataError) as raised:
        read_text(tmp_path, text)
    assert expected in str(raised.value)
    assert str(raised.value).startswith(str(tmp_path / "BAD.csv"))
    assert "\n" not in str(raised.value)


def test_a_non_numeric_field_reads_exactly_like_the_documented_example(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "BAD.csv", f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,abc,10,11,2,5\n"
    )
    with pytest.raises(DataError) as raised:
        read_all(path, "BAD", None)
    assert (
        str(raised.value) == f"{path}:3: field 'high' is 'abc', not a number; fix or remove the row"
    )


def test_the_first_bad_row_in_the_file_is_the_one_reported(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10,0,2000,5.5\n"
        "2000-03-03,y,12,10,11,2000,5.5\n2000-03-01,10,11,9,10,1,5\n"
    )
    with pytest.raises(DataError, match=r"BAD\.csv:3: field 'close' is '0'"):
        read_text(tmp_path, text)


def test_blank_lines_are_skipped_but_counted_in_line_numbers(tmp_path: Path) -> None:
    text = f"{HEADER}\n\n{GOOD_ROW}\n\n{NEXT_ROW}\n2000-03-03,1,1,1,0,1,1\n\n"
    with pytest.raises(DataError, match=r"BAD\.csv:6: field 'close' is '0'"):
        read_text(tmp_path, text)
    assert (
        len(read_all(write_text(tmp_path / "OK.csv", f"{HEADER}\n\n{GOOD_ROW}\n\n"), "OK", None))
        == 1
    )


def test_an_order_error_across_chunks_names_both_lines(tmp_path: Path) -> None:
    rows = [f"2000-03-{day:02},1,1,1,1,1,1" for day in (1, 2, 3, 3)]
    path = write_text(tmp_path / "BAD.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(
        DataError,
        match=r"BAD\.csv:5: field 'date' is '2000-03-03', not after '2000-03-03' on line 4",
    ):
        list(read_bars(path, "BAD", Layout(), None, chunk_rows=3))


def test_a_byte_order_mark_crlf_and_a_padded_header_are_accepted(tmp_path: Path) -> None:
    text = "\ufeffDate, Open,High,Low,Close,Volume,Adj_Close\r\n" + f"{GOOD_ROW}\r\n{NEXT_ROW}\r\n"
    bars = read_all(write_text(tmp_path / "OK.csv", text), "OK", None, adjust="none")
    assert bars.close.tolist() == [10.5, 11.0]


def test_ohlc_within_the_tolerance_is_accepted(tmp_path: Path) -> None:
    text = f"{HEADER}\n2000-03-01,10.0000000001,10,9.9999999999,10,1000,10\n"
    bars = read_all(write_text(tmp_path / "OK.csv", text), "OK", None, adjust="none")
    assert bars.open[0] == 10.0000000001


# Timestamps


def test_a_naive_row_in_a_file_with_offsets_is_named(tmp_path: Path) -> None:
    text = (
        "ts,open,high,low,close,volume\n2024-01-02T14:31Z,1,1,1,1,1\n2024-01-02T14:32,1,1,1,1,1\n"
    )
    message = error_of(lambda: read_text(tmp_path, text, adjust="none", stamp="close"))
    assert message.endswith(
        "BAD.csv:3: field 'ts' is '2024-01-02T14:32', a time without a UTC offset, unlike "
        "the file's first row; one file holds one form of timestamp; fix or remove the row"
    )


def test_a_naive_time_in_a_daylight_saving_gap_is_named_with_its_zone(tmp_path: Path) -> None:
    text = "ts,open,high,low,close,volume\n2024-03-10 01:59,1,1,1,1,1\n2024-03-10 02:30,1,1,1,1,1\n"
    zone = "America/New_York"
    message = error_of(lambda: read_text(tmp_path, text, adjust="none", timezone=zone))
    assert message.endswith(
        "BAD.csv:3: field 'ts' is '2024-03-10 02:30', ambiguous or missing in "
        "America/New_York (a daylight-saving switch); write the file's times in UTC or with "
        "their offset"
    )


def test_one_intraday_bar_stamped_at_its_open_asks_for_the_bar_length(tmp_path: Path) -> None:
    text = "ts,open,high,low,close,volume\n2024-01-02T14:31Z,1,1,1,1,1\n"
    with pytest.raises(
        DataError, match=r"cannot infer the bar length of BAD .*; set data\.bar_seconds"
    ):
        read_text(tmp_path, text, adjust="none")
    read_text(tmp_path, text, adjust="none", bar_seconds=60)


# Columns


def test_two_columns_that_could_be_the_timestamp_ask_for_a_mapping(tmp_path: Path) -> None:
    text = "Date,Time,Open,High,Low,Close,Volume\n2024-01-02,09:31,1,1,1,1,1\n"
    message = error_of(lambda: read_text(tmp_path, text, adjust="none"))
    assert message.endswith(
        "BAD.csv:1: columns 'Date', 'Time' could each be timestamp; name the one to use in "
        '[data.columns], e.g. timestamp = "Date"'
    )


def test_a_mapping_to_a_column_the_file_lacks_names_the_columns_found() -> None:
    message = error_of(lambda: read_all(DATA / "AAPL.csv", "AAPL", None, columns={"close": "Last"}))
    assert message == (
        f"{DATA / 'AAPL.csv'}:1: data.columns maps close to 'Last', which is not one column of "
        "the file (its columns are 'date', 'open', 'high', 'low', 'close', 'volume', "
        "'adj_close'); fix [data.columns]"
    )


# Kinds of file


def test_a_parquet_file_read_as_csv_is_named_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "AAPL.csv"
    pd.read_csv(DATA / "AAPL.csv").to_parquet(path)
    with pytest.raises(DataError) as raised:
        read_bars(path, "AAPL", Layout(format="csv"), None)
    assert str(raised.value) == f'{path}: this is a Parquet file; set data.format = "parquet"'
    assert len(read_all(path, "AAPL", None)) == 3270  # "auto" reads it by its first bytes


@pytest.mark.parametrize(
    ("suffix", "kind"), [(".csv", "CSV text"), (".csv.gz", "gzip-compressed CSV")]
)
def test_a_csv_file_read_as_parquet_is_named_for_what_it_is(
    tmp_path: Path, suffix: str, kind: str
) -> None:
    path = tmp_path / f"AAPL{suffix}"
    pd.read_csv(DATA / "AAPL.csv").to_csv(path, index=False)
    with pytest.raises(DataError) as raised:
        read_bars(path, "AAPL", Layout(format="parquet"), None)
    assert (
        str(raised.value)
        == f'{path}: this is not a Parquet file but {kind}; set data.format = "csv"'
    )


def test_a_binary_file_is_named_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    with pytest.raises(DataError, match=r"bars\.csv: a binary file, neither CSV text nor Parquet"):
        read_bars(path, "X", Layout(), "XNYS")


def test_an_excel_workbook_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "bars.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x14" * 100)
    with pytest.raises(DataError, match=r"bars\.xlsx: a zip archive \(an Excel workbook\?\)"):
        read_bars(path, "X", Layout(), None)


def test_a_latin_1_line_is_named_as_not_utf_8_by_its_line(tmp_path: Path) -> None:
    text = f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10,11,2000,5\xe9\n"
    path = tmp_path / "BAD.csv"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(
        DataError,
        match=r"BAD\.csv:3: not UTF-8 text \(byte 0xe9 at column 32\); save the file as UTF-8 CSV",
    ):
        read_all(path, "BAD", None)


def test_a_latin_1_symbol_in_a_long_file_is_named_by_its_line(tmp_path: Path) -> None:
    text = f"{HEADER},symbol\n{GOOD_ROW},A\n{NEXT_ROW},Soci\xe9t\xe9\n"
    path = tmp_path / "BAD.csv"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(DataError, match=r"BAD\.csv:3: not UTF-8 text"):
        list(read_long_bars(path, ["A"], Layout(), None))


def test_a_latin_1_header_is_named_as_not_utf_8(tmp_path: Path) -> None:
    path = tmp_path / "BAD.csv"
    path.write_bytes("date,ouverture,plus_haut\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"BAD\.csv:1: not UTF-8 text"):
        read_all(path, "BAD", None)


def test_an_empty_gzip_file_is_named_empty(tmp_path: Path) -> None:
    path = tmp_path / "BAD.csv.gz"
    path.write_bytes(gzip.compress(b""))
    with pytest.raises(DataError, match=r"BAD\.csv\.gz:1: file is empty"):
        read_all(path, "BAD", None)


def test_a_missing_file_is_named_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"NOPE\.csv: no such data file; check \[data\] path"):
        read_bars(tmp_path / "NOPE.csv", "NOPE", Layout(), None)


# Parquet rows


def test_a_bad_parquet_row_is_named_by_its_row_number(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA / "AAPL.csv", nrows=5)
    frame.loc[2, "high"] = 1.0
    frame.to_parquet(tmp_path / "BAD.parquet")
    with pytest.raises(DataError) as raised:
        joined(read_bars(tmp_path / "BAD.parquet", "AAPL", Layout(), None))
    assert str(raised.value) == (
        f"{tmp_path / 'BAD.parquet'}: row 3: field 'high' is '1.0', below max(open, close) = "
        "128.0; fix the prices or remove the row"
    )


def test_a_parquet_date_going_back_is_named_with_the_row_before(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA / "AAPL.csv", nrows=5)
    frame.loc[3, "date"] = "2000-03-01"
    frame.to_parquet(tmp_path / "BAD.parquet")
    message = error_of(lambda: read_all(tmp_path / "BAD.parquet", "AAPL", None))
    assert message.endswith(
        "BAD.parquet: row 4: field 'date' is '2000-03-01', not after '2000-03-03' in row 3; "
        "timestamps must increase strictly, so sort the file or remove the duplicate"
    )


def test_an_empty_parquet_file_is_named_empty(tmp_path: Path) -> None:
    pd.read_csv(DATA / "AAPL.csv", nrows=0).to_parquet(tmp_path / "BAD.parquet")
    with pytest.raises(DataError, match=r"BAD\.parquet: file has no rows"):
        read_all(tmp_path / "BAD.parquet", "AAPL", None)


def test_a_damaged_parquet_file_is_named_damaged(tmp_path: Path) -> None:
    path = tmp_path / "BAD.parquet"
    path.write_bytes(b"PAR1" + b"x" * 100)
    with pytest.raises(
        DataError, match=r"BAD\.parquet: cannot read the Parquet file \(.*\); re-export it"
    ):
        read_all(path, "AAPL", None)


def test_a_price_written_as_text_in_parquet_is_named_by_its_row(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA / "AAPL.csv", nrows=5).astype({"close": str})
    frame.loc[1, "close"] = "n/a"
    frame.to_parquet(tmp_path / "BAD.parquet")
    message = error_of(lambda: read_all(tmp_path / "BAD.parquet", "AAPL", None))
    assert message.endswith(
        "BAD.parquet: row 2: field 'close' is 'n/a', not a number; fix or remove the row"
    )


def test_a_utf_16_file_is_named_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "BAD.csv"
    path.write_bytes(f"{HEADER}\n{GOOD_ROW}\n".encode("utf-16"))
    message = error_of(lambda: read_all(path, "BAD", None))
    assert message.endswith(
        'UTF-16 text (as Excel saves "Unicode text"), not UTF-8; save the file as CSV UTF-8'
    )


def test_a_symbol_absent_from_a_long_csv_is_named_once_the_file_is_read(tmp_path: Path) -> None:
    text = f"{HEADER},ticker\n{GOOD_ROW},A\n{NEXT_ROW},B\n"
    path = write_text(tmp_path / "long.csv", text)
    chunks = read_long_bars(path, ["A", "C"], Layout(adjust="none", stamp="close"), None)
    message = error_of(lambda: list(chunks))  # no first pass: known only at the end
    assert message.endswith(
        "long.csv: no rows for symbol 'C'; the file's symbols (column 'ticker') are 'A', 'B'; "
        "ask for those, or give C its rows"
    )


def test_a_symbol_whose_every_bar_is_dropped_is_an_error(tmp_path: Path) -> None:
    text = "date,open,high,low,close,volume\n2024-07-04,1,1,1,1,1\n2024-07-06,1,1,1,1,1\n"
    path = write_text(tmp_path / "holidays.csv", text)
    message = error_of(lambda: read_all(path, "X", "XNYS", adjust="none", outside_sessions="drop"))
    assert message.endswith(
        "holidays.csv: every bar of X is outside the XNYS sessions and was dropped; choose the "
        "calendar of its exchange"
    )


def test_a_bad_row_of_a_gzip_csv_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "BAD.csv.gz"
    path.write_bytes(gzip.compress(f"{HEADER}\n{GOOD_ROW}\n{NEXT_ROW}\n{GOOD_ROW}\n".encode()))
    message = error_of(lambda: read_all(path, "BAD", None))
    assert message.endswith(
        "BAD.csv.gz:4: field 'date' is '2000-03-01', not after '2000-03-02' on line 3; "
        "timestamps must increase strictly, so sort the file or remove the duplicate"
    )

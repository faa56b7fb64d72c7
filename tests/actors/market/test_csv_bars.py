"""The daily CSV loader: the real vendor files load as they should, and broken files raise a
DataError that says where and how to fix them."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tradeswarm.actors.market.bars import BarColumns, DataError
from tradeswarm.actors.market.csv_bars import load_csv_bars

DATA = Path(__file__).resolve().parents[3] / "scenarios" / "data"
NEW_YORK = ZoneInfo("America/New_York")
HEADER = "date,open,high,low,close,volume,adj_close"
GOOD_ROW = "2000-03-01,10.0,11.0,9.0,10.5,1000,5.25"
NEXT_ROW = "2000-03-02,10.5,12.0,10.0,11.0,2000,5.5"


def utc_ns(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000_000


def index_of(bars: BarColumns, day: str) -> int:
    """Index of the daily bar of ``day``, through its 16:00 New York close time."""
    d = date.fromisoformat(day)
    ts = int(datetime(d.year, d.month, d.day, 16, tzinfo=NEW_YORK).timestamp()) * 10**9
    (found,) = np.flatnonzero(bars.ts_ns == ts)
    return int(found)


def overnight_change(bars: BarColumns, day: str) -> float:
    i = index_of(bars, day)
    return float(bars.close[i] / bars.close[i - 1] - 1)


def write(tmp_path: Path, text: str, name: str = "BAD.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def file_dates(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return [row[0] for row in csv.reader(handle)][1:]


# Real files


def test_real_aapl_loads_all_3270_rows() -> None:
    bars = load_csv_bars(DATA / "AAPL.csv", "AAPL")
    assert bars.symbol == "AAPL"
    assert len(bars) == 3270
    for column in (bars.ts_ns, bars.open, bars.high, bars.low, bars.close, bars.volume):
        assert len(column) == 3270
    assert bars.ts_ns.dtype == np.int64
    assert bars.close.dtype == np.float64
    assert bars.volume.dtype == np.float64


@pytest.mark.parametrize("symbol", ["AAPL", "MSFT", "IBM", "SPX"])
@pytest.mark.parametrize("adjust", [True, False])
def test_every_real_file_loads_with_valid_ohlc_and_strictly_ascending_time(
    symbol: str, adjust: bool
) -> None:
    bars = load_csv_bars(DATA / f"{symbol}.csv", symbol, adjust=adjust)
    assert len(bars) == len(file_dates(DATA / f"{symbol}.csv"))
    assert np.all(np.diff(bars.ts_ns) > 0)
    assert np.all(bars.low > 0)
    assert np.all(bars.low <= np.minimum(bars.open, bars.close))
    assert np.all(bars.high >= np.maximum(bars.open, bars.close))


@pytest.mark.parametrize(
    ("symbol", "split_day"),
    [("AAPL", "2000-06-21"), ("AAPL", "2005-02-28"), ("MSFT", "2003-02-18")],
)
def test_raw_close_halves_on_a_split_day_but_adjusted_close_does_not(
    symbol: str, split_day: str
) -> None:
    raw = load_csv_bars(DATA / f"{symbol}.csv", symbol, adjust=False)
    adjusted = load_csv_bars(DATA / f"{symbol}.csv", symbol)
    assert overnight_change(raw, split_day) < -0.4
    assert overnight_change(adjusted, split_day) > -0.4


def test_adjusted_aapl_drops_over_40_percent_overnight_only_on_its_real_crash() -> None:
    # 2000-09-29 is a genuine fall (a profit warning), not a split: adjustment must keep it.
    bars = load_csv_bars(DATA / "AAPL.csv", "AAPL")
    drops = np.flatnonzero(bars.close[1:] / bars.close[:-1] < 0.6) + 1
    assert drops.tolist() == [index_of(bars, "2000-09-29")]


def test_adjusted_close_is_the_adj_close_column_and_dollar_volume_is_kept() -> None:
    with (DATA / "AAPL.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    raw_close = np.array([float(row["close"]) for row in rows])
    adj_close = np.array([float(row["adj_close"]) for row in rows])
    raw_volume = np.array([float(row["volume"]) for row in rows])
    bars = load_csv_bars(DATA / "AAPL.csv", "AAPL")
    np.testing.assert_allclose(bars.close, adj_close, rtol=0, atol=5e-7)
    np.testing.assert_allclose(bars.volume * bars.close, raw_volume * raw_close, rtol=1e-6)


def test_adjusted_prices_are_rounded_to_six_decimals() -> None:
    bars = load_csv_bars(DATA / "AAPL.csv", "AAPL")
    for column in (bars.open, bars.high, bars.low, bars.close):
        np.testing.assert_array_equal(column, np.round(column, 6))


def test_raw_prices_are_the_values_in_the_file() -> None:
    bars = load_csv_bars(DATA / "AAPL.csv", "AAPL", adjust=False)
    assert (bars.open[0], bars.high[0], bars.low[0], bars.close[0]) == (
        118.56,
        132.06,
        118.5,
        130.31,
    )
    assert bars.volume[0] == 9616100


def test_a_winter_daily_bar_closes_at_21_utc() -> None:
    bars = load_csv_bars(DATA / "AAPL.csv", "AAPL")
    assert bars.ts_ns[0] == utc_ns(2000, 3, 1, 21)


def test_a_summer_daily_bar_closes_at_20_utc() -> None:
    bars = load_csv_bars(DATA / "AAPL.csv", "AAPL")
    assert bars.ts_ns[index_of(bars, "2000-07-03")] == utc_ns(2000, 7, 3, 20)
    assert utc_ns(2000, 7, 3, 20) in bars.ts_ns


def test_every_daily_bar_closes_at_16_new_york_time_as_zoneinfo_says() -> None:
    bars = load_csv_bars(DATA / "SPX.csv", "SPX")
    expected = [
        int(datetime(*map(int, day.split("-")), 16, tzinfo=NEW_YORK).timestamp()) * 10**9
        for day in file_dates(DATA / "SPX.csv")
    ]
    np.testing.assert_array_equal(bars.ts_ns, expected)


def test_a_path_given_as_a_string_is_accepted() -> None:
    assert len(load_csv_bars(str(DATA / "IBM.csv"), "IBM")) == 3270  # type: ignore[arg-type]


# Broken files


def test_a_missing_file_is_named_with_the_fix() -> None:
    with pytest.raises(DataError, match=r"NOPE\.csv: no such data file; check \[data\] path"):
        load_csv_bars(DATA / "NOPE.csv", "NOPE")


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,abc,12,10,11,2000,5.5\n",
            3,
            "open",
            id="non-numeric open",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,abc,10,11,2000,5.5\n",
            3,
            "high",
            id="non-numeric high",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10,11,,5.5\n", 3, "volume", id="empty volume"
        ),
        pytest.param(f"{HEADER}\n2000-03-01,10,11,9,nan,1000,5\n", 2, "close", id="nan close"),
        pytest.param(f"{HEADER}\n2000-03-01,10,inf,9,10,1000,5\n", 2, "high", id="inf high"),
        pytest.param(f"{HEADER}\n2000/03/01,10,11,9,10,1000,5\n", 2, "date", id="slashed date"),
        pytest.param(f"{HEADER}\n2000-02-30,10,11,9,10,1000,5\n", 2, "date", id="no such day"),
        pytest.param(f"{HEADER}\n20000301,10,11,9,10,1000,5\n", 2, "date", id="basic iso date"),
        pytest.param(f"{HEADER}\n,10,11,9,10,1000,5\n", 2, "date", id="empty date"),
        pytest.param(f"{HEADER}\n2000-03-01,0,11,9,10,1000,5\n", 2, "open", id="zero open"),
        pytest.param(f"{HEADER}\n2000-03-01,10,11,-9,10,1000,5\n", 2, "low", id="negative low"),
        pytest.param(
            f"{HEADER}\n2000-03-01,10,11,9,10,1000,0\n", 2, "adj_close", id="zero adj_close"
        ),
        pytest.param(f"{HEADER}\n2000-03-01,10,11,9,10,-1,5\n", 2, "volume", id="negative volume"),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,10.9,10,11,2000,5.5\n",
            3,
            "high",
            id="high below close",
        ),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10.6,11,2000,5.5\n",
            3,
            "low",
            id="low above open",
        ),
        pytest.param(f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n", 3, "date", id="repeated date"),
        pytest.param(f"{HEADER}\n{NEXT_ROW}\n{GOOD_ROW}\n", 3, "date", id="date goes back"),
        pytest.param(
            f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10,11,2000\n",
            3,
            "adj_close",
            id="field missing",
        ),
        pytest.param(f"{HEADER}\n{GOOD_ROW}\n{NEXT_ROW},7\n", 3, "adj_close", id="extra field"),
        pytest.param(f"{HEADER}\n{GOOD_ROW}\n2000-03-02\n", 3, "open", id="only a date"),
        pytest.param("", 1, "date", id="empty file"),
        pytest.param(f"{HEADER}\n", 2, "date", id="header without rows"),
        pytest.param(f"{GOOD_ROW}\n{NEXT_ROW}\n", 1, "date", id="no header"),
        pytest.param(
            f"date,open,high,low,close,adj_close,volume\n{GOOD_ROW}\n",
            1,
            "adj_close",
            id="columns swapped",
        ),
        pytest.param(
            f"date,open,high,low,close,volume\n{GOOD_ROW}\n", 1, "adj_close", id="column missing"
        ),
    ],
)
def test_a_bad_file_raises_a_data_error_naming_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as raised:
        load_csv_bars(path, "BAD")
    message = str(raised.value)
    assert f"BAD.csv:{line}:" in message
    assert field in message
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        (f"{HEADER}\n2000-03-01,10,11,9,x,1000,5\n", "fix or remove the row"),
        (f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n", "sort the file or remove the duplicate"),
        (f"{HEADER}\n2000-03-01,10,9,9,10,1000,5\n", "fix the prices or remove the row"),
        (f"open,close\n{GOOD_ROW}\n", f"expected '{HEADER}'"),
        ("", f"expected the header '{HEADER}'"),
    ],
)
def test_a_data_error_says_how_to_fix_the_file(tmp_path: Path, text: str, fix: str) -> None:
    with pytest.raises(DataError, match=fix):
        load_csv_bars(write(tmp_path, text), "BAD")


def test_a_non_numeric_field_reads_like_the_documented_example(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,abc,10,11,2000,5.5\n")
    with pytest.raises(DataError) as raised:
        load_csv_bars(path, "BAD")
    assert str(raised.value) == (
        f"{path}:3: field 'high' is 'abc', not a number; fix or remove the row"
    )


def test_the_first_bad_row_in_the_file_is_the_one_reported(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n{GOOD_ROW}\n2000-03-02,10.5,12,10,x,2000,5.5\n"
        "2000-03-03,y,12,10,11,2000,5.5\n2000-03-01,10,11,9,10,1,5\n"
    )
    with pytest.raises(DataError, match=r"BAD\.csv:3: field 'close' is 'x'"):
        load_csv_bars(write(tmp_path, text), "BAD")


def test_blank_lines_are_skipped_but_still_counted_in_line_numbers(tmp_path: Path) -> None:
    text = f"{HEADER}\n\n{GOOD_ROW}\n\n{NEXT_ROW}\n2000-03-03,1,1,1,x,1,1\n\n"
    with pytest.raises(DataError, match=r"BAD\.csv:6: field 'close'"):
        load_csv_bars(write(tmp_path, text), "BAD")
    assert len(load_csv_bars(write(tmp_path, f"{HEADER}\n\n{GOOD_ROW}\n\n", "OK.csv"), "OK")) == 1


def test_ohlc_within_the_tolerance_is_accepted(tmp_path: Path) -> None:
    text = f"{HEADER}\n2000-03-01,10.0000000001,10,9.9999999999,10,1000,10\n"
    bars = load_csv_bars(write(tmp_path, text), "OK", adjust=False)
    assert bars.open[0] == 10.0000000001


def test_a_byte_order_mark_crlf_and_padded_header_are_accepted(tmp_path: Path) -> None:
    text = "\ufeffDate, Open,High,Low,Close,Volume,Adj_Close\r\n" + f"{GOOD_ROW}\r\n{NEXT_ROW}\r\n"
    bars = load_csv_bars(write(tmp_path, text, "OK.csv"), "OK")
    assert len(bars) == 2
    assert bars.close.tolist() == [5.25, 5.5]
    assert bars.volume.tolist() == [2000.0, 4000.0]

"""The bar readers: the layouts users have (vendor CSV, gzip, Parquet, long files, minute and
daily bars) read into the same stamped, validated, back-adjusted bars."""

from __future__ import annotations

import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.actors.market.bar_files import (
    DATA,
    MINUTE_NS,
    aapl_frame,
    assert_same_bars,
    joined,
    minute_frame,
    ny_ns,
    read_all,
    write_text,
)
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.readers import read_bars, read_long_bars

YFINANCE = ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"]


def yfinance_csv(tmp_path: Path) -> Path:
    frame = aapl_frame().rename(columns=str.title).rename(columns={"Adj_Close": "Adj Close"})
    path = tmp_path / "AAPL-yf.csv"
    frame[YFINANCE].to_csv(path, index=False)
    return path


# Column layouts


def test_the_yfinance_layout_gives_the_same_bars_as_the_project_layout(tmp_path: Path) -> None:
    project = read_all(DATA / "AAPL.csv", "AAPL", None)
    assert_same_bars(read_all(yfinance_csv(tmp_path), "AAPL", None), project)
    assert len(project) == 3270


def test_daily_bars_without_a_calendar_close_at_16_new_york_time() -> None:
    bars = read_all(DATA / "AAPL.csv", "AAPL", None, adjust="none")
    days = aapl_frame()["date"]
    assert bars.ts_ns.tolist() == [ny_ns(day, 16) for day in days]
    assert bars.ts_ns[0] == ny_ns("2000-03-01", 16)  # 21:00 UTC in winter, 20:00 in summer


def test_columns_in_any_order_with_extra_columns_read_alike(tmp_path: Path) -> None:
    frame = aapl_frame()
    frame["dividends"] = 0.0
    path = tmp_path / "shuffled.csv"
    frame[["volume", "dividends", "close", "adj_close", "low", "date", "high", "open"]].to_csv(
        path, index=False
    )
    assert_same_bars(read_all(path, "AAPL", None), read_all(DATA / "AAPL.csv", "AAPL", None))


def test_plain_ohlcv_without_adj_close_reads_as_traded_with_adjust_none(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    aapl_frame().drop(columns="adj_close").to_csv(path, index=False)
    bars = read_all(path, "AAPL", None, adjust="none")
    np.testing.assert_array_equal(bars.close, aapl_frame()["close"])
    np.testing.assert_array_equal(bars.volume, aapl_frame()["volume"])


def test_adj_close_missing_with_adjust_back_is_an_error_naming_data_adjust(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    aapl_frame().drop(columns="adj_close").to_csv(path, index=False)
    with pytest.raises(
        DataError,
        match=r'plain\.csv:1: no adj_close column .*data\.adjust is "back"; set adjust = "none"',
    ):
        read_bars(path, "AAPL", Layout(), None)


def test_an_explicit_columns_mapping_reads_names_no_alias_knows(tmp_path: Path) -> None:
    names = {"date": "Trade Day", "open": "O", "high": "H", "low": "L", "close": "C"}
    names |= {"volume": "Shares", "adj_close": "Total Return Close"}
    path = tmp_path / "odd.csv"
    aapl_frame().rename(columns=names).to_csv(path, index=False)
    columns = {"timestamp": "Trade Day", "open": "O", "high": "H", "low": "L", "close": "C"}
    columns |= {"volume": "Shares", "adj_close": "total_return_close"}
    bars = read_all(path, "AAPL", None, columns=columns)
    assert_same_bars(bars, read_all(DATA / "AAPL.csv", "AAPL", None))


# Back-adjustment


def test_back_adjusted_aapl_ends_on_the_raw_last_close() -> None:
    bars = read_all(DATA / "AAPL.csv", "AAPL", "XNYS")
    assert bars.close[-1] == aapl_frame()["close"].iloc[-1] == 430.47


def test_the_2000_06_21_split_is_no_false_crash_once_back_adjusted() -> None:
    frame = aapl_frame()
    split = int(np.flatnonzero(frame["date"] == "2000-06-21")[0])
    raw = read_all(DATA / "AAPL.csv", "AAPL", "XNYS", adjust="none")
    adjusted = read_all(DATA / "AAPL.csv", "AAPL", "XNYS")
    assert raw.close[split] / raw.close[split - 1] < 0.6
    assert abs(adjusted.close[split] / adjusted.close[split - 1] - 1) < 0.10


def test_back_adjustment_keeps_dollar_volume_and_rounds_prices_to_six_decimals() -> None:
    frame = aapl_frame()
    bars = read_all(DATA / "AAPL.csv", "AAPL", None)
    np.testing.assert_allclose(
        bars.volume * bars.close, frame["volume"] * frame["close"], rtol=1e-6
    )
    for column in (bars.open, bars.high, bars.low, bars.close):
        np.testing.assert_array_equal(column, np.round(column, 6))
    factor = (frame["adj_close"] / frame["close"]) / (frame["adj_close"] / frame["close"]).iloc[-1]
    np.testing.assert_allclose(bars.open, np.round(frame["open"] * factor, 6), rtol=0, atol=1e-9)


def test_a_final_ratio_passed_in_is_the_one_used() -> None:
    scanned = read_all(DATA / "AAPL.csv", "AAPL", None)
    ratio = float(aapl_frame()["adj_close"].iloc[-1] / aapl_frame()["close"].iloc[-1])
    given = joined(read_bars(DATA / "AAPL.csv", "AAPL", Layout(), None, final_ratio=ratio))
    assert_same_bars(given, scanned)
    halved = joined(read_bars(DATA / "AAPL.csv", "AAPL", Layout(), None, final_ratio=2 * ratio))
    assert halved.close[-1] == pytest.approx(430.47 / 2)


# Daily bars on exchange calendars


def test_a_daily_bar_on_an_early_close_is_stamped_at_that_close(tmp_path: Path) -> None:
    text = "date,open,high,low,close,volume\n2024-07-02,1,1,1,1,1\n2024-07-03,1,1,1,1,1\n"
    bars = read_all(write_text(tmp_path / "d.csv", text), "X", "XNYS", adjust="none")
    assert bars.ts_ns.tolist() == [ny_ns("2024-07-02", 16), ny_ns("2024-07-03", 13)]


def test_daily_xtks_bars_close_at_15_tokyo_which_is_06_utc(tmp_path: Path) -> None:
    text = "date,open,high,low,close,volume\n2024-01-04,1,1,1,1,1\n2024-01-05,1,1,1,1,1\n"
    bars = read_all(write_text(tmp_path / "t.csv", text), "7203", "XTKS", adjust="none")
    utc = pd.to_datetime(bars.ts_ns, utc=True)
    assert [str(stamp) for stamp in utc] == [
        "2024-01-04 06:00:00+00:00",
        "2024-01-05 06:00:00+00:00",
    ]


def test_a_daily_bar_on_a_holiday_is_an_error_or_dropped(tmp_path: Path) -> None:
    text = "date,open,high,low,close,volume\n2024-07-03,1,1,1,1,1\n2024-07-04,1,1,1,1,1\n"
    path = write_text(tmp_path / "h.csv", text)
    with pytest.raises(
        DataError, match=r"h\.csv:3: field 'date' is '2024-07-04', not a session of XNYS"
    ):
        read_all(path, "X", "XNYS", adjust="none")
    assert len(read_all(path, "X", "XNYS", adjust="none", outside_sessions="drop")) == 1


# Intraday bars


def minute_csv(tmp_path: Path, frame: pd.DataFrame, name: str = "m.csv") -> Path:
    frame = frame.assign(timestamp=[stamp.isoformat() for stamp in frame["timestamp"]])
    frame.to_csv(tmp_path / name, index=False)
    return tmp_path / name


def test_offset_minute_bars_across_the_early_close_of_2024_07_03_keep_their_closes(
    tmp_path: Path,
) -> None:
    frame = minute_frame("2024-07-02", 390 + 210 + 60)  # 07-02, the 13:00 close of 07-03, 07-05
    bars = read_all(minute_csv(tmp_path, frame), "X", "XNYS", stamp="close", adjust="none")
    expected = frame["timestamp"].map(lambda stamp: stamp.value).to_numpy()
    np.testing.assert_array_equal(bars.ts_ns, expected)
    assert ny_ns("2024-07-03", 13) in bars.ts_ns
    assert ny_ns("2024-07-03", 13, 1) not in bars.ts_ns


def test_minute_bars_stamped_at_their_open_close_one_bar_later(tmp_path: Path) -> None:
    frame = minute_frame("2024-07-02", 660)
    closes = frame["timestamp"].map(lambda stamp: stamp.value).to_numpy()
    opens = frame.assign(timestamp=frame["timestamp"] - pd.Timedelta(minutes=1))
    bars = read_all(minute_csv(tmp_path, opens), "X", "XNYS", adjust="none")  # stamp "open"
    np.testing.assert_array_equal(bars.ts_ns, closes)


def test_a_minute_bar_after_the_early_close_is_an_error_or_dropped(tmp_path: Path) -> None:
    frame = minute_frame("2024-07-03", 211)  # the 13:00 close, then 09:31 of 07-05
    late = frame.iloc[[209]].assign(
        timestamp=pd.Timestamp("2024-07-03 13:01", tz="America/New_York")
    )
    frame = pd.concat([frame.iloc[:210], late, frame.iloc[210:]])
    path = minute_csv(tmp_path, frame)
    with pytest.raises(DataError) as raised:
        read_all(path, "X", "XNYS", stamp="close", adjust="none")
    assert str(raised.value).startswith(
        f"{path}:212: field 'timestamp' is '2024-07-03T13:01:00-04:00'"
    )
    assert "a bar closing at 2024-07-03 13:01 America/New_York (17:01 UTC)" in str(raised.value)
    assert 'data.outside_sessions = "drop"' in str(raised.value)
    kept = read_all(path, "X", "XNYS", stamp="close", adjust="none", outside_sessions="drop")
    assert len(kept) == 211 and ny_ns("2024-07-03", 13, 1) not in kept.ts_ns


def test_naive_minute_bars_are_placed_in_the_layout_timezone(tmp_path: Path) -> None:
    frame = minute_frame("2024-03-08", 800)  # across the switch to daylight saving time
    naive = frame.assign(timestamp=frame["timestamp"].dt.tz_localize(None))
    path = tmp_path / "naive.csv"
    naive.to_csv(path, index=False)
    bars = read_all(path, "X", "XNYS", stamp="close", adjust="none", timezone="America/New_York")
    np.testing.assert_array_equal(bars.ts_ns, frame["timestamp"].map(lambda s: s.value))
    with pytest.raises(
        DataError, match=r"naive\.csv:2: .*without a UTC offset, and data\.timezone is not set"
    ):
        read_all(path, "X", "XNYS", stamp="close", adjust="none")


def test_an_hourly_bar_opening_at_15_30_closes_at_the_16_00_session_close(tmp_path: Path) -> None:
    hours = ["09:30", "10:30", "11:30", "12:30", "13:30", "14:30", "15:30"]
    rows = "".join(f"2024-01-02T{hour}:00-05:00,1,1,1,1,1\n" for hour in hours)
    path = write_text(tmp_path / "h.csv", f"timestamp,open,high,low,close,volume\n{rows}")
    bars = read_all(path, "X", "XNYS", adjust="none")
    assert bars.ts_ns[-2:].tolist() == [ny_ns("2024-01-02", 15, 30), ny_ns("2024-01-02", 16)]


@pytest.mark.parametrize(("calendar", "hours"), [("24/7", 24 * 7), ("24/5", 24 * 5)])
def test_hourly_bars_read_on_round_the_clock_calendars(
    tmp_path: Path, calendar: str, hours: int
) -> None:
    start = pd.Timestamp("2024-01-01 00:00", tz="UTC")  # a Monday
    stamps = pd.date_range(start, periods=24 * 7, freq="h")
    if calendar == "24/5":
        stamps = stamps[stamps.day_of_week < 5]
    frame = pd.DataFrame({"Datetime": stamps, "Open": 1.0, "High": 1.0, "Low": 1.0})
    frame = frame.assign(Close=1.0, Volume=5)
    path = tmp_path / "hourly.parquet"
    frame.to_parquet(path)
    bars = read_all(path, "BTC", calendar, adjust="none")  # stamped at their open
    assert len(bars) == hours
    np.testing.assert_array_equal(bars.ts_ns, stamps.as_unit("ns").asi8 + 3600 * 10**9)


def test_an_hourly_bar_on_a_saturday_is_outside_the_24_5_calendar(tmp_path: Path) -> None:
    text = (
        "ts,open,high,low,close,volume\n2024-01-05T23:00Z,1,1,1,1,1\n2024-01-06T00:00Z,1,1,1,1,1\n"
    )
    path = write_text(tmp_path / "weekend.csv", text)
    with pytest.raises(DataError, match=r"weekend\.csv:3: .*a bar opening at 2024-01-06 00:00 UTC"):
        read_all(path, "X", "24/5", adjust="none", bar_seconds=3600)
    assert len(read_all(path, "X", "24/7", adjust="none", bar_seconds=3600)) == 2


# Compressed, Parquet and long files


def test_a_gzip_csv_reads_as_the_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "AAPL.csv.gz"
    aapl_frame().to_csv(path, index=False, compression="gzip")
    assert_same_bars(read_all(path, "AAPL", "XNYS"), read_all(DATA / "AAPL.csv", "AAPL", "XNYS"))


@pytest.mark.parametrize(
    "dates",
    [
        pytest.param(lambda days: pd.to_datetime(days).dt.date, id="date32"),
        pytest.param(lambda days: pd.to_datetime(days), id="naive-midnight"),
        pytest.param(
            lambda days: pd.to_datetime(days).dt.tz_localize("America/New_York"), id="tz-midnight"
        ),
    ],
)
def test_a_parquet_file_per_symbol_reads_as_its_csv(tmp_path: Path, dates: object) -> None:
    frame = aapl_frame()
    frame["date"] = dates(frame["date"])  # type: ignore[operator]
    path = tmp_path / "AAPL.parquet"
    frame.to_parquet(path, row_group_size=1000)
    assert_same_bars(read_all(path, "AAPL", "XNYS"), read_all(DATA / "AAPL.csv", "AAPL", "XNYS"))


def long_frame() -> pd.DataFrame:
    frames = [
        pd.read_csv(DATA / f"{symbol}.csv", dtype={"date": str}).assign(ticker=symbol)
        for symbol in ("AAPL", "MSFT", "IBM")
    ]
    return pd.concat(frames).sort_values(["date", "ticker"], kind="stable")


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_a_long_file_with_three_symbols_splits_into_each_symbols_bars(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"long.{suffix}"
    frame = long_frame()
    frame.to_parquet(path, row_group_size=2000) if suffix == "parquet" else frame.to_csv(
        path, index=False
    )
    chunks = list(read_long_bars(path, ["IBM", "AAPL"], Layout(), "XNYS", chunk_rows=1000))
    assert all(set(chunk) <= {"IBM", "AAPL"} for chunk in chunks)
    for symbol in ("IBM", "AAPL"):
        bars = joined(chunk[symbol] for chunk in chunks if symbol in chunk)
        assert_same_bars(bars, read_all(DATA / f"{symbol}.csv", symbol, "XNYS"))


def test_a_symbol_absent_from_a_long_file_is_an_error_naming_the_symbols_found(
    tmp_path: Path,
) -> None:
    path = tmp_path / "long.parquet"
    long_frame().to_parquet(path)
    with pytest.raises(
        DataError,
        match=r"long\.parquet: no rows for symbol 'GOOG'; the file's symbols "
        r"\(column 'ticker'\) are 'AAPL', 'IBM', 'MSFT'",
    ):
        read_long_bars(path, ["AAPL", "GOOG"], Layout(), "XNYS")


def test_read_bars_on_a_long_file_reads_the_one_symbol_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    long_frame().to_csv(path, index=False)
    assert_same_bars(read_all(path, "MSFT", None), read_all(DATA / "MSFT.csv", "MSFT", None))


# Chunks


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_chunks_of_seven_rows_give_the_same_bars_as_one_chunk(tmp_path: Path, suffix: str) -> None:
    frame = minute_frame("2024-07-02", 700)
    frame["timestamp"] = frame["timestamp"] - pd.Timedelta(minutes=1)  # stamped at the open
    path = tmp_path / f"m.{suffix}"
    if suffix == "csv":
        minute_csv(tmp_path, frame, path.name)
    else:
        frame.to_parquet(path, row_group_size=100)
    small = list(read_bars(path, "X", Layout(adjust="none"), "XNYS", chunk_rows=7))
    assert {len(chunk) for chunk in small} == {7}
    whole = list(read_bars(path, "X", Layout(adjust="none"), "XNYS"))
    assert len(whole) == 1
    assert_same_bars(joined(small), whole[0])
    assert whole[0].ts_ns[0] == ny_ns("2024-07-02", 9, 31)


def test_a_large_file_is_read_in_bounded_chunks_none_of_which_is_kept(tmp_path: Path) -> None:
    count, chunk_rows = 2_000_000, 100_000
    ts = np.arange(count, dtype=np.int64) * MINUTE_NS + np.int64(1_704_067_200 * 10**9)
    price = pa.array(np.full(count, 100.0))
    columns = {"ts": pa.array(ts, pa.timestamp("ns", "UTC"))}
    columns |= {name: price for name in ("open", "high", "low", "close", "volume")}
    pq.write_table(pa.table(columns), tmp_path / "big.parquet", row_group_size=200_000)
    layout = Layout(adjust="none", stamp="close")
    earlier: list[weakref.ref[np.ndarray]] = []
    rows = peak_arrow_bytes = 0
    for chunk in read_bars(tmp_path / "big.parquet", "X", layout, "24/7", chunk_rows=chunk_rows):
        assert len(chunk) <= chunk_rows
        assert all(ref() is None for ref in earlier)  # nothing holds an earlier chunk
        earlier = [weakref.ref(chunk.ts_ns), weakref.ref(chunk.close)]
        rows += len(chunk)
        peak_arrow_bytes = max(peak_arrow_bytes, pa.total_allocated_bytes())
        del chunk
    assert rows == count
    assert peak_arrow_bytes < 32 * 2**20  # the file's six columns hold 92 MiB

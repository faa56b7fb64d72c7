"""Bar sources: the real vendor files load as they should, broken files say how to fix them,
and synthetic bars are reproducible, valid and on the exchange calendar's session clock."""

from __future__ import annotations

import csv
import time
import warnings
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tradeswarm.actors.market.bar_sources import (
    BarColumns,
    DataError,
    load_csv_bars,
    synthetic_minute_bars,
)
from tradeswarm.actors.market.sessions import exchange_calendar

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


# Synthetic minute bars


def test_the_same_seed_gives_identical_bars() -> None:
    first = synthetic_minute_bars(["A", "B"], 2000, seed=7)
    second = synthetic_minute_bars(["A", "B"], 2000, seed=7)
    for symbol in ("A", "B"):
        for name in ("ts_ns", "open", "high", "low", "close", "volume"):
            np.testing.assert_array_equal(
                getattr(first[symbol], name), getattr(second[symbol], name)
            )


def test_a_different_seed_gives_different_bars() -> None:
    first = synthetic_minute_bars(["A"], 2000, seed=7)["A"]
    second = synthetic_minute_bars(["A"], 2000, seed=8)["A"]
    assert not np.array_equal(first.close, second.close)
    assert not np.array_equal(first.volume, second.volume)


def test_symbols_draw_independent_streams_fixed_by_their_position() -> None:
    two = synthetic_minute_bars(["A", "B"], 1000, seed=3)
    three = synthetic_minute_bars(["A", "B", "C"], 1000, seed=3)
    assert not np.array_equal(two["A"].close, two["B"].close)
    np.testing.assert_array_equal(two["B"].close, three["B"].close)


def test_seeded_bars_are_pinned_so_a_change_of_stream_is_noticed() -> None:
    # PCG64 and its standard normal are stable, but numpy promises Generator streams only per
    # version: if this fails after a numpy upgrade, every seeded scenario's bars have changed.
    bars = synthetic_minute_bars(["X"], 5, seed=1)["X"]
    assert bars.open.tolist() == [100.0, 99.96, 99.98, 99.96, 100.03]
    assert bars.close.tolist() == [99.96, 99.98, 99.96, 100.03, 99.86]


def test_synthetic_ohlc_is_valid_in_whole_cents() -> None:
    bars = synthetic_minute_bars(["A", "B", "C"], 20_000, seed=11, volatility=0.9)
    for b in bars.values():
        body_low = np.minimum(b.open, b.close)
        body_high = np.maximum(b.open, b.close)
        assert np.all(b.low > 0)
        assert np.all(b.low <= body_low)
        assert np.all(body_high <= b.high)
        assert np.any(b.high > body_high) and np.any(b.low < body_low)
        for column in (b.open, b.high, b.low, b.close):
            np.testing.assert_array_equal(column, np.round(column, 2))
        assert np.all(b.volume >= 1)
        np.testing.assert_array_equal(b.volume, np.round(b.volume))


def test_a_falling_price_stays_positive_at_a_cent() -> None:
    bars = synthetic_minute_bars(["A"], 5000, seed=5, start_price=0.05, drift=-500.0)["A"]
    assert np.all(bars.low >= 0.01)
    assert bars.close[-1] == 0.01


def test_each_open_is_the_previous_close_and_the_first_is_the_start_price() -> None:
    bars = synthetic_minute_bars(["A"], 3000, seed=2, start_price=42.0)["A"]
    assert bars.open[0] == 42.0
    np.testing.assert_array_equal(bars.open[1:], bars.close[:-1])


def test_synthetic_volatility_is_close_to_the_requested_one() -> None:
    bars = synthetic_minute_bars(["A"], 200_000, seed=9, volatility=0.3)["A"]
    annualised = np.std(np.log(bars.close / bars.open)) * np.sqrt(252 * 390)
    assert annualised == pytest.approx(0.3, rel=0.03)


def test_every_symbol_has_the_requested_length_and_the_same_timestamps() -> None:
    bars = synthetic_minute_bars(["A", "B", "C"], 1000, seed=1)
    assert list(bars) == ["A", "B", "C"]
    for symbol, b in bars.items():
        assert b.symbol == symbol
        assert len(b) == 1000
        assert all(len(c) == 1000 for c in (b.open, b.high, b.low, b.close, b.volume))
        np.testing.assert_array_equal(b.ts_ns, bars["A"].ts_ns)
    assert bars["A"].ts_ns.dtype == np.int64


def test_a_session_has_390_minute_bars_from_0931_to_1600_new_york() -> None:
    ts = synthetic_minute_bars(["A"], 390 * 7 + 100, seed=1)["A"].ts_ns
    local = [datetime.fromtimestamp(t / 1e9, NEW_YORK) for t in ts.tolist()]
    days: dict[date, list[datetime]] = {}
    for moment in local:
        days.setdefault(moment.date(), []).append(moment)
    sessions = list(days.values())
    assert [len(s) for s in sessions] == [390] * 7 + [100]
    for session in sessions[:-1]:
        assert (session[0].hour, session[0].minute) == (9, 31)
        assert (session[-1].hour, session[-1].minute) == (16, 0)
    assert np.all(np.diff(ts) >= 60 * 10**9)
    assert np.all(np.diff(ts)[:389] == 60 * 10**9)


def test_the_first_bar_closes_at_0931_on_the_start_date() -> None:
    ts = synthetic_minute_bars(["A"], 1, seed=1)["A"].ts_ns
    assert ts.tolist() == [utc_ns(2024, 1, 2, 14, 31)]


def test_no_bar_falls_on_a_weekend_and_a_weekend_start_rolls_to_monday() -> None:
    ts = synthetic_minute_bars(["A"], 390 * 30, seed=1, start="2024-01-06")["A"].ts_ns
    weekdays = {datetime.fromtimestamp(t / 1e9, NEW_YORK).weekday() for t in ts.tolist()}
    assert weekdays == {0, 1, 2, 3, 4}
    assert ts[0] == utc_ns(2024, 1, 8, 14, 31)


def test_the_session_keeps_new_york_hours_across_both_dst_switches() -> None:
    spring = synthetic_minute_bars(["A"], 390 * 2, seed=1, start="2024-03-08")["A"].ts_ns
    assert spring[0] == utc_ns(2024, 3, 8, 14, 31)
    assert spring[390] == utc_ns(2024, 3, 11, 13, 31)
    assert spring[-1] == utc_ns(2024, 3, 11, 20, 0)
    autumn = synthetic_minute_bars(["A"], 390 * 2, seed=1, start="2024-11-01")["A"].ts_ns
    assert autumn[0] == utc_ns(2024, 11, 1, 13, 31)
    assert autumn[390] == utc_ns(2024, 11, 4, 14, 31)


def calendar_minute_closes(name: str, first: str, last: str) -> np.ndarray:
    """The close of every trading minute by the calendar's own minute API, in ns UTC."""
    with warnings.catch_warnings():  # its pandas 3.1 deprecation warnings, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        minutes = exchange_calendar(name).minutes_in_range(first, last)
    return minutes.asi8 + 60 * 10**9


def ny_time(t: int) -> tuple[str, int, int]:
    moment = datetime.fromtimestamp(t / 1e9, NEW_YORK)
    return moment.date().isoformat(), moment.hour, moment.minute


def test_for_ten_years_sessions_open_at_0931_and_close_at_1600_or_an_early_1300() -> None:
    ts = synthetic_minute_bars(["A"], 390 * 2600, seed=1, start="2015-01-01")["A"].ts_ns
    starts = np.flatnonzero(np.r_[True, np.diff(ts) != 60 * 10**9])
    ends = np.r_[starts[1:] - 1, len(ts) - 1]
    firsts = [ny_time(t) for t in ts[starts].tolist()]
    lasts = [ny_time(t) for t in ts[ends[:-1]].tolist()]  # the last session may be cut short
    assert {(hour, minute) for _, hour, minute in firsts} == {(9, 31)}
    assert [day for day, _, _ in firsts[:-1]] == [day for day, _, _ in lasts]
    early = [day for day, hour, minute in lasts if (hour, minute) != (16, 0)]
    assert {(hour, minute) for day, hour, minute in lasts if day in early} == {(13, 0)}
    assert len(early) == 20  # two or three a year
    assert {"2015-11-27", "2019-07-03", "2020-12-24", "2023-11-24"} <= set(early)


def test_the_minutes_are_the_calendars_own_minutes_each_stamped_at_its_close() -> None:
    closes = calendar_minute_closes("XNYS", "2024-01-02 14:30", "2024-12-31 20:59")
    ts = synthetic_minute_bars(["A"], len(closes), seed=1)["A"].ts_ns
    np.testing.assert_array_equal(ts, closes)


def test_holidays_have_no_bars() -> None:
    ts = synthetic_minute_bars(["A"], 390 * 140, seed=1)["A"].ts_ns
    days = {ny_time(t)[0] for t in ts.tolist()}
    assert "2024-01-12" in days and "2024-01-16" in days
    assert "2024-01-15" not in days  # Martin Luther King Jr. Day
    assert "2024-07-03" in days and "2024-07-05" in days
    assert "2024-07-04" not in days
    assert "2024-03-29" not in days  # Good Friday


@pytest.mark.parametrize("day", ["2024-07-03", "2024-11-29", "2024-12-24"])
def test_an_early_close_day_has_210_bars_ending_at_1300_new_york(day: str) -> None:
    ts = synthetic_minute_bars(["A"], 390 * 10, seed=1, start=day)["A"].ts_ns
    assert [ny_time(t) for t in ts[[0, 209, 210]].tolist()][:2] == [(day, 9, 31), (day, 13, 0)]
    assert ny_time(int(ts[210]))[0] > day
    assert ny_time(int(ts[210]))[1:] == (9, 31)


def test_the_early_close_of_2024_07_03_is_17_utc_and_july_4_is_skipped() -> None:
    ts = synthetic_minute_bars(["A"], 390 * 3, seed=1, start="2024-07-02")["A"].ts_ns
    assert ts[390] == utc_ns(2024, 7, 3, 13, 31)
    assert ts[390 + 209] == utc_ns(2024, 7, 3, 17, 0)
    assert ts[390 + 210] == utc_ns(2024, 7, 5, 13, 31)


def test_a_start_on_a_holiday_rolls_to_the_next_session() -> None:
    ts = synthetic_minute_bars(["A"], 1, seed=1, start="2024-01-15")["A"].ts_ns
    assert ts.tolist() == [utc_ns(2024, 1, 16, 14, 31)]


def test_the_calendar_moves_the_bars_in_time_but_never_changes_their_prices() -> None:
    new_york = synthetic_minute_bars(["A", "B"], 2000, seed=4, start="2024-06-28")
    london = synthetic_minute_bars(["A", "B"], 2000, seed=4, start="2024-06-28", calendar="XLON")
    for symbol in ("A", "B"):
        assert not np.array_equal(new_york[symbol].ts_ns, london[symbol].ts_ns)
        for name in ("open", "high", "low", "close", "volume"):
            np.testing.assert_array_equal(
                getattr(new_york[symbol], name), getattr(london[symbol], name)
            )


def test_a_calendar_with_a_lunch_break_has_no_bars_inside_the_break() -> None:
    closes = calendar_minute_closes("XHKG", "2024-01-02 01:30", "2024-01-31 07:59")
    ts = synthetic_minute_bars(["A"], len(closes), seed=1, calendar="XHKG")["A"].ts_ns
    np.testing.assert_array_equal(ts, closes)
    hong_kong = ZoneInfo("Asia/Hong_Kong")
    times = {datetime.fromtimestamp(t / 1e9, hong_kong).strftime("%H:%M") for t in ts.tolist()}
    assert "12:00" in times and "13:01" in times
    assert not times & {"12:01", "12:30", "13:00"}


def test_an_unknown_calendar_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'NOPE'"):
        synthetic_minute_bars(["A"], 10, seed=1, calendar="NOPE")


def test_bars_running_past_the_calendars_last_session_are_refused() -> None:
    with pytest.raises(ValueError, match="run past the last XNYS session"):
        synthetic_minute_bars(["A"], 10**9, seed=1)


def test_a_start_before_the_calendars_first_session_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first XNYS session"):
        synthetic_minute_bars(["A"], 10, seed=1, start="1980-01-02")


def test_a_hundred_symbols_of_ten_thousand_bars_take_well_under_a_second() -> None:
    synthetic_minute_bars(["A"], 1, seed=1)  # the calendar's one-off load is not counted
    began = time.perf_counter()
    synthetic_minute_bars([f"S{i}" for i in range(100)], 10_000, seed=1)
    assert time.perf_counter() - began < 1.0


def test_zero_bars_give_empty_columns() -> None:
    bars = synthetic_minute_bars(["A", "B"], 0, seed=1)
    assert [len(b) for b in bars.values()] == [0, 0]


@pytest.mark.parametrize(
    "kwargs",
    [{"bars_per_symbol": -1}, {"start_price": 0.0}, {"volatility": -0.1}, {"symbols": ["A", "A"]}],
)
def test_impossible_synthetic_parameters_are_refused(kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"symbols": ["A"], "bars_per_symbol": 10, "seed": 1}
    with pytest.raises(ValueError):
        synthetic_minute_bars(**{**arguments, **kwargs})  # type: ignore[arg-type]


# BarColumns


def test_bar_columns_refuse_columns_of_different_lengths() -> None:
    one, two = np.ones(1), np.ones(2)
    with pytest.raises(ValueError, match="length"):
        BarColumns("A", np.arange(2, dtype=np.int64), two, two, two, one, two)


def test_bar_columns_refuse_timestamps_that_do_not_ascend() -> None:
    two = np.ones(2)
    with pytest.raises(ValueError, match="ascend"):
        BarColumns("A", np.array([5, 5], dtype=np.int64), two, two, two, two, two)

"""Synthetic minute bars: reproducible from the seed, valid OHLC in whole cents, and on the
exchange calendar's session clock."""

from __future__ import annotations

import time
import warnings
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tradeswarm.actors.market.sessions import exchange_calendar
from tradeswarm.actors.market.synthetic import synthetic_minute_bars, synthetic_streams

NEW_YORK = ZoneInfo("America/New_York")


def utc_ns(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000_000


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
    assert bars.open.tolist() == [100.0, 100.0, 100.01, 100.09, 100.1]
    assert bars.close.tolist() == [100.0, 100.01, 100.09, 100.1, 100.13]
    assert bars.volume.tolist() == [7323.0, 12992.0, 11470.0, 17624.0, 8044.0]


def test_streams_give_the_same_bars_whatever_the_chunk_size() -> None:
    whole = synthetic_minute_bars(["A", "B"], 1000, seed=5)
    for chunk_bars in (1, 7, 390, 5000):
        streams = synthetic_streams(["A", "B"], 1000, seed=5, chunk_bars=chunk_bars)
        for symbol, chunks in streams.items():
            pieces = list(chunks)
            assert all(len(p.ts_ns) <= chunk_bars for p in pieces)
            for name in ("ts_ns", "open", "high", "low", "close", "volume"):
                np.testing.assert_array_equal(
                    np.concatenate([getattr(p, name) for p in pieces]),
                    getattr(whole[symbol], name),
                )


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

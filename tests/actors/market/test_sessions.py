"""Session bounds: bars map to the exchange calendar's sessions, which bring their real open
and close (early closes included), and without a calendar the old first/last-bar rule holds."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tradeswarm.actors.market.config import FileSource
from tradeswarm.actors.market.sessions import exchange_calendar, session_bounds, session_spans
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.actors.market.synthetic import synthetic_minute_bars

DATA = Path(__file__).resolve().parents[3] / "scenarios" / "data"
NEW_YORK = ZoneInfo("America/New_York")


def utc_ns(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 10**9


def ny_ns(day: str, hour: int, minute: int = 0) -> int:
    year, month, date = map(int, day.split("-"))
    return int(datetime(year, month, date, hour, minute, tzinfo=NEW_YORK).timestamp()) * 10**9


def test_an_empty_timeline_has_no_sessions() -> None:
    assert session_bounds(np.array([], dtype=np.int64), "XNYS") == []
    assert session_bounds(np.array([], dtype=np.int64), None) == []


def test_daily_aapl_bars_map_one_to_one_onto_xnys_sessions_by_their_date() -> None:
    bars = load_bars(FileSource(paths={"AAPL": str(DATA / "AAPL.csv")}), "XNYS")["AAPL"]
    bounds = session_bounds(bars.ts_ns, "XNYS")
    assert len(bounds) == len(bars) == 3270
    days = [datetime.fromtimestamp(t / 1e9, NEW_YORK).date().isoformat() for t in bars.ts_ns]
    assert [day for day, _, _ in bounds] == days


def test_a_daily_bar_on_the_early_close_of_2012_11_23_gets_the_1300_close() -> None:
    bars = load_bars(FileSource(paths={"AAPL": str(DATA / "AAPL.csv")}), "XNYS")["AAPL"]
    by_day = {
        day: (open_ns, close_ns) for day, open_ns, close_ns in session_bounds(bars.ts_ns, "XNYS")
    }
    assert by_day["2012-11-23"] == (utc_ns(2012, 11, 23, 14, 30), utc_ns(2012, 11, 23, 18))
    assert by_day["2012-11-21"] == (utc_ns(2012, 11, 21, 14, 30), utc_ns(2012, 11, 21, 21))
    assert "2012-11-22" not in by_day  # Thanksgiving


def test_a_regular_daily_bar_closes_with_its_session() -> None:
    bars = load_bars(FileSource(paths={"AAPL": str(DATA / "AAPL.csv")}), "XNYS")["AAPL"]
    bounds = session_bounds(bars.ts_ns, "XNYS")
    closes = np.array([close_ns for _, _, close_ns in bounds])
    regular = closes == bars.ts_ns
    assert regular.sum() > 3200
    assert np.all(closes <= bars.ts_ns)  # early closes come before the 16:00 stamp


def test_minute_bars_give_the_calendars_open_and_close_not_their_own_first_and_last() -> None:
    ts = synthetic_minute_bars(["A"], 390 * 3, seed=1, start="2024-07-02")["A"].ts_ns
    assert session_bounds(ts, "XNYS") == [
        ("2024-07-02", utc_ns(2024, 7, 2, 13, 30), utc_ns(2024, 7, 2, 20)),
        ("2024-07-03", utc_ns(2024, 7, 3, 13, 30), utc_ns(2024, 7, 3, 17)),
        ("2024-07-05", utc_ns(2024, 7, 5, 13, 30), utc_ns(2024, 7, 5, 20)),
        ("2024-07-08", utc_ns(2024, 7, 8, 13, 30), utc_ns(2024, 7, 8, 20)),
    ]


def test_each_span_indexes_the_first_and_last_bar_of_its_session() -> None:
    ts = synthetic_minute_bars(["A"], 390 + 210 + 5, seed=1, start="2024-07-02")["A"].ts_ns
    spans = session_spans(ts, "XNYS")
    assert [(span.first, span.last) for span in spans] == [(0, 389), (390, 599), (600, 604)]
    assert int(ts[spans[1].last]) == spans[1].close_ns == utc_ns(2024, 7, 3, 17)


@pytest.mark.parametrize(
    ("day", "open_hour", "close_hour"),
    [
        ("2024-01-02", 14, 21),
        ("2024-07-02", 13, 20),
        ("2024-03-11", 13, 20),
        ("2024-11-04", 14, 21),
    ],
    ids=["est", "edt", "spring", "fall"],
)
def test_the_calendars_hours_follow_new_york_either_side_of_daylight_saving(
    day: str, open_hour: int, close_hour: int
) -> None:
    year, month, date = map(int, day.split("-"))
    timeline = np.array([ny_ns(day, 9, 31), ny_ns(day, 16)])
    assert session_bounds(timeline, "XNYS") == [
        (day, utc_ns(year, month, date, open_hour, 30), utc_ns(year, month, date, close_hour))
    ]


def test_a_bar_stamped_at_the_open_belongs_to_that_days_session() -> None:
    timeline = np.array([ny_ns("2024-01-03", 9, 30)])
    assert [day for day, _, _ in session_bounds(timeline, "XNYS")] == ["2024-01-03"]


def test_a_bar_on_a_holiday_is_refused_with_its_date() -> None:
    timeline = np.array([ny_ns("2024-07-03", 16), ny_ns("2024-07-04", 16)])
    with pytest.raises(ValueError, match=r"2024-07-04 in America/New_York\) falls in no XNYS"):
        session_bounds(timeline, "XNYS")


def test_a_session_that_opens_the_evening_before_takes_its_evening_bars() -> None:
    # CME Globex: the session of 2024-01-03 opens at 17:00 Chicago on 2024-01-02.
    timeline = np.array([utc_ns(2024, 1, 2, 23), utc_ns(2024, 1, 2, 23, 1)])
    assert session_bounds(timeline, "CMES") == [
        ("2024-01-02", utc_ns(2024, 1, 1, 23), utc_ns(2024, 1, 2, 23)),
        ("2024-01-03", utc_ns(2024, 1, 2, 23), utc_ns(2024, 1, 3, 23)),
    ]


def test_an_unknown_calendar_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown exchange calendar 'NOPE'"):
        session_bounds(np.array([ny_ns("2024-01-02", 16)]), "NOPE")


def test_the_calendar_is_built_once_per_name() -> None:
    assert exchange_calendar("XNYS") is exchange_calendar("XNYS")


def test_without_a_calendar_a_session_runs_from_its_first_to_its_last_bar() -> None:
    timeline = np.array(
        [ny_ns("2024-07-03", 9, 31), ny_ns("2024-07-03", 16), ny_ns("2024-07-05", 10)]
    )
    assert session_bounds(timeline, None) == [
        ("2024-07-03", ny_ns("2024-07-03", 9, 31), ny_ns("2024-07-03", 16)),
        ("2024-07-05", ny_ns("2024-07-05", 10), ny_ns("2024-07-05", 10)),
    ]


def test_without_a_calendar_the_session_date_is_the_utc_date_five_hours_back() -> None:
    late = utc_ns(2024, 1, 3, 4, 59)  # 23:59 New York on 2024-01-02
    assert [day for day, _, _ in session_bounds(np.array([late]), None)] == ["2024-01-02"]


def test_a_million_minutes_map_to_their_sessions_well_under_a_second() -> None:
    ts = synthetic_minute_bars(["A"], 1_000_000, seed=1, start="2010-01-04")["A"].ts_ns
    began = time.perf_counter()
    bounds = session_bounds(ts, "XNYS")
    assert time.perf_counter() - began < 1.0
    assert len(bounds) > 2500

"""Stamping: daily bars at their session's real close, intraday bars at their close and inside
the session's trading hours (lunch breaks too), capped at the end of the interval they open in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from tests.actors.market.bar_files import ny_ns
from tradeswarm.actors.market.bars import EPOCH_ORDINAL
from tradeswarm.actors.market.stamps import daily_closes, intraday_closes, intraday_limits

TOKYO = ZoneInfo("Asia/Tokyo")
HOUR_NS = 3600 * 10**9


def tokyo_ns(hour: int, minute: int) -> int:
    return int(datetime(2024, 1, 4, hour, minute, tzinfo=TOKYO).timestamp()) * 10**9


def day(text: str) -> int:
    return datetime.fromisoformat(text).toordinal() - EPOCH_ORDINAL


def test_without_a_calendar_a_day_closes_at_16_new_york_either_side_of_daylight_saving() -> None:
    closes, outside = daily_closes(np.array([day("2024-01-02"), day("2024-07-02")]), None)
    assert closes.tolist() == [ny_ns("2024-01-02", 16), ny_ns("2024-07-02", 16)]
    assert not outside.any()


def test_a_day_closes_with_its_session_and_a_holiday_is_outside() -> None:
    days = np.array([day("2024-07-03"), day("2024-07-04"), day("2024-07-05")])
    closes, outside = daily_closes(days, "XNYS")
    assert outside.tolist() == [False, True, False]
    assert closes[[0, 2]].tolist() == [ny_ns("2024-07-03", 13), ny_ns("2024-07-05", 16)]


def test_a_close_inside_the_tokyo_lunch_break_is_outside_the_session() -> None:
    times = [(9, 0), (9, 1), (11, 30), (12, 0), (12, 30), (12, 31), (15, 0), (15, 1)]
    ts = np.array([tokyo_ns(*time) for time in times])
    _, outside = intraday_limits(ts, "close", "XTKS")
    assert outside.tolist() == [True, False, False, True, True, False, False, True]


def test_a_bar_opening_before_the_lunch_break_closes_at_the_break_at_the_latest() -> None:
    ts = np.array(
        [tokyo_ns(9, 0), tokyo_ns(11, 0), tokyo_ns(11, 30), tokyo_ns(12, 30), tokyo_ns(14, 30)]
    )
    limits, outside = intraday_limits(ts, "open", "XTKS")
    assert outside.tolist() == [False, False, True, False, False]
    closes = intraday_closes(ts, limits, "open", HOUR_NS)
    assert closes[[0, 1, 3, 4]].tolist() == [
        tokyo_ns(10, 0),
        tokyo_ns(11, 30),
        tokyo_ns(13, 30),
        tokyo_ns(15, 0),
    ]


def test_on_a_round_the_clock_calendar_midnight_ends_one_session_and_opens_the_next() -> None:
    midnight = ny_ns("2024-01-03", 19)  # 2024-01-04 00:00 UTC
    _, outside_close = intraday_limits(np.array([midnight]), "close", "24/7")
    limits, outside_open = intraday_limits(np.array([midnight]), "open", "24/7")
    assert not outside_close[0] and not outside_open[0]
    assert limits[0] == midnight + 24 * HOUR_NS


def test_without_a_calendar_nothing_is_outside_and_nothing_is_capped() -> None:
    ts = np.array([ny_ns("2024-01-06", 3)])  # a Saturday night
    limits, outside = intraday_limits(ts, "open", None)
    assert not outside[0]
    assert intraday_closes(ts, limits, "open", HOUR_NS)[0] == ts[0] + HOUR_NS

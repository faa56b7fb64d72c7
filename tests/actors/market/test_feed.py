"""What the market data publishes, without sockets: session events from the timeline (with
the exchange calendar's real close when one is given), bars and events merged in one fixed
order, and bars loaded from either kind of source."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from msgspec import structs

from tradeswarm.actors.market.config import FileSource, SyntheticSource
from tradeswarm.actors.market.feed import merge_items, session_events
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.sources import load_bars
from tradeswarm.actors.market.synthetic import synthetic_minute_bars
from tradeswarm.messages import Bar, SessionEvent, SessionEventKind

NEW_YORK = ZoneInfo("America/New_York")
OPEN, CLOSE, END = (
    SessionEventKind.SESSION_OPEN,
    SessionEventKind.SESSION_CLOSE,
    SessionEventKind.END_OF_DAY,
)


def ny_ns(day: str, hour: int, minute: int = 0) -> int:
    year, month, date = map(int, day.split("-"))
    wall = datetime(year, month, date, hour, minute, tzinfo=NEW_YORK)
    return int(wall.timestamp()) * 10**9


def bar(ts_ns: int, symbol: str = "AAPL") -> Bar:
    return Bar(symbol=symbol, ts_ns=ts_ns, open=1.0, high=1.0, low=1.0, close=1.0, volume=1.0)


def kinds(items: list[Bar | SessionEvent]) -> list[str]:
    return ["bar" if isinstance(item, Bar) else item.kind.value for item in items]


# Session events


def test_no_bars_means_no_session_events() -> None:
    assert session_events(np.array([], dtype=np.int64)) == []


def test_a_session_opens_at_its_first_bar_and_closes_and_ends_at_its_last() -> None:
    first, middle, last = (
        ny_ns("2024-01-02", 9, 31),
        ny_ns("2024-01-02", 12),
        ny_ns("2024-01-02", 16),
    )
    assert session_events(np.array([first, middle, last])) == [
        SessionEvent(kind=OPEN, ts_ns=first, session="2024-01-02"),
        SessionEvent(kind=CLOSE, ts_ns=last, session="2024-01-02"),
        SessionEvent(kind=END, ts_ns=last, session="2024-01-02"),
    ]


def test_every_session_of_a_multi_day_timeline_gets_its_three_events() -> None:
    days = ["2024-01-02", "2024-01-03", "2024-01-05"]
    timeline = np.array([ny_ns(day, hour) for day in days for hour in (10, 16)])
    events = session_events(timeline)
    assert [(event.kind, event.session) for event in events] == [
        (kind, day) for day in days for kind in (OPEN, CLOSE, END)
    ]
    assert [event.ts_ns for event in events] == [
        ts for day in days for ts in (ny_ns(day, 10), ny_ns(day, 16), ny_ns(day, 16))
    ]


@pytest.mark.parametrize(
    "day",
    ["2024-01-02", "2024-07-02", "2024-03-11", "2024-11-04"],
    ids=["est", "edt", "spring", "fall"],
)
def test_the_session_date_is_the_new_york_date_either_side_of_daylight_saving(day: str) -> None:
    timeline = np.array([ny_ns(day, 9, 31), ny_ns(day, 16)])
    assert {event.session for event in session_events(timeline)} == {day}


def test_a_daily_timeline_has_one_session_per_bar_all_at_the_close() -> None:
    timeline = np.array([ny_ns("2024-01-02", 16), ny_ns("2024-01-03", 16)])
    events = session_events(timeline)
    assert len(events) == 6
    assert {event.ts_ns for event in events[:3]} == {ny_ns("2024-01-02", 16)}


def test_without_a_calendar_no_event_carries_a_real_close() -> None:
    timeline = np.array([ny_ns("2024-07-03", 9, 31), ny_ns("2024-07-03", 16)])
    assert {event.close_ts_ns for event in session_events(timeline)} == {0}


def test_with_a_calendar_every_event_carries_the_calendars_close() -> None:
    closes = {"2024-07-02": 16, "2024-07-03": 13, "2024-07-05": 16}  # 07-03 closes early
    timeline = np.array([ny_ns(day, hour) for day in closes for hour in (10, 13)])
    events = session_events(timeline, "XNYS")
    assert [(event.session, event.close_ts_ns) for event in events] == [
        (day, ny_ns(day, hour)) for day, hour in closes.items() for _ in range(3)
    ]


def test_with_a_calendar_the_events_stay_on_the_timeline() -> None:
    # The last minute bar of 2024-07-02 is 16:00, of the early close 2024-07-03 13:00.
    ts = synthetic_minute_bars(["A"], 390 + 210 + 30, seed=1, start="2024-07-02")["A"].ts_ns
    events = session_events(ts, "XNYS")
    assert [(event.kind, event.ts_ns) for event in events] == [
        (OPEN, ny_ns("2024-07-02", 9, 31)),
        (CLOSE, ny_ns("2024-07-02", 16)),
        (END, ny_ns("2024-07-02", 16)),
        (OPEN, ny_ns("2024-07-03", 9, 31)),
        (CLOSE, ny_ns("2024-07-03", 13)),
        (END, ny_ns("2024-07-03", 13)),
        (OPEN, ny_ns("2024-07-05", 9, 31)),
        (CLOSE, ny_ns("2024-07-05", 10)),
        (END, ny_ns("2024-07-05", 10)),
    ]
    assert {event.ts_ns for event in events} <= set(ts.tolist())
    assert [event.close_ts_ns for event in events[6:]] == [ny_ns("2024-07-05", 16)] * 3


def test_a_daily_bar_on_an_early_close_day_closes_on_the_bar_but_knows_the_real_close() -> None:
    timeline = np.array([ny_ns("2012-11-21", 16), ny_ns("2012-11-23", 16)])
    events = session_events(timeline, "XNYS")
    assert [(event.session, event.ts_ns, event.close_ts_ns) for event in events[3:]] == [
        ("2012-11-23", ny_ns("2012-11-23", 16), ny_ns("2012-11-23", 13))
    ] * 3


def test_with_a_calendar_the_events_differ_from_before_only_in_the_real_close() -> None:
    ts = synthetic_minute_bars(["A"], 390 * 5, seed=1)["A"].ts_ns
    with_calendar = session_events(ts, "XNYS")
    assert [structs.replace(event, close_ts_ns=0) for event in with_calendar] == session_events(ts)


# Merging bars and events


def test_at_one_time_the_order_is_open_bar_close_end_of_day() -> None:
    ts = ny_ns("2024-01-02", 16)
    bars = [bar(ts)]
    items = merge_items(bars, session_events(np.array([ts])))
    assert kinds(items) == ["session_open", "bar", "session_close", "end_of_day"]
    assert items[1] is bars[0]


def test_bars_fall_between_the_open_and_the_close_of_their_own_day() -> None:
    stamps = [ny_ns(day, hour) for day in ("2024-01-02", "2024-01-03") for hour in (10, 12, 16)]
    items = merge_items([bar(ts) for ts in stamps], session_events(np.array(stamps)))
    one_day = ["session_open", "bar", "bar", "bar", "session_close", "end_of_day"]
    assert kinds(items) == one_day * 2
    assert [item.ts_ns for item in items] == sorted(item.ts_ns for item in items)


def test_a_symbol_without_a_bar_on_a_day_still_gets_that_days_events() -> None:
    days = ["2024-01-02", "2024-01-03", "2024-01-04"]
    timeline = np.array([ny_ns(day, 16) for day in days])
    bars = [bar(ny_ns("2024-01-02", 16)), bar(ny_ns("2024-01-04", 16))]
    items = merge_items(bars, session_events(timeline))
    assert kinds(items) == [
        *["session_open", "bar", "session_close", "end_of_day"],
        *["session_open", "session_close", "end_of_day"],
        *["session_open", "bar", "session_close", "end_of_day"],
    ]
    assert [item.session for item in items if isinstance(item, SessionEvent)] == [
        day for day in days for _ in range(3)
    ]


def test_with_no_events_the_bars_come_through_unchanged() -> None:
    bars = [bar(ny_ns("2024-01-02", hour)) for hour in (10, 11)]
    items = merge_items(bars, [])
    assert items == bars
    assert items is not bars


def test_with_no_bars_only_the_events_come_through() -> None:
    events = session_events(np.array([ny_ns("2024-01-02", 16)]))
    assert merge_items([], events) == events


# Loading bars


def test_a_file_source_loads_each_symbol_from_its_own_file(tmp_path: Path) -> None:
    header = "date,open,high,low,close,volume,adj_close\n"
    (tmp_path / "A.csv").write_text(
        header + "2024-01-02,10,11,9,10.5,100,10.5\n2024-01-03,10.5,12,10,11,200,11\n"
    )
    (tmp_path / "B.csv").write_text(
        header + "2024-01-02,40,42,38,40,300,10\n2024-01-03,20,21,19,20,600,10\n"
    )  # a 2:1 split between the two days
    source = FileSource(paths={"A": str(tmp_path / "A.csv"), "B": str(tmp_path / "B.csv")})
    columns = load_bars(source, "XNYS")
    assert sorted(columns) == ["A", "B"]
    assert columns["A"].symbol == "A"
    assert columns["A"].ts_ns.tolist() == [ny_ns("2024-01-02", 16), ny_ns("2024-01-03", 16)]
    assert columns["A"].close.tolist() == [10.5, 11.0]
    # back-adjusted by adj_close / close, so the last bar is as traded and the split is gone
    assert columns["B"].close.tolist() == [20.0, 20.0]
    assert columns["B"].volume.tolist() == [600.0, 600.0]


def test_a_file_source_without_adjustment_keeps_the_raw_prices(tmp_path: Path) -> None:
    path = tmp_path / "B.csv"
    path.write_text(
        "date,open,high,low,close,volume,adj_close\n"
        "2024-01-02,40,42,38,40,300,10\n2024-01-03,20,21,19,20,600,10\n"
    )
    columns = load_bars(FileSource(paths={"B": str(path)}, layout=Layout(adjust="none")), "XNYS")
    assert columns["B"].close.tolist() == [40.0, 20.0]
    assert columns["B"].volume.tolist() == [300.0, 600.0]


def test_symbols_sharing_a_path_are_read_from_one_long_file(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "symbol,date,open,high,low,close,volume\n"
        "A,2024-01-02,10,11,9,10.5,100\nB,2024-01-02,20,21,19,20,300\n"
        "A,2024-01-03,10.5,12,10,11,200\nC,2024-01-03,1,1,1,1,1\n"
    )
    layout = Layout(adjust="none")
    source = FileSource(paths={"A": str(path), "B": str(path)}, layout=layout)
    columns = load_bars(source, "XNYS")
    assert columns["A"].close.tolist() == [10.5, 11.0]
    assert columns["B"].close.tolist() == [20.0]
    assert columns["B"].ts_ns.tolist() == [ny_ns("2024-01-02", 16)]


def test_a_synthetic_source_gives_every_symbol_its_bars_on_one_clock() -> None:
    source = SyntheticSource(symbols=("X", "Y"), bars_per_symbol=500, seed=3)
    columns = load_bars(source, "XNYS")
    assert list(columns) == ["X", "Y"]
    assert [len(columns[symbol]) for symbol in ("X", "Y")] == [500, 500]
    assert np.array_equal(columns["X"].ts_ns, columns["Y"].ts_ns)
    assert columns["X"].ts_ns[0] == ny_ns("2024-01-02", 9, 31)
    events = session_events(columns["X"].ts_ns)
    assert [event.session for event in events if event.kind is OPEN] == [
        "2024-01-02",
        "2024-01-03",
    ]


def test_a_synthetic_source_gives_the_same_bars_for_the_same_seed() -> None:
    source = SyntheticSource(symbols=("X",), bars_per_symbol=100, seed=11, start_price=50.0)
    first, second = load_bars(source, "XNYS")["X"], load_bars(source, "XNYS")["X"]
    assert first.close.tolist() == second.close.tolist()
    assert first.open[0] == 50.0
    other = load_bars(SyntheticSource(symbols=("X",), bars_per_symbol=100, seed=12), "XNYS")["X"]
    assert first.close.tolist() != other.close.tolist()

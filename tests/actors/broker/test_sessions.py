"""Time in force and the session rules: DAY orders expire at the session's end, IOC
orders keep only what their first bar filled, orders decided in the last minute are
cancelled and, if so configured, come back at the next session's open."""

from __future__ import annotations

import pytest

from tests.actors.broker.helpers import (
    MINUTE,
    T1,
    T2,
    T3,
    T4,
    flat,
    make_book,
    ohlc,
    request,
    status_of,
)
from tradeswarm.actors.broker.book import BrokerBook, FillTiming
from tradeswarm.actors.broker.models import FixedBasisPointsSlippage
from tradeswarm.messages import (
    Bar,
    Fill,
    Message,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderType,
    Side,
    TimeInForce,
)

DAY, GTC, IOC = TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC
LIMIT = OrderType.LIMIT
CLOSE = T1 + 6 * 60 * MINUTE  # the session close on day 1; bars below are minute bars


def kinds(emitted: list[Message]) -> list[tuple[str, str, str]]:
    """(message type, order id, reason or remaining) of each message."""
    rows = []
    for message in emitted:
        detail = getattr(message, "reason", "")
        if isinstance(message, Fill):
            detail = f"{message.quantity:g} left {message.remaining:g}"
        rows.append((type(message).__name__, message.client_order_id, detail))  # type: ignore[attr-defined]
    return rows


def capped(**settings: object) -> BrokerBook:
    return make_book(
        slippage=FixedBasisPointsSlippage(basis_points=0.0, volume_limit=0.1), **settings
    )


# DAY and GTC


def test_at_the_end_of_the_session_open_day_orders_expire_and_gtc_orders_stay() -> None:
    book = make_book()
    book.accept(request("day", Side.BUY, 5.0, LIMIT, limit=1.0, tif=DAY, seq=2), T1, None)
    book.accept(request("gtc", Side.BUY, 5.0, LIMIT, limit=1.0, tif=GTC, seq=1), T1, None)
    book.accept(
        request("msft", Side.SELL, 5.0, LIMIT, limit=99.0, tif=DAY, symbol="MSFT"), T1, None
    )
    assert book.end_of_session(CLOSE) == [
        OrderCancelled(client_order_id=name, symbol=symbol, reason="end_of_day", ts_ns=CLOSE)
        for name, symbol in [("day", "AAPL"), ("msft", "MSFT")]
    ]
    assert [order.client_order_id for order in book.snapshot().open_orders] == ["gtc"]
    assert book.end_of_session(CLOSE + 1) == []


def test_a_partially_filled_day_order_keeps_its_shares_when_the_rest_expires() -> None:
    book = capped()
    book.accept(request("o", Side.BUY, 250.0, tif=DAY), T1, None)
    book.match(flat(T2, 10.0))
    assert kinds(book.end_of_session(T2)) == [("OrderCancelled", "o", "end_of_day")]
    assert status_of(book, "o") == "expired"
    assert book.positions["AAPL"].quantity == 100.0


def test_a_gtc_limit_order_rests_across_sessions_until_it_fills() -> None:
    book = make_book()
    book.accept(request("o", Side.BUY, 5.0, LIMIT, limit=9.0), T1, None)
    for day in (T2, T3):
        assert book.match(flat(day, 10.0)) == []
        assert book.end_of_session(day) == []
    assert kinds(book.match(ohlc(T4, 10.0, 10.0, 8.5, 9.5))) == [("Fill", "o", "5 left 0")]


# IOC


@pytest.mark.parametrize(
    ("order_type", "limit", "bar_", "expected"),
    [
        (
            OrderType.MARKET,
            None,
            flat(T2, 10.0),
            [("Fill", "o", "100 left 150"), ("OrderCancelled", "o", "ioc")],
        ),
        (LIMIT, 9.0, flat(T2, 10.0), [("OrderCancelled", "o", "ioc")]),
        (LIMIT, 10.0, flat(T2, 10.0, volume=1e6), [("Fill", "o", "250 left 0")]),
    ],
    ids=["partly_filled", "not_reached", "filled"],
)
def test_an_ioc_order_keeps_what_its_first_bar_filled_and_the_rest_is_cancelled(
    order_type: OrderType, limit: float | None, bar_: Bar, expected: list[tuple[str, str, str]]
) -> None:
    book = capped()
    order = request("o", Side.BUY, 250.0, order_type, limit=limit, tif=IOC)
    book.accept(order, T1, None)
    assert kinds(book.match(bar_)) == expected
    assert not book.has_open_orders()
    assert book.match(flat(T3, 10.0)) == []


def test_an_ioc_order_waits_for_a_bar_of_its_own_symbol() -> None:
    book = make_book()
    book.accept(request("o", Side.BUY, 5.0, tif=IOC), T1, None)
    assert book.match(flat(T2, 50.0, symbol="MSFT")) == []
    assert kinds(book.match(flat(T3, 10.0))) == [("Fill", "o", "5 left 0")]


def test_with_same_close_an_ioc_order_meets_its_decision_bar_at_acceptance() -> None:
    book = make_book(fill_at=FillTiming.SAME_CLOSE)
    order = request("o", Side.BUY, 5.0, LIMIT, limit=9.0, tif=IOC)
    assert kinds(book.accept(order, T1, flat(T1, 10.0))) == [
        ("OrderAck", "o", ""),
        ("OrderCancelled", "o", "ioc"),
    ]


# The last minute


@pytest.mark.parametrize(
    ("decided", "cancelled"),
    [
        (CLOSE - 2 * MINUTE, False),
        (CLOSE - MINUTE, False),  # the bar ending a minute before the close is in time
        (CLOSE - MINUTE + 1, True),
        (CLOSE - 30 * 10**9, True),
        (CLOSE, True),
    ],
    ids=["two_minutes_before", "one_minute_before", "just_inside", "30s_before", "at_close"],
)
def test_an_order_decided_in_the_last_minute_is_acknowledged_then_cancelled(
    decided: int, cancelled: bool
) -> None:
    book = make_book()
    emitted = book.accept(request("o", Side.BUY, 5.0), decided, None, session_close_ts_ns=CLOSE)
    expected = [("OrderAck", "o", "")]
    if cancelled:
        expected.append(("OrderCancelled", "o", "last_minute"))
    assert kinds(emitted) == expected
    assert book.has_open_orders() is not cancelled


def test_a_last_minute_order_does_not_fill_at_the_close_either() -> None:
    book = make_book(fill_at=FillTiming.SAME_CLOSE)
    emitted = book.accept(
        request("o", Side.BUY, 5.0), CLOSE, flat(CLOSE, 10.0), session_close_ts_ns=CLOSE
    )
    assert kinds(emitted) == [("OrderAck", "o", ""), ("OrderCancelled", "o", "last_minute")]
    assert book.cash == 100_000.0


def test_the_last_minute_can_be_set_and_zero_switches_the_rule_off() -> None:
    five = make_book(last_minute_ns=5 * MINUTE)
    off = make_book(last_minute_ns=0)
    decided = CLOSE - 3 * MINUTE
    assert (
        len(five.accept(request("o", Side.BUY, 1.0), decided, None, session_close_ts_ns=CLOSE)) == 2
    )
    assert len(off.accept(request("o", Side.BUY, 1.0), CLOSE, None, session_close_ts_ns=CLOSE)) == 1


def test_without_resubmission_the_next_session_brings_nothing_back() -> None:
    book = make_book()
    book.accept(request("o", Side.BUY, 5.0), CLOSE, None, session_close_ts_ns=CLOSE)
    assert book.last_minute_cancelled == []
    assert book.start_of_session(T2) == []


def test_with_resubmission_last_minute_cancels_come_back_at_the_open_with_a_suffix() -> None:
    book = make_book(resubmit_next_session=True)
    close = CLOSE
    book.accept(request("b", Side.BUY, 5.0, seq=2, tif=DAY), close, None, session_close_ts_ns=close)
    book.accept(request("a", Side.SELL, 3.0, seq=1), close, None, session_close_ts_ns=close)
    book.accept(request("m", Side.BUY, 1.0, symbol="MSFT"), close, None, session_close_ts_ns=close)
    book.end_of_session(close)
    assert [r.client_order_id for r in book.last_minute_cancelled] == ["b", "a", "m"]
    opening = T2 + 60 * MINUTE
    assert book.start_of_session(opening) == [
        OrderAck(client_order_id=name, symbol=symbol, ts_ns=opening)
        for name, symbol in [("a/next", "AAPL"), ("b/next", "AAPL"), ("m/next", "MSFT")]
    ]
    resubmitted = book.status("b/next")
    assert resubmitted is not None
    assert (resubmitted.quantity, resubmitted.time_in_force) == (5.0, DAY)
    assert book.open_orders["b/next"].request.decided_ts_ns == opening
    assert kinds(book.match(flat(opening + MINUTE, 10.0))) == [
        ("Fill", "a/next", "3 left 0"),
        ("Fill", "b/next", "5 left 0"),
    ]
    assert book.last_minute_cancelled == []
    assert book.start_of_session(T3) == []


def test_a_resubmitted_order_is_checked_again_and_may_be_rejected() -> None:
    book = make_book(resubmit_next_session=True, starting_cash=1_000.0)
    book.mark(flat(T1, 10.0))
    book.accept(request("o", Side.BUY, 90.0), CLOSE, None, session_close_ts_ns=CLOSE)
    book.mark(flat(CLOSE, 20.0))
    emitted: list[Message] = book.start_of_session(T2)
    assert emitted == [
        OrderReject(client_order_id="o/next", symbol="AAPL", reason="insufficient_cash", ts_ns=T2)
    ]

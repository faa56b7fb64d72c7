"""Where each order type trades on a bar: every order type x bar shape x side, then the
stop-limit's same-bar rules, then the same rules through the book across bars."""

from __future__ import annotations

import pytest

from tests.actors.broker.helpers import T1, T2, T3, T4, make_book, ohlc, request, status_of
from tradeswarm.actors.broker.book import FillTiming
from tradeswarm.actors.broker.models import FixedBasisPointsSlippage
from tradeswarm.actors.broker.order_types import Touch, touch
from tradeswarm.messages import Bar, Fill, Message, OrderType, Side

MARKET, LIMIT, STOP, STOP_LIMIT = (
    OrderType.MARKET,
    OrderType.LIMIT,
    OrderType.STOP,
    OrderType.STOP_LIMIT,
)
BUY, SELL = Side.BUY, Side.SELL

# The market stands at 10. A buy limit waits below it at 9.5 and a buy stop above it at
# 10.5; a sell limit waits above at 10.5 and a sell stop below at 9.5. The stop-limits
# allow 0.2 beyond their stop: buy 10.5/10.7, sell 9.5/9.3.
PRICES: dict[tuple[OrderType, Side], tuple[float | None, float | None]] = {
    (MARKET, BUY): (None, None),
    (MARKET, SELL): (None, None),
    (LIMIT, BUY): (9.5, None),
    (LIMIT, SELL): (10.5, None),
    (STOP, BUY): (None, 10.5),
    (STOP, SELL): (None, 9.5),
    (STOP_LIMIT, BUY): (10.7, 10.5),
    (STOP_LIMIT, SELL): (9.3, 9.5),
}

SHAPES: dict[str, Bar] = {
    "inside": ohlc(T2, 10.0, 10.3, 9.7, 10.1),  # reaches neither 9.5 nor 10.5
    "through_up": ohlc(T2, 10.0, 10.8, 9.8, 10.6),  # trades up through 10.5
    "through_down": ohlc(T2, 10.0, 10.2, 9.2, 9.4),  # trades down through 9.5
    "gap_up": ohlc(T2, 11.0, 11.5, 10.8, 11.2),  # opens above 10.5 and stays there
    "gap_down": ohlc(T2, 9.0, 9.2, 8.5, 8.8),  # opens below 9.5 and stays there
}

# (order type, side, bar shape) -> (reference price or None, triggered)
EXPECTED: dict[tuple[OrderType, Side, str], tuple[float | None, bool]] = {
    **{(MARKET, side, shape): (SHAPES[shape].open, False) for side in Side for shape in SHAPES},
    (LIMIT, BUY, "inside"): (None, False),
    (LIMIT, BUY, "through_up"): (None, False),
    (LIMIT, BUY, "through_down"): (9.5, False),  # at the limit
    (LIMIT, BUY, "gap_up"): (None, False),
    (LIMIT, BUY, "gap_down"): (9.0, False),  # gapped through: the open, better than 9.5
    (LIMIT, SELL, "inside"): (None, False),
    (LIMIT, SELL, "through_up"): (10.5, False),
    (LIMIT, SELL, "through_down"): (None, False),
    (LIMIT, SELL, "gap_up"): (11.0, False),
    (LIMIT, SELL, "gap_down"): (None, False),
    (STOP, BUY, "inside"): (None, False),
    (STOP, BUY, "through_up"): (10.5, True),  # at the stop
    (STOP, BUY, "through_down"): (None, False),
    (STOP, BUY, "gap_up"): (11.0, True),  # gapped through: the open, worse than 10.5
    (STOP, BUY, "gap_down"): (None, False),
    (STOP, SELL, "inside"): (None, False),
    (STOP, SELL, "through_up"): (None, False),
    (STOP, SELL, "through_down"): (9.5, True),
    (STOP, SELL, "gap_up"): (None, False),
    (STOP, SELL, "gap_down"): (9.0, True),
    (STOP_LIMIT, BUY, "inside"): (None, False),
    (STOP_LIMIT, BUY, "through_up"): (10.5, True),  # triggered at 10.5, within 10.7
    (STOP_LIMIT, BUY, "through_down"): (None, False),
    (STOP_LIMIT, BUY, "gap_up"): (None, True),  # triggered at 11, never back to 10.7
    (STOP_LIMIT, BUY, "gap_down"): (None, False),
    (STOP_LIMIT, SELL, "inside"): (None, False),
    (STOP_LIMIT, SELL, "through_up"): (None, False),
    (STOP_LIMIT, SELL, "through_down"): (9.5, True),
    (STOP_LIMIT, SELL, "gap_up"): (None, False),
    (STOP_LIMIT, SELL, "gap_down"): (None, True),  # triggered at 9, never back to 9.3
}


def test_the_table_covers_every_order_type_side_and_bar_shape() -> None:
    assert set(EXPECTED) == {
        (order_type, side, shape) for order_type in OrderType for side in Side for shape in SHAPES
    }


@pytest.mark.parametrize(
    ("order_type", "side", "shape"),
    sorted(EXPECTED),
    ids=lambda value: str(value),
)
def test_an_order_trades_at_its_types_reference_price_on_each_bar_shape(
    order_type: OrderType, side: Side, shape: str
) -> None:
    limit, stop = PRICES[order_type, side]
    order = request("o", side, 10.0, order_type, limit=limit, stop=stop)
    price, triggered = EXPECTED[order_type, side, shape]
    assert touch(order, False, SHAPES[shape]) == Touch(price, triggered)


# The stop-limit on the bar that triggers it: (side, stop, limit, bar) -> (price, triggered)
STOP_LIMIT_SAME_BAR = {
    "gap_through_the_stop_within_the_limit_fills_at_the_open": (
        BUY, 10.5, 11.2, ohlc(T2, 11.0, 11.5, 10.8, 11.2), 11.0,
    ),
    "gap_through_the_stop_then_back_to_the_limit_fills_at_the_limit": (
        BUY, 10.5, 10.9, ohlc(T2, 11.0, 11.5, 10.8, 11.2), 10.9,
    ),
    "triggered_inside_the_bar_with_the_stop_beyond_the_limit_and_a_close_within_it": (
        BUY, 10.5, 10.4, ohlc(T2, 10.0, 10.8, 9.8, 10.3), 10.4,
    ),
    "triggered_inside_the_bar_with_the_close_beyond_the_limit_rests": (
        BUY, 10.5, 10.4, ohlc(T2, 10.0, 10.8, 9.8, 10.6), None,
    ),
    "a_low_before_the_trigger_does_not_count": (
        BUY, 10.5, 9.9, ohlc(T2, 10.0, 10.8, 9.8, 10.6), None,
    ),
    "sell_gap_down_then_back_up_to_the_limit_fills_at_the_limit": (
        SELL, 9.5, 9.1, ohlc(T2, 9.0, 9.2, 8.5, 8.8), 9.1,
    ),
    "sell_triggered_inside_with_a_close_within_the_limit": (
        SELL, 9.5, 9.6, ohlc(T2, 10.0, 10.2, 9.2, 9.7), 9.6,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(STOP_LIMIT_SAME_BAR))
def test_a_stop_limit_fills_on_its_trigger_bar_only_where_the_bar_proves_it_could(
    case: str,
) -> None:
    side, stop, limit, bar, price = STOP_LIMIT_SAME_BAR[case]
    order = request("o", side, 10.0, STOP_LIMIT, limit=limit, stop=stop)
    assert touch(order, False, bar) == Touch(price, True)


@pytest.mark.parametrize(
    ("side", "limit", "price"),
    [(BUY, 9.5, 9.5), (BUY, 10.5, 10.0), (SELL, 10.5, None), (SELL, 9.9, 10.0)],
)
def test_a_triggered_stop_limit_is_a_limit_order_on_later_bars(
    side: Side, limit: float, price: float | None
) -> None:
    order = request("o", side, 10.0, STOP_LIMIT, limit=limit, stop=20.0 if side is BUY else 1.0)
    assert touch(order, True, ohlc(T3, 10.0, 10.3, 9.4, 10.1)) == Touch(price, True)


def test_a_triggered_stop_trades_at_later_bars_opens() -> None:
    order = request("o", BUY, 10.0, STOP, stop=50.0)
    assert touch(order, True, ohlc(T3, 10.0, 10.3, 9.4, 10.1)) == Touch(10.0, True)


# Through the book, across bars


def fills(emitted: list[Message]) -> list[tuple[float, float, int]]:
    return [(m.quantity, m.price, m.ts_ns) for m in emitted if isinstance(m, Fill)]


def test_a_limit_order_rests_until_a_bar_reaches_its_limit() -> None:
    book = make_book()
    book.accept(request("o", BUY, 10.0, LIMIT, limit=9.5), T1, None)
    assert book.match(ohlc(T2, 10.0, 10.3, 9.7, 10.1)) == []
    assert status_of(book, "o") == "accepted"
    assert fills(book.match(ohlc(T3, 10.0, 10.2, 9.2, 9.4))) == [(10.0, 9.5, T3)]
    assert not book.has_open_orders()


def test_a_stop_limit_triggered_on_one_bar_fills_as_a_limit_on_a_later_one() -> None:
    book = make_book()
    book.accept(request("o", BUY, 10.0, STOP_LIMIT, stop=10.5, limit=10.7), T1, None)
    assert book.match(ohlc(T2, 11.0, 11.5, 10.8, 11.2)) == []  # gapped over the limit
    assert book.open_orders["o"].triggered
    assert book.match(ohlc(T3, 11.0, 11.5, 10.8, 11.2)) == []
    assert fills(book.match(ohlc(T4, 10.9, 11.0, 10.6, 10.8))) == [(10.0, 10.7, T4)]


def test_an_order_is_not_matched_against_the_bar_it_was_accepted_on() -> None:
    book = make_book()
    book.accept(request("o", BUY, 10.0), T2, None)
    assert book.match(ohlc(T2, 10.0, 10.3, 9.7, 10.1)) == []
    assert len(fills(book.match(ohlc(T3, 10.0, 10.3, 9.7, 10.1)))) == 1


@pytest.mark.parametrize(("side", "limit"), [(BUY, 9.5), (SELL, 10.5)])
def test_slippage_never_pushes_a_limit_fill_beyond_its_limit(side: Side, limit: float) -> None:
    book = make_book(slippage=FixedBasisPointsSlippage(basis_points=100.0, volume_limit=None))
    book.accept(request("o", side, 10.0, LIMIT, limit=limit), T1, None)
    shape = "through_down" if side is BUY else "through_up"
    assert fills(book.match(SHAPES[shape])) == [(10.0, limit, T2)]


@pytest.mark.parametrize(("side", "price"), [(BUY, 9.0 * 1.01), (SELL, 11.0 * 0.99)])
def test_slippage_applies_to_a_limit_fill_that_has_room_below_its_limit(
    side: Side, price: float
) -> None:
    book = make_book(slippage=FixedBasisPointsSlippage(basis_points=100.0, volume_limit=None))
    limit = 9.5 if side is BUY else 10.5
    book.accept(request("o", side, 10.0, LIMIT, limit=limit), T1, None)
    (fill,) = book.match(SHAPES["gap_down" if side is BUY else "gap_up"])
    assert isinstance(fill, Fill)
    assert fill.price == pytest.approx(price)


@pytest.mark.parametrize(
    ("order_type", "limit", "stop", "close", "filled"),
    [
        (LIMIT, 9.5, None, 9.4, True),
        (LIMIT, 9.5, None, 9.6, False),
        (STOP, None, 10.5, 10.6, True),
        (STOP, None, 10.5, 10.4, False),
        (STOP_LIMIT, 10.7, 10.5, 10.6, True),
        (STOP_LIMIT, 10.7, 10.5, 10.8, False),
    ],
)
def test_with_same_close_an_order_is_checked_against_the_decision_bars_close(
    order_type: OrderType, limit: float | None, stop: float | None, close: float, filled: bool
) -> None:
    book = make_book(fill_at=FillTiming.SAME_CLOSE)
    decision = ohlc(T1, 10.0, 11.0, 9.0, close)
    emitted = book.accept(request("o", BUY, 10.0, order_type, limit=limit, stop=stop), T1, decision)
    assert fills(emitted) == ([(10.0, close, T1)] if filled else [])

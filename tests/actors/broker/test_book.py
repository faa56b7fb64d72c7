"""The broker's book, without sockets: fills and their timing, cash and positions, costs,
rejects, idempotent re-submission, cancels and the one-call snapshot."""

from __future__ import annotations

import pytest

from tests.actors.broker.helpers import ohlc, request, status_of
from tradeswarm.actors.broker.book import BrokerBook, BrokerSettings, FillTiming
from tradeswarm.actors.broker.models import FixedBasisPointsSlippage, PerShare
from tradeswarm.messages import (
    Bar,
    CancelRequest,
    Fill,
    OpenOrder,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    OrderType,
    Position,
    Side,
    TimeInForce,
)

DAY = 86_400 * 10**9
T1, T2, T3, T4, T5 = (day * DAY for day in range(1, 6))
SYMBOLS = frozenset({"AAPL", "MSFT"})


def bar(ts_ns: int, open_: float, close: float, symbol: str = "AAPL") -> Bar:
    return Bar(
        symbol=symbol,
        ts_ns=ts_ns,
        open=open_,
        high=max(open_, close) + 1.0,
        low=min(open_, close) - 1.0,
        close=close,
        volume=1_000.0,
    )


def order(
    client_order_id: str,
    side: Side,
    quantity: float,
    *,
    symbol: str = "AAPL",
    order_type: OrderType = OrderType.MARKET,
    decided_ts_ns: int = T1,
    seq: int = 0,
) -> OrderRequest:
    return OrderRequest(
        client_order_id=client_order_id,
        symbol=symbol,
        side=side,
        quantity=quantity,
        order_type=order_type,
        limit_price=9.0 if order_type is not OrderType.MARKET else None,
        decided_ts_ns=decided_ts_ns,
        seq=seq,
    )


def cancel(client_order_id: str, symbol: str = "AAPL") -> CancelRequest:
    return CancelRequest(client_order_id=client_order_id, symbol=symbol, decided_ts_ns=T2, seq=9)


def book(**settings: object) -> BrokerBook:
    return BrokerBook(BrokerSettings(**settings), SYMBOLS)  # type: ignore[arg-type]


def trade(
    broker: BrokerBook, client_order_id: str, side: Side, quantity: float, price: float
) -> Fill:
    """Accept a market order and fill it at ``price`` on the next bar's open."""
    assert broker.accept(order(client_order_id, side, quantity), T1, None) == [
        OrderAck(client_order_id=client_order_id, symbol="AAPL", ts_ns=T1)
    ]
    (fill,) = broker.match(bar(T2, price, price))
    assert isinstance(fill, Fill)
    return fill


def position(broker: BrokerBook, symbol: str = "AAPL") -> tuple[float, float]:
    """(quantity, average cost) of ``symbol`` as the snapshot reports it; (0, 0) if flat."""
    for held in broker.snapshot("check").positions:
        if held.symbol == symbol:
            return held.quantity, held.average_cost
    return 0.0, 0.0


# Fill timing


def test_a_market_order_is_acknowledged_then_filled_at_the_next_bars_open() -> None:
    broker = book(fill_at=FillTiming.NEXT_OPEN)
    decision_bar = bar(T1, 10.0, 11.0)
    emitted = broker.accept(order("o1", Side.BUY, 100.0), T1, decision_bar)
    assert emitted == [OrderAck(client_order_id="o1", symbol="AAPL", ts_ns=T1)]
    assert broker.has_open_orders()
    assert broker.match(bar(T2, 12.0, 13.0)) == [
        Fill(
            client_order_id="o1",
            symbol="AAPL",
            side=Side.BUY,
            quantity=100.0,
            price=12.0,
            commission=0.0,
            ts_ns=T2,
            remaining=0.0,
            fill_seq=1,
        )
    ]
    assert not broker.has_open_orders()
    assert broker.cash == 100_000.0 - 1_200.0


def test_a_market_order_fills_at_the_decision_bars_close_with_same_close() -> None:
    broker = book(fill_at=FillTiming.SAME_CLOSE)
    emitted = broker.accept(order("o1", Side.BUY, 100.0), T1, bar(T1, 10.0, 11.0))
    assert emitted == [
        OrderAck(client_order_id="o1", symbol="AAPL", ts_ns=T1),
        Fill(
            client_order_id="o1",
            symbol="AAPL",
            side=Side.BUY,
            quantity=100.0,
            price=11.0,
            commission=0.0,
            ts_ns=T1,
            remaining=0.0,
            fill_seq=1,
        ),
    ]
    assert not broker.has_open_orders()
    assert broker.match(bar(T2, 12.0, 13.0)) == []


def test_with_same_close_but_no_decision_bar_the_order_waits_for_the_next_open() -> None:
    broker = book(fill_at=FillTiming.SAME_CLOSE)
    assert broker.accept(order("o1", Side.BUY, 10.0), T1, None) == [
        OrderAck(client_order_id="o1", symbol="AAPL", ts_ns=T1)
    ]
    (fill,) = broker.match(bar(T2, 12.0, 13.0))
    assert isinstance(fill, Fill)
    assert fill.price == 12.0


def test_a_bar_of_another_symbol_fills_nothing() -> None:
    broker = book()
    broker.accept(order("o1", Side.BUY, 10.0), T1, None)
    assert broker.match(bar(T2, 50.0, 50.0, symbol="MSFT")) == []
    assert broker.symbols_with_open_orders() == {"AAPL"}


def test_orders_of_one_symbol_fill_in_sequence_order_and_count_fills() -> None:
    broker = book()
    broker.accept(order("late", Side.BUY, 1.0, seq=2), T1, None)
    broker.accept(order("early", Side.BUY, 1.0, seq=1), T1, None)
    fills = [f for f in broker.match(bar(T2, 10.0, 10.0)) if isinstance(f, Fill)]
    assert [(f.client_order_id, f.fill_seq) for f in fills] == [("early", 1), ("late", 2)]
    assert broker.fills == 2


# Cash, positions, average cost


def test_buys_add_to_the_position_at_their_average_cost() -> None:
    broker = book()
    trade(broker, "b1", Side.BUY, 100.0, 10.0)
    trade(broker, "b2", Side.BUY, 100.0, 12.0)
    assert position(broker) == (200.0, 11.0)
    assert broker.cash == 100_000.0 - 1_000.0 - 1_200.0


def test_a_partial_sell_keeps_the_average_cost_and_returns_cash() -> None:
    broker = book()
    trade(broker, "b1", Side.BUY, 100.0, 10.0)
    trade(broker, "s1", Side.SELL, 40.0, 15.0)
    assert position(broker) == (60.0, 10.0)
    assert broker.cash == 100_000.0 - 1_000.0 + 600.0


def test_selling_everything_leaves_no_position() -> None:
    broker = book()
    trade(broker, "b1", Side.BUY, 100.0, 10.0)
    trade(broker, "s1", Side.SELL, 100.0, 15.0)
    assert position(broker) == (0.0, 0.0)
    assert broker.snapshot("flat").positions == []
    assert broker.cash == 100_000.0 + 500.0


def test_a_sell_through_zero_flips_to_a_short_at_the_fill_price() -> None:
    broker = book()
    trade(broker, "b1", Side.BUY, 100.0, 10.0)
    trade(broker, "s1", Side.SELL, 150.0, 20.0)
    assert position(broker) == (-50.0, 20.0)
    assert broker.cash == 100_000.0 - 1_000.0 + 3_000.0


def test_a_buy_through_zero_flips_a_short_to_a_long_at_the_fill_price() -> None:
    broker = book()
    trade(broker, "s1", Side.SELL, 50.0, 20.0)
    assert position(broker) == (-50.0, 20.0)
    trade(broker, "b1", Side.BUY, 20.0, 18.0)
    assert position(broker) == (-30.0, 20.0)
    trade(broker, "b2", Side.BUY, 80.0, 15.0)
    assert position(broker) == (50.0, 15.0)
    assert broker.cash == 100_000.0 + 1_000.0 - 360.0 - 1_200.0


# Costs


@pytest.mark.parametrize(
    ("quantity", "commission"),
    [(50.0, 1.0), (100.0, 1.0), (300.0, 3.0)],
    ids=["below_minimum", "at_minimum", "above_minimum"],
)
def test_commission_is_per_share_with_a_minimum_and_is_paid_from_cash(
    quantity: float, commission: float
) -> None:
    broker = book(commission=PerShare(cost=0.01, min_trade_cost=1.0))
    fill = trade(broker, "b1", Side.BUY, quantity, 10.0)
    assert fill.commission == pytest.approx(commission)
    assert broker.cash == pytest.approx(100_000.0 - quantity * 10.0 - commission)


def test_a_minimum_alone_is_charged_on_every_fill() -> None:
    broker = book(commission=PerShare(cost=0.0, min_trade_cost=2.5))
    assert trade(broker, "b1", Side.BUY, 1.0, 10.0).commission == 2.5


def test_commission_does_not_change_the_average_cost() -> None:
    broker = book(commission=PerShare(cost=0.01, min_trade_cost=1.0))
    trade(broker, "b1", Side.BUY, 100.0, 10.0)
    assert position(broker) == (100.0, 10.0)


@pytest.mark.parametrize(
    ("side", "price"), [(Side.BUY, 100.1), (Side.SELL, 99.9)], ids=["buy", "sell"]
)
def test_slippage_makes_buys_pay_more_and_sells_receive_less(side: Side, price: float) -> None:
    broker = book(slippage=FixedBasisPointsSlippage(basis_points=10.0, volume_limit=None))
    fill = trade(broker, "o1", side, 10.0, 100.0)
    assert fill.price == pytest.approx(price)
    signed = 1.0 if side is Side.BUY else -1.0
    assert broker.cash == pytest.approx(100_000.0 - signed * 10.0 * price)


# Rejects


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (order("r", Side.BUY, 1.0, symbol="ZZZZ"), "unknown_symbol"),
        (order("r", Side.BUY, 0.0), "non_positive_quantity"),
        (order("r", Side.SELL, -5.0), "non_positive_quantity"),
        (order("r", Side.BUY, 1_001.0), "insufficient_cash"),
    ],
    ids=[
        "unknown_symbol",
        "zero_quantity",
        "negative_quantity",
        "insufficient_cash",
    ],
)
def test_an_invalid_order_is_rejected_with_its_reason_and_changes_nothing(
    request_: OrderRequest, reason: str
) -> None:
    broker = book(starting_cash=10_000.0)
    broker.mark(bar(T1, 10.0, 10.0))
    assert broker.accept(request_, T1, None) == [
        OrderReject(client_order_id="r", symbol=request_.symbol, reason=reason, ts_ns=T1)
    ]
    assert not broker.has_open_orders()
    assert broker.match(bar(T2, 10.0, 10.0)) == []
    assert broker.cash == 10_000.0


def test_a_buy_that_the_cash_exactly_covers_is_accepted() -> None:
    broker = book(starting_cash=10_000.0)
    broker.mark(bar(T1, 10.0, 10.0))
    (ack,) = broker.accept(order("o1", Side.BUY, 1_000.0), T1, None)
    assert isinstance(ack, OrderAck)


def test_a_large_sell_is_not_checked_against_cash() -> None:
    broker = book(starting_cash=10.0)
    broker.mark(bar(T1, 10.0, 10.0))
    (ack,) = broker.accept(order("o1", Side.SELL, 1_000.0), T1, None)
    assert isinstance(ack, OrderAck)


# Idempotence and cancels


def test_resubmitting_a_client_order_id_is_ignored() -> None:
    broker = book()
    assert len(broker.accept(order("o1", Side.BUY, 10.0), T1, None)) == 1
    assert broker.accept(order("o1", Side.BUY, 10.0), T1, None) == []
    assert len(broker.match(bar(T2, 10.0, 10.0))) == 1
    assert broker.accept(order("o1", Side.BUY, 10.0), T2, None) == []
    assert broker.match(bar(T3, 10.0, 10.0)) == []
    assert position(broker) == (10.0, 10.0)


def test_resubmitting_a_rejected_client_order_id_is_ignored_too() -> None:
    broker = book()
    (reject,) = broker.accept(order("o1", Side.BUY, 0.0), T1, None)
    assert isinstance(reject, OrderReject)
    assert broker.accept(order("o1", Side.BUY, 10.0), T1, None) == []
    assert not broker.has_open_orders()


def test_cancelling_an_open_order_removes_it_so_it_never_fills() -> None:
    broker = book()
    broker.accept(order("o1", Side.BUY, 10.0), T1, None)
    assert broker.cancel(cancel("o1"), T2) == [
        OrderCancelled(client_order_id="o1", symbol="AAPL", reason="requested", ts_ns=T2)
    ]
    assert not broker.has_open_orders()
    assert broker.match(bar(T3, 10.0, 10.0)) == []
    assert broker.cash == 100_000.0


def test_a_cancel_after_the_fill_lost_the_race_and_emits_nothing() -> None:
    broker = book()
    trade(broker, "o1", Side.BUY, 10.0, 10.0)
    assert broker.cancel(cancel("o1"), T3) == []
    assert position(broker) == (10.0, 10.0)


def test_a_cancel_of_an_unknown_order_emits_nothing() -> None:
    assert book().cancel(cancel("never-sent"), T1) == []


def test_cancel_all_at_the_end_of_data_cancels_every_open_order_in_order() -> None:
    broker = book()
    broker.accept(order("m2", Side.BUY, 1.0, symbol="MSFT", seq=2), T1, None)
    broker.accept(order("a2", Side.BUY, 1.0, seq=2), T1, None)
    broker.accept(order("a1", Side.BUY, 1.0, seq=1), T1, None)
    emitted = broker.cancel_all("end_of_data", T5)
    assert emitted == [
        OrderCancelled(client_order_id=name, symbol=symbol, reason="end_of_data", ts_ns=T5)
        for name, symbol in [("a1", "AAPL"), ("a2", "AAPL"), ("m2", "MSFT")]
    ]
    assert not broker.has_open_orders()
    assert broker.cancel_all("end_of_data", T5) == []


# The snapshot


def test_the_snapshot_holds_cash_positions_open_orders_and_marked_equity() -> None:
    broker = book(starting_cash=10_000.0)
    trade(broker, "a1", Side.BUY, 100.0, 10.0)
    broker.accept(order("m1", Side.BUY, 10.0, symbol="MSFT"), T1, None)
    (fill,) = broker.match(bar(T3, 50.0, 50.0, symbol="MSFT"))
    assert isinstance(fill, Fill)
    broker.accept(order("a2", Side.SELL, 30.0, seq=4), T3, None)
    broker.mark(bar(T4, 11.0, 12.0))
    broker.mark(bar(T3, 50.0, 55.0, symbol="MSFT"))

    state = broker.snapshot("state-7")

    assert state.request_id == "state-7"
    assert state.cash == 10_000.0 - 1_000.0 - 500.0
    assert state.positions == [
        Position(symbol="AAPL", quantity=100.0, average_cost=10.0, last_price=12.0),
        Position(symbol="MSFT", quantity=10.0, average_cost=50.0, last_price=55.0),
    ]
    assert state.open_orders == [
        OpenOrder(
            client_order_id="a2",
            symbol="AAPL",
            side=Side.SELL,
            quantity=30.0,
            filled_quantity=0.0,
            order_type=OrderType.MARKET,
            limit_price=None,
            stop_price=None,
            time_in_force=TimeInForce.GTC,
            status="accepted",
        )
    ]
    assert state.equity == state.cash + 100.0 * 12.0 + 10.0 * 55.0
    assert state.equity == broker.equity()
    assert state.last_ts_ns == T4
    assert state.fills == fill.fill_seq == 2


def test_a_short_position_lowers_equity_as_the_price_rises() -> None:
    broker = book()
    trade(broker, "s1", Side.SELL, 10.0, 20.0)
    broker.mark(bar(T3, 20.0, 25.0))
    assert broker.equity() == 100_000.0 + 200.0 - 10.0 * 25.0


def test_a_fresh_book_is_all_cash() -> None:
    state = book(starting_cash=5_000.0).snapshot("s")
    assert (state.cash, state.equity, state.positions, state.open_orders) == (
        5_000.0,
        5_000.0,
        [],
        [],
    )
    assert (state.last_ts_ns, state.fills) == (-1, 0)


# Rejects: every reason, with the book unchanged


NAN, INF = float("nan"), float("inf")
LIMIT, STOP, STOP_LIMIT = OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT

REJECTS: dict[str, tuple[OrderRequest, str]] = {
    "infinite_quantity": (request("r", Side.BUY, INF), "invalid_quantity"),
    "nan_quantity": (request("r", Side.SELL, NAN), "invalid_quantity"),
    "fractional_quantity": (request("r", Side.BUY, 1.5), "fractional_quantity"),
    "limit_without_a_limit": (request("r", Side.BUY, 1.0, LIMIT), "missing_limit_price"),
    "zero_limit": (request("r", Side.BUY, 1.0, LIMIT, limit=0.0), "invalid_limit_price"),
    "negative_limit": (request("r", Side.SELL, 1.0, LIMIT, limit=-1.0), "invalid_limit_price"),
    "infinite_limit": (request("r", Side.SELL, 1.0, LIMIT, limit=INF), "invalid_limit_price"),
    "nan_limit": (request("r", Side.BUY, 1.0, LIMIT, limit=NAN), "invalid_limit_price"),
    "market_with_a_limit": (request("r", Side.BUY, 1.0, limit=9.0), "unexpected_limit_price"),
    "stop_with_a_limit": (
        request("r", Side.BUY, 1.0, STOP, stop=11.0, limit=12.0),
        "unexpected_limit_price",
    ),
    "stop_without_a_stop": (request("r", Side.BUY, 1.0, STOP), "missing_stop_price"),
    "stop_limit_without_a_stop": (
        request("r", Side.BUY, 1.0, STOP_LIMIT, limit=9.0),
        "missing_stop_price",
    ),
    "stop_limit_without_a_limit": (
        request("r", Side.BUY, 1.0, STOP_LIMIT, stop=9.0),
        "missing_limit_price",
    ),
    "zero_stop": (request("r", Side.SELL, 1.0, STOP, stop=0.0), "invalid_stop_price"),
    "limit_with_a_stop": (
        request("r", Side.BUY, 1.0, LIMIT, limit=9.0, stop=8.0),
        "unexpected_stop_price",
    ),
    "limit_buy_beyond_cash": (
        request("r", Side.BUY, 1_001.0, LIMIT, limit=10.0),
        "insufficient_cash",
    ),
    "stop_buy_beyond_cash_at_its_stop": (
        request("r", Side.BUY, 600.0, STOP, stop=20.0),
        "insufficient_cash",
    ),
}


@pytest.mark.parametrize("case", sorted(REJECTS))
def test_each_invalid_order_is_rejected_with_its_reason(case: str) -> None:
    request_, reason = REJECTS[case]
    broker = book(starting_cash=10_000.0)
    broker.mark(bar(T1, 10.0, 10.0))
    assert broker.accept(request_, T1, None) == [
        OrderReject(client_order_id="r", symbol="AAPL", reason=reason, ts_ns=T1)
    ]
    assert not broker.has_open_orders()
    assert status_of(broker, "r") == "rejected"
    assert broker.cash == 10_000.0


def test_an_order_while_the_market_is_closed_is_rejected() -> None:
    broker = book()
    assert broker.accept(order("o1", Side.BUY, 1.0), T1, None, market_open=False) == [
        OrderReject(client_order_id="o1", symbol="AAPL", reason="market_closed", ts_ns=T1)
    ]


def test_a_fractional_quantity_is_accepted_and_filled_when_allowed() -> None:
    broker = book(allow_fractional=True)
    (ack,) = broker.accept(request("o1", Side.BUY, 0.5), T1, None)
    assert isinstance(ack, OrderAck)
    (fill,) = broker.match(bar(T2, 10.0, 10.0))
    assert isinstance(fill, Fill)
    assert (fill.quantity, fill.remaining) == (0.5, 0.0)


def test_buying_power_counts_what_open_buy_orders_have_reserved() -> None:
    broker = book(starting_cash=10_000.0)
    broker.mark(bar(T1, 10.0, 10.0))
    broker.accept(request("limit", Side.BUY, 600.0, LIMIT, limit=9.0, seq=1), T1, None)  # 5,400
    broker.accept(request("sell", Side.SELL, 900.0, seq=2), T1, None)  # sells reserve nothing
    (ack,) = broker.accept(request("fits", Side.BUY, 460.0, seq=3), T1, None)  # 4,600
    assert isinstance(ack, OrderAck)
    (reject,) = broker.accept(request("over", Side.BUY, 1.0, seq=4), T1, None)
    assert reject == OrderReject(
        client_order_id="over", symbol="AAPL", reason="insufficient_cash", ts_ns=T1
    )


def test_a_cancelled_buy_frees_its_reservation() -> None:
    broker = book(starting_cash=10_000.0)
    broker.accept(request("o1", Side.BUY, 1_000.0, LIMIT, limit=10.0), T1, None)
    broker.cancel(cancel("o1"), T1)
    (ack,) = broker.accept(request("o2", Side.BUY, 1_000.0, LIMIT, limit=10.0), T1, None)
    assert isinstance(ack, OrderAck)


# Partial fills, cancel races, replace


def capped_book(volume_limit: float = 0.1, **settings: object) -> BrokerBook:
    model = FixedBasisPointsSlippage(basis_points=0.0, volume_limit=volume_limit)
    return book(slippage=model, **settings)


def test_a_cancel_after_a_partial_fill_cancels_the_rest_and_keeps_the_shares() -> None:
    broker = capped_book()
    broker.accept(request("o1", Side.BUY, 250.0), T1, None)
    (fill,) = broker.match(bar(T2, 10.0, 10.0))
    assert isinstance(fill, Fill) and fill.remaining == 150.0
    assert broker.cancel(cancel("o1"), T2) == [
        OrderCancelled(client_order_id="o1", symbol="AAPL", reason="requested", ts_ns=T2)
    ]
    assert broker.match(bar(T3, 10.0, 10.0)) == []
    assert position(broker) == (100.0, 10.0)
    assert broker.status("o1") == OpenOrder(
        client_order_id="o1",
        symbol="AAPL",
        side=Side.BUY,
        quantity=250.0,
        filled_quantity=100.0,
        order_type=OrderType.MARKET,
        limit_price=None,
        stop_price=None,
        time_in_force=TimeInForce.GTC,
        status="cancelled",
    )


def test_a_cancel_arriving_after_the_last_fill_lost_the_race() -> None:
    broker = capped_book()
    broker.accept(request("o1", Side.BUY, 150.0), T1, None)
    broker.match(bar(T2, 10.0, 10.0))
    broker.match(bar(T3, 10.0, 10.0))
    assert broker.cancel(cancel("o1"), T3) == []
    assert status_of(broker, "o1") == "filled"


def test_the_snapshot_shows_a_partially_filled_order_with_its_filled_quantity() -> None:
    broker = capped_book()
    broker.accept(request("o1", Side.BUY, 250.0), T1, None)
    broker.match(bar(T2, 10.0, 10.0))
    (open_order,) = broker.snapshot("s").open_orders
    assert (open_order.status, open_order.quantity, open_order.filled_quantity) == (
        "partially_filled",
        250.0,
        100.0,
    )


def test_a_replace_amends_the_order_in_place_and_is_acknowledged() -> None:
    broker = book()
    broker.accept(request("o1", Side.BUY, 10.0, LIMIT, limit=9.0), T1, None)
    assert broker.replace("o1", quantity=20.0, limit_price=9.8, ts_ns=T2) == [
        OrderAck(client_order_id="o1", symbol="AAPL", ts_ns=T2)
    ]
    amended = broker.status("o1")
    assert amended is not None
    assert (amended.quantity, amended.limit_price, amended.status) == (20.0, 9.8, "accepted")
    (fill,) = broker.match(ohlc(T3, 10.0, 10.2, 9.7, 9.9))
    assert isinstance(fill, Fill)
    assert (fill.quantity, fill.price) == (20.0, 9.8)


def test_a_replace_of_a_partially_filled_order_keeps_what_it_filled() -> None:
    broker = capped_book()
    broker.accept(request("o1", Side.BUY, 250.0), T1, None)
    broker.match(bar(T2, 10.0, 10.0))
    (ack,) = broker.replace("o1", quantity=120.0, ts_ns=T2)
    assert isinstance(ack, OrderAck)
    assert status_of(broker, "o1") == "partially_filled"
    (fill,) = broker.match(bar(T3, 10.0, 10.0))
    assert isinstance(fill, Fill)
    assert (fill.quantity, fill.remaining) == (20.0, 0.0)


def test_a_replace_arriving_after_the_fill_or_the_cancel_lost_the_race() -> None:
    broker = book()
    trade(broker, "filled", Side.BUY, 10.0, 10.0)
    broker.accept(request("cancelled", Side.BUY, 10.0, LIMIT, limit=5.0), T2, None)
    broker.cancel(cancel("cancelled"), T2)
    assert broker.replace("filled", quantity=20.0, ts_ns=T3) == []
    assert broker.replace("cancelled", limit_price=6.0, ts_ns=T3) == []
    assert broker.replace("never-sent", quantity=1.0, ts_ns=T3) == []
    assert broker.replace_rejects == 0
    assert position(broker) == (10.0, 10.0)


REPLACE_REJECTS: dict[str, dict[str, float]] = {
    "quantity_at_the_filled_quantity": {"quantity": 100.0},
    "quantity_below_the_filled_quantity": {"quantity": 50.0},
    "fractional_quantity": {"quantity": 150.5},
    "a_limit_on_a_market_order": {"limit_price": 9.0},
    "a_stop_on_a_market_order": {"stop_price": 9.0},
    "beyond_cash": {"quantity": 100_000.0},
}


@pytest.mark.parametrize("case", sorted(REPLACE_REJECTS))
def test_an_invalid_replace_changes_nothing_and_is_counted(case: str) -> None:
    broker = capped_book()
    broker.accept(request("o1", Side.BUY, 250.0), T1, None)
    broker.match(bar(T2, 10.0, 10.0))
    broker.mark(bar(T2, 10.0, 10.0))
    before = broker.snapshot("s")
    assert broker.replace("o1", ts_ns=T2, **REPLACE_REJECTS[case]) == []
    assert broker.replace_rejects == 1
    assert broker.snapshot("s") == before


# The status query


def test_the_status_query_reports_open_and_closed_orders_and_none_for_unknown_ids() -> None:
    broker = book()
    trade(broker, "done", Side.BUY, 10.0, 10.0)
    broker.accept(request("open", Side.SELL, 5.0, LIMIT, limit=50.0), T2, None)
    assert broker.status("open") == broker.snapshot("s").open_orders[0]
    done = broker.status("done")
    assert done is not None
    assert (done.status, done.filled_quantity) == ("filled", 10.0)
    assert broker.status("unknown") is None

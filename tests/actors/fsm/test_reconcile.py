"""After a restart an instrument checks itself against the broker's snapshot: it agrees,
or the broker's facts replace its own, its state is inferred from them, and a record says
what differed. An order still in flight (not acknowledged) is no difference."""

from __future__ import annotations

from typing import Any

from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.actors.fsm.orders import OrderTracker
from tradeswarm.actors.fsm.reconcile import differences, reconcile
from tradeswarm.messages import (
    OpenOrder,
    OrderAck,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
)
from tradeswarm.scenarios.strategies import resolve_strategy

SMA = resolve_strategy("sma_crossover")
PARAMS = {"fast": 2, "slow": 3, "quantity": 10}


def tracker(position: float = 0.0) -> OrderTracker:
    context: Any = SMA.new_context("AAA", PARAMS)
    context.position = position
    return OrderTracker(context)


def sell_order(client_order_id: str, quantity: float, filled: float = 0.0) -> OpenOrder:
    return OpenOrder(
        client_order_id=client_order_id,
        symbol="AAA",
        side=Side.SELL,
        quantity=quantity,
        filled_quantity=filled,
        order_type=OrderType.MARKET,
        limit_price=None,
        stop_price=None,
        time_in_force=TimeInForce.GTC,
        status=OrderStatus.ACCEPTED,
    )


def long(quantity: float) -> list[Position]:
    return [Position(symbol="AAA", quantity=quantity, average_cost=100.0, last_price=101.0)]


def submit_sell(orders: OrderTracker, client_order_id: str, quantity: float) -> None:
    orders.submitted(client_order_id, Submit(side=Side.SELL, quantity=quantity))
    orders.on_ack(OrderAck(client_order_id=client_order_id, symbol="AAA", ts_ns=1))


def test_an_instrument_that_agrees_with_the_broker_is_left_alone() -> None:
    orders = tracker(position=10.0)
    submit_sell(orders, "AAA-2", 10.0)
    other_symbol = Position(symbol="BBB", quantity=5.0, average_cost=1.0, last_price=1.0)
    record = reconcile(
        SMA, "AAA", "EXIT_PENDING", orders, [*long(10.0), other_symbol], [sell_order("AAA-2", 10)]
    )
    assert record is None
    assert orders.context.position == 10.0


def test_an_order_not_yet_acknowledged_is_in_flight_not_a_difference() -> None:
    orders = tracker(position=10.0)
    orders.submitted("AAA-2", Submit(side=Side.SELL, quantity=10.0))  # the broker has not taken it
    assert reconcile(SMA, "AAA", "EXIT_PENDING", orders, long(10.0), []) is None
    assert "AAA-2" in orders.context.open_orders


def test_a_wrong_position_takes_the_brokers_and_the_state_it_implies() -> None:
    orders = tracker(position=0.0)
    record = reconcile(SMA, "AAA", "FLAT", orders, long(10.0), [])
    assert record is not None
    assert record.differences == ("position 0 here, 10 at the broker",)
    assert (record.state_before, record.state_after) == ("FLAT", "LONG")
    assert orders.context.position == 10.0


def test_orders_the_broker_does_not_hold_are_dropped_and_those_it_holds_adopted() -> None:
    orders = tracker(position=10.0)
    submit_sell(orders, "AAA-2", 10.0)  # ended at the broker: the reply was lost
    broker_orders = [sell_order("AAA-3", 10.0, filled=4.0)]  # partly filled, unknown here
    record = reconcile(SMA, "AAA", "EXIT_PENDING", orders, long(6.0), broker_orders)
    assert record is not None
    assert record.differences == (
        "position 10 here, 6 at the broker",
        "order AAA-2 open here, not at the broker",
        "order AAA-3 open at the broker, not here",
    )
    assert orders.context.open_orders == {"AAA-3": Submit(side=Side.SELL, quantity=6.0)}
    assert orders.acknowledged("AAA-3") and not orders.acknowledged("AAA-2")
    assert record.state_after == "EXIT_PENDING"  # long, with a sell that closes it


def test_an_order_whose_terms_differ_is_named_with_both_versions() -> None:
    orders = tracker(position=10.0)
    submit_sell(orders, "AAA-2", 10.0)
    record = reconcile(SMA, "AAA", "EXIT_PENDING", orders, long(10.0), [sell_order("AAA-2", 8.0)])
    assert record is not None
    assert record.differences == (
        "order AAA-2 is sell 10 market gtc here, sell 8 market gtc at the broker",
    )
    assert orders.context.open_orders["AAA-2"].quantity == 8.0


def test_the_differences_are_named_without_changing_the_instrument() -> None:
    """A host asks first, then chooses between its whole log and the broker's word."""
    orders = tracker(position=10.0)
    submit_sell(orders, "AAA-2", 10.0)
    found = differences("AAA", orders, long(6.0), [sell_order("AAA-3", 10.0, filled=4.0)])
    assert found == [
        "position 10 here, 6 at the broker",
        "order AAA-2 open here, not at the broker",
        "order AAA-3 open at the broker, not here",
    ]
    assert orders.context.position == 10.0
    assert list(orders.context.open_orders) == ["AAA-2"]
    assert differences("AAA", orders, long(10.0), [sell_order("AAA-2", 10.0)]) == []

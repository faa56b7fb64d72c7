"""An instrument the broker contradicts after a restart voids the requests it decided
after the broker's last: they are not sent again, the orders they opened are forgotten,
and its next request is numbered after the broker's last."""

from __future__ import annotations

from typing import Any

from tradeswarm.actors.fsm.intents import Replace, Submit
from tradeswarm.actors.runtime.instrument import Instrument
from tradeswarm.messages import (
    OrderAck,
    Position,
    ReplaceRequest,
    Side,
    decode,
)
from tradeswarm.scenarios.strategies import resolve_strategy

SMA = resolve_strategy("sma_crossover")


def instrument() -> tuple[Instrument, list[bytes]]:
    sent: list[bytes] = []
    made = Instrument(
        symbol="AAA",
        strategy=SMA,
        params={"fast": 2, "slow": 3, "quantity": 10},
        send=sent.append,
        flush=lambda: None,
    )
    return made, sent


def seqs(frames: list[bytes]) -> list[int]:
    return [decode(frame).seq for frame in frames]  # type: ignore[attr-defined]


def test_requests_after_the_brokers_last_are_voided_where_the_broker_contradicts() -> None:
    made, sent = instrument()
    context: Any = made.context
    made._send_intent(Submit(side=Side.BUY, quantity=10.0), 1)  # seq 1, taken and acked
    made.orders.on_ack(OrderAck(client_order_id="AAA-1", symbol="AAA", ts_ns=1))
    made._send_intent(Replace(client_order_id="AAA-1", limit_price=9.0), 2)  # seq 2
    made._send_intent(Submit(side=Side.SELL, quantity=3.0), 3)  # seq 3
    assert seqs(sent) == [1, 2, 3] and made.counters["orders"] == 2
    # The broker holds a position of 10 (here 0) and has taken requests 1 and nothing more.
    position = [Position(symbol="AAA", quantity=10.0, average_cost=1.0, last_price=1.0)]
    record = made.reconcile(position, [], last_taken=1)
    assert record is not None
    assert seqs(made.resend()[:-1]) == [1]  # 2 and 3 are voided
    assert "AAA-3" not in context.open_orders
    assert made.orders._replacing == {}
    assert made.counters["orders"] == 1
    made._send_intent(Submit(side=Side.SELL, quantity=10.0), 4)
    assert seqs(sent)[-1] == 2  # numbered after the broker's last
    assert decode(made.resend()[-1]).requests == 2  # type: ignore[attr-defined]


def test_an_instrument_that_agrees_sends_everything_again() -> None:
    made, _ = instrument()
    made._send_intent(Submit(side=Side.BUY, quantity=10.0), 1)
    assert made.reconcile([], [], last_taken=0) is None  # in flight: no difference
    assert seqs(made.resend()[:-1]) == [1]
    assert "AAA-1" in made.context.open_orders


def test_a_replay_that_numbered_fewer_requests_than_the_broker_took_numbers_after_them() -> None:
    made, sent = instrument()
    position = [Position(symbol="AAA", quantity=5.0, average_cost=1.0, last_price=1.0)]
    assert made.reconcile(position, [], last_taken=4) is not None
    made._send_intent(Submit(side=Side.SELL, quantity=5.0), 1)
    assert seqs(sent) == [5]


def test_a_voided_replace_is_forgotten() -> None:
    made, _ = instrument()
    made._send_intent(Replace(client_order_id="AAA-9", quantity=2.0), 7)
    (frame,) = made.resend()[:-1]
    assert isinstance(decode(frame), ReplaceRequest)
    assert made.reconcile(
        [Position(symbol="AAA", quantity=1.0, average_cost=1.0, last_price=1.0)], [], 0
    )
    assert made.resend()[:-1] == [] and made.orders._replacing == {}

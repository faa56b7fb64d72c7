"""The instrument's clock rule, driven directly, and its host over real inproc sockets."""

from __future__ import annotations

import time
from collections.abc import Callable

import zmq

from tests.zmq_support import recv_multipart_or_fail
from tradeswarm.actors.fsm.engine import (
    BAR,
    CANCELLED,
    END_OF_DAY,
    FILLED,
    IGNORE,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_CLOSE,
    SESSION_OPEN,
    STANDARD_EVENTS,
    InstrumentContext,
    Strategy,
    When,
)
from tradeswarm.actors.fsm.intents import Replace, Submit
from tradeswarm.actors.runtime.config import InstrumentHostConfig, StrategyRef
from tradeswarm.actors.runtime.instrument import Instrument
from tradeswarm.actors.runtime.instrument_host import InstrumentHostActor
from tradeswarm.messages import (
    ActorFinished,
    ActorReady,
    Bar,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    Fill,
    Heartbeat,
    OrderAck,
    OrderRequest,
    OrderType,
    ReplaceRequest,
    Side,
    StepDone,
    decode,
    encode,
    host_identity,
    inproc_endpoints,
)
from tradeswarm.messages.topics import CLOCK, bar_topic
from tradeswarm.scenarios.strategies import LIBRARY, resolve_strategy

SMA = resolve_strategy("sma_crossover")
PARAMS = {"fast": 1, "slow": 2, "quantity": 10, "regime": True}  # enters on a rise
TIMEOUT_SECONDS = 5.0


def bar(symbol: str, ts_ns: int, close: float) -> Bar:
    return Bar(
        symbol=symbol, ts_ns=ts_ns, open=close, high=close, low=close, close=close, volume=1e6
    )


def rising(symbol: str, count: int) -> list[Bar]:
    return [bar(symbol, ts_ns, 100.0 + ts_ns) for ts_ns in range(1, count + 1)]


class Wire:
    """What an instrument sent, decoded; ``flushes`` counts the sends that left."""

    def __init__(self) -> None:
        self.sent: list[object] = []
        self.flushes = 0

    def send(self, body: bytes) -> None:
        self.sent.append(decode(body))

    def flush(self) -> None:
        self.flushes += 1

    def of(self, kind: type) -> list[object]:
        return [message for message in self.sent if isinstance(message, kind)]


def make_instrument(wire: Wire) -> Instrument:
    return Instrument(symbol="AAA", strategy=SMA, params=PARAMS, send=wire.send, flush=wire.flush)


def test_without_an_open_order_it_runs_ahead_and_reports_at_the_clock_mark() -> None:
    wire = Wire()
    instrument = make_instrument(wire)
    falling = [bar("AAA", ts_ns, 100.0 - ts_ns) for ts_ns in range(1, 6)]
    instrument.take_bars(BarBatch(symbol="AAA", seq=0, items=falling))
    instrument.take_clock_mark(
        BarsPublished(
            seq=0,
            through_ts_ns=5,
            timestamps=[1, 2, 3, 4, 5],
            sessions=[],
            batches={"AAA": 0},
            final=True,
        )
    )
    instrument.run()
    assert instrument.counters["bars"] == 5
    assert wire.of(OrderRequest) == []
    assert wire.of(StepDone) == [StepDone(sender="AAA", through_ts_ns=5)]
    assert not instrument.finished, "the broker's end-of-data replies may still come"
    instrument.take_broker_progress(5, final=True)
    assert instrument.finished


def test_an_open_order_holds_the_next_bar_until_the_broker_has_matched_it() -> None:
    wire = Wire()
    instrument = make_instrument(wire)
    instrument.take_bars(BarBatch(symbol="AAA", seq=0, items=rising("AAA", 4)))
    instrument.run()
    # Bar 2 is the first where the fast average is above the slow one: a buy, then a stop.
    (order,) = wire.of(OrderRequest)
    assert order.decided_ts_ns == 2  # type: ignore[attr-defined]
    assert instrument.counters["bars"] == 2
    # It counts the order it sent before: a broker that lacks it holds the clock.
    assert wire.of(StepDone) == [StepDone(sender="AAA", through_ts_ns=2, requests=1)]
    assert not instrument.has_work()

    instrument.take_broker_progress(2)  # not far enough: bar 3 may still fill it
    assert not instrument.has_work()
    instrument.take_broker_message(
        Fill(
            client_order_id=order.client_order_id,  # type: ignore[attr-defined]
            symbol="AAA",
            side=Side.BUY,
            quantity=10,
            price=103.0,
            commission=0.0,
            ts_ns=3,
            remaining=0,
            fill_seq=1,
        )
    )
    instrument.take_broker_progress(3)
    assert instrument.has_work()
    instrument.run()
    assert instrument.context.position == 10
    assert instrument.counters["bars"] == 4  # filled: free again, it ran to the end


def test_a_gap_in_a_symbol_s_batches_is_counted() -> None:
    instrument = make_instrument(Wire())
    instrument.take_bars(BarBatch(symbol="AAA", seq=1, items=[]))
    assert instrument.counters["gaps"] == 1


def test_a_host_runs_its_instruments_on_one_socket_and_replies_in_one_message(
    zmq_context: zmq.Context, zmq_socket: Callable[[int], zmq.Socket]
) -> None:
    endpoints = inproc_endpoints()
    control = zmq_socket(zmq.ROUTER)
    control.bind(endpoints.control)
    market = zmq_socket(zmq.XPUB)
    market.bind(endpoints.market_data)
    router = zmq_socket(zmq.ROUTER)
    router.bind(endpoints.router)
    config = InstrumentHostConfig(
        name="instruments-0",
        symbols=["BBB", "AAA"],
        strategy=StrategyRef(reference=LIBRARY["sma_crossover"]),
        params=PARAMS,
    )
    host = InstrumentHostActor.start(config, endpoints=endpoints, zmq_context=zmq_context)
    try:
        assert isinstance(_control_message(control), ActorReady)
        subscriptions = {recv_multipart_or_fail(market)[0] for _ in range(3)}
        topics = (bar_topic("AAA"), bar_topic("BBB"), CLOCK)
        assert subscriptions == {b"\x01" + topic for topic in topics}

        for symbol in ("AAA", "BBB"):
            batch = BarBatch(symbol=symbol, seq=0, items=[bar(symbol, 1, 100.0)])
            market.send_multipart([bar_topic(symbol), encode(batch)])
        mark = BarsPublished(
            seq=0,
            through_ts_ns=1,
            timestamps=[1],
            sessions=[],
            batches={"AAA": 0, "BBB": 0},
            final=True,
        )
        market.send_multipart([CLOCK, encode(mark)])

        identity, *bodies = recv_multipart_or_fail(router)
        assert identity == host_identity("instruments-0")
        # In symbol order, whatever order they were declared in.
        assert [decode(body) for body in bodies] == [
            StepDone(sender="AAA", through_ts_ns=1),
            StepDone(sender="BBB", through_ts_ns=1),
        ]
        while control.poll(0):  # heartbeats may have come; nothing else may
            heard = decode(control.recv_multipart()[-1])
            assert isinstance(heard, Heartbeat), "not finished before the broker's final word"
        router.send_multipart([identity, encode(BrokerProgress(through_ts_ns=1, final=True))])
        finished = [_control_message(control) for _ in range(2)]
        assert all(isinstance(message, ActorFinished) for message in finished)
        names = {message.actor for message in finished}  # type: ignore[union-attr]
        assert names == {"instrument/AAA", "instrument/BBB"}

        router.send_multipart([identity, encode(BrokerProgress(through_ts_ns=1)), b"garbage"])
        counters = host.proxy().counters
        deadline = time.monotonic() + TIMEOUT_SECONDS  # by time: a loaded machine is slow
        while time.monotonic() < deadline:  # each ask is served between two host polls
            if counters.get(timeout=TIMEOUT_SECONDS)["malformed"]:
                break
        assert counters.get()["malformed"] == 1
        assert host.is_alive()
    finally:
        host.stop()


def _control_message(control: zmq.Socket) -> object:
    """The next control message that is not a heartbeat."""
    while True:
        message = decode(recv_multipart_or_fail(control)[-1])
        if not isinstance(message, Heartbeat):
            return message


# -- replace: the strategy's view of an order follows the broker's acknowledgements ---------

IDLE, WORKING = "IDLE", "WORKING"


def _bid(context: InstrumentContext, event: object) -> list[Submit]:
    return [Submit(side=Side.BUY, quantity=10, order_type=OrderType.LIMIT, limit_price=1.0)]


def _raise_bid(context: InstrumentContext, event: Bar) -> list[Replace]:
    (client_order_id,) = context.open_orders
    return [Replace(client_order_id, quantity=20, limit_price=event.close)]


_BACK_TO_IDLE = (When(IDLE),)
_CELLS = {
    BAR: None,
    FILLED: _BACK_TO_IDLE,
    PARTIALLY_FILLED: (When(WORKING),),
    CANCELLED: _BACK_TO_IDLE,
    REJECTED: _BACK_TO_IDLE,
    SESSION_OPEN: IGNORE,
    SESSION_CLOSE: IGNORE,
    END_OF_DAY: IGNORE,
}
REPLACER = Strategy(
    name="replacer",
    states=(IDLE, WORKING),
    events=STANDARD_EVENTS,
    initial=IDLE,
    table={
        **{(IDLE, event): cell for event, cell in _CELLS.items()},
        **{(WORKING, event): cell for event, cell in _CELLS.items()},
        (IDLE, BAR): (When(WORKING, action=_bid),),
        (WORKING, BAR): (When(WORKING, action=_raise_bid),),
    },
    new_context=lambda symbol, params: InstrumentContext(symbol=symbol),
)


def _working_replacer(wire: Wire) -> Instrument:
    """Bid at bar 1 (acknowledged), then at bar 2 ask to raise the bid to 20 at 102."""
    instrument = Instrument(
        symbol="AAA", strategy=REPLACER, params={}, send=wire.send, flush=wire.flush
    )
    instrument.take_bars(BarBatch(symbol="AAA", seq=0, items=[bar("AAA", 1, 101.0)]))
    instrument.run()
    instrument.take_broker_message(OrderAck(client_order_id="AAA-1", symbol="AAA", ts_ns=1))
    instrument.take_bars(BarBatch(symbol="AAA", seq=1, items=[bar("AAA", 2, 102.0)]))
    instrument.take_broker_progress(2)
    instrument.run()
    return instrument


def test_a_replace_changes_the_strategy_s_view_when_the_broker_acknowledges_it() -> None:
    wire = Wire()
    instrument = _working_replacer(wire)
    (request,) = wire.of(ReplaceRequest)
    assert request == ReplaceRequest(
        client_order_id="AAA-1",
        symbol="AAA",
        quantity=20,
        limit_price=102.0,
        decided_ts_ns=2,
        seq=2,
    )
    assert instrument.context.open_orders["AAA-1"].limit_price == 1.0  # not yet acknowledged
    instrument.take_broker_message(OrderAck(client_order_id="AAA-1", symbol="AAA", ts_ns=2))
    order = instrument.context.open_orders["AAA-1"]
    assert (order.quantity, order.limit_price) == (20, 102.0)


def test_a_replace_the_broker_passes_over_leaves_the_order_as_it_was() -> None:
    wire = Wire()
    instrument = _working_replacer(wire)
    instrument.take_broker_progress(3)  # time 2 accepted, and no acknowledgement came
    instrument.take_broker_message(OrderAck(client_order_id="AAA-1", symbol="AAA", ts_ns=2))
    order = instrument.context.open_orders["AAA-1"]
    assert (order.quantity, order.limit_price) == (10, 1.0)


def test_a_replaced_quantity_is_a_total_and_what_was_filled_stays_filled() -> None:
    wire = Wire()
    instrument = _working_replacer(wire)
    instrument.take_broker_message(
        Fill(
            client_order_id="AAA-1",
            symbol="AAA",
            side=Side.BUY,
            quantity=4,
            price=1.0,
            commission=0.0,
            ts_ns=2,
            remaining=6,
            fill_seq=1,
        )
    )
    instrument.take_broker_message(OrderAck(client_order_id="AAA-1", symbol="AAA", ts_ns=2))
    assert instrument.context.open_orders["AAA-1"].quantity == 16  # 20 in all, 4 filled

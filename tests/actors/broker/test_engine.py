"""The broker's run loop without sockets: what it emits, journals, forwards and states."""

from __future__ import annotations

import pickle

from tradeswarm.actors.broker.effects import Advance, Route
from tradeswarm.actors.broker.engine import BrokerEngine
from tradeswarm.actors.broker.settings import BrokerSettings
from tradeswarm.messages import (
    AccountStatement,
    Bar,
    BarBatch,
    BarsPublished,
    CancelReason,
    Fill,
    OrderAck,
    OrderCancelled,
    OrderRequest,
    OrderType,
    PeerSignal,
    SessionEvent,
    SessionEventKind,
    Side,
)

T1, T2, T3 = 100, 200, 300  # one bar time per session (daily bars)
DAYS = {T1: "2024-01-02", T2: "2024-01-03", T3: "2024-01-04"}


def bar(symbol: str, ts_ns: int, price: float) -> Bar:
    return Bar(
        symbol=symbol, ts_ns=ts_ns, open=price, high=price, low=price, close=price, volume=1e6
    )


def sessions(ts_ns: int) -> list[SessionEvent]:
    return [
        SessionEvent(kind=kind, ts_ns=ts_ns, session=DAYS[ts_ns])
        for kind in (SessionEventKind.SESSION_OPEN, SessionEventKind.SESSION_CLOSE)
    ]


def engine_with_bars(prices: dict[str, list[float]]) -> BrokerEngine:
    engine = BrokerEngine(BrokerSettings(starting_cash=10_000.0), prices)
    for symbol, closes in prices.items():
        items = [bar(symbol, ts, price) for ts, price in zip(DAYS, closes, strict=True)]
        engine.take_bars(BarBatch(symbol=symbol, seq=0, items=items))  # type: ignore[arg-type]
    events = [event for ts in DAYS for event in sessions(ts)]
    engine.take_clock_mark(
        BarsPublished(
            seq=0,
            through_ts_ns=T3,
            timestamps=list(DAYS),
            sessions=events,
            batches=dict.fromkeys(prices, 0),
            final=True,
        )
    )
    return engine


def buy(symbol: str, quantity: float, decided: int, seq: int = 1) -> OrderRequest:
    return OrderRequest(
        client_order_id=f"{symbol}-{seq}",
        symbol=symbol,
        side=Side.BUY,
        quantity=quantity,
        order_type=OrderType.MARKET,
        decided_ts_ns=decided,
        seq=seq,
    )


def report_all(engine: BrokerEngine, symbols: list[str], through: int) -> Advance:
    for symbol in symbols:
        engine.take_step_done(symbol, through)
    return engine.advance()


def test_each_session_close_is_stated_with_the_brokers_own_equity() -> None:
    engine = engine_with_bars({"A": [10.0, 12.0, 11.0], "B": [5.0, 5.0, 6.0]})
    engine.take_request(buy("A", 100, T1))
    report_all(engine, ["A", "B"], T3)
    statements = engine.statements
    assert [item.session for item in statements] == list(DAYS.values())
    # bought at the next bar's open (12.0) on day 2, marked at each close
    assert statements[0] == AccountStatement(
        session=DAYS[T1],
        ts_ns=T1,
        cash=10_000.0,
        equity=10_000.0,
        positions={},
        closes={"A": 10.0, "B": 5.0},
    )
    assert statements[1].cash == 10_000.0 - 100 * 12.0
    assert statements[1].positions == {"A": 100.0}
    assert statements[2].equity == statements[2].cash + 100 * 11.0
    assert statements[2].closes == {"A": 11.0, "B": 6.0}


def test_a_request_is_journaled_before_what_it_caused_and_fills_are_kept() -> None:
    engine = engine_with_bars({"A": [10.0, 12.0, 11.0]})
    engine.take_request(buy("A", 5, T1))
    advance = report_all(engine, ["A"], T3)
    kinds = [(route, type(message)) for route, _, message in advance.effects]
    accepted = kinds.index((Route.JOURNAL, OrderRequest))
    assert kinds[accepted + 1] == (Route.EMIT, OrderAck)
    assert (Route.EMIT, Fill) in kinds[accepted + 2 :]
    assert [fill.client_order_id for fill in engine.fills] == ["A-1"]
    stated = [route for route, _, m in advance.effects if isinstance(m, AccountStatement)]
    assert stated == [Route.JOURNAL] * 3


def test_a_peer_signal_is_forwarded_to_its_target_and_never_journaled() -> None:
    engine = engine_with_bars({"A": [10.0, 12.0, 11.0], "B": [5.0, 5.0, 6.0]})
    signal = PeerSignal(sender="A", target="B", name="x", value=1.0, decided_ts_ns=T1, seq=1)
    engine.take_request(signal)
    advance = report_all(engine, ["A", "B"], T3)
    routed = [(route, symbol) for route, symbol, message in advance.effects if message is signal]
    assert routed == [(Route.FORWARD, "B")]


def test_the_end_of_data_cancels_open_orders_once_and_finishes_once() -> None:
    engine = engine_with_bars({"A": [10.0, 12.0, 11.0]})
    limit = OrderRequest(
        client_order_id="A-1",
        symbol="A",
        side=Side.BUY,
        quantity=5,
        order_type=OrderType.LIMIT,
        limit_price=1.0,
        decided_ts_ns=T1,
        seq=1,
    )
    engine.take_request(limit)
    advance = report_all(engine, ["A"], T3)
    assert advance.finished
    cancels = [m for _, _, m in advance.effects if isinstance(m, OrderCancelled)]
    assert [(m.client_order_id, m.reason) for m in cancels] == [("A-1", CancelReason.END_OF_DATA)]
    again = engine.advance()
    assert not again.finished and again.effects == []


def test_nothing_is_accepted_before_every_participant_reported() -> None:
    engine = engine_with_bars({"A": [10.0, 12.0, 11.0], "B": [5.0, 5.0, 6.0]})
    engine.take_request(buy("A", 5, T1))
    engine.take_step_done("A", T3)
    advance = engine.advance()
    assert not any(isinstance(m, OrderAck) for _, _, m in advance.effects)
    assert not advance.finished
    assert engine.take_step_done("nobody", T3) is False


def test_an_engine_checkpointed_midway_goes_on_as_the_uninterrupted_one() -> None:
    """A checkpoint holds its long parts as msgpack (``actors.broker.compact_state``): the
    engine read back holds the same closed orders, fills, statements and pending bars, and
    decides what the engine that was never checkpointed decides."""
    engines = [engine_with_bars({"A": [10.0, 12.0, 11.0], "B": [5.0, 5.0, 6.0]}) for _ in "ab"]
    for engine in engines:
        engine.take_request(buy("A", 5, T1))
        report_all(engine, ["A", "B"], T2)
    uninterrupted, checkpointed = engines
    state = pickle.dumps(checkpointed)
    assert b"OrderState" not in state  # the closed orders went as one msgpack string
    restored: BrokerEngine = pickle.loads(state)
    assert restored.book.closed_orders == uninterrupted.book.closed_orders != {}
    assert restored.fills == uninterrupted.fills != []
    assert restored.statements == uninterrupted.statements
    assert restored._bars_at == uninterrupted._bars_at != {}  # T3 not passed yet
    for engine in (uninterrupted, restored):
        engine.take_request(buy("B", 3, T3, seq=1))
    assert report_all(restored, ["A", "B"], T3) == report_all(uninterrupted, ["A", "B"], T3)
    assert restored.fills == uninterrupted.fills

"""A book rebuilt from its journal is the book that wrote it.

A seeded driver plays the broker actor's part over several sessions of minute bars (every
order type and time in force, cancels, replaces, duplicates, last-minute orders, volume
caps, costs), journaling what the actor journals: each request, then what it emitted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from tests.actors.broker.helpers import DAY, MINUTE, SYMBOLS, T1, T2, flat, ohlc, request
from tradeswarm.actors.broker.book import BrokerBook, BrokerSettings, FillTiming
from tradeswarm.actors.broker.models import FixedBasisPointsSlippage, PerShare, VolumeShareSlippage
from tradeswarm.actors.broker.replay import ReplayError, interleave, replay
from tradeswarm.messages import (
    Bar,
    CancelRequest,
    Fill,
    Message,
    OrderAck,
    OrderCancelled,
    OrderRequest,
    OrderType,
    ReplaceRequest,
    Side,
    TimeInForce,
)

BARS_PER_SESSION = 30


@dataclass
class Driver:
    """Feeds the same bars and requests to every book, as the broker actor would."""

    settings: BrokerSettings
    seed: int
    books: list[BrokerBook] = field(default_factory=list)
    journal: list[Message] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    prices: dict[str, float] = field(default_factory=lambda: {"AAPL": 100.0, "MSFT": 50.0})
    ids: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if not self.books:
            self.books.append(BrokerBook(self.settings, SYMBOLS))

    def emit(self, produce: object) -> None:
        """Run one book call on every book; they must all emit the same messages."""
        results = [produce(book) for book in self.books]  # type: ignore[operator]
        assert all(result == results[0] for result in results)
        self.journal += results[0]

    def session(self, day: int) -> None:
        opening = day * DAY
        close = opening + BARS_PER_SESSION * MINUTE
        self.emit(lambda book: book.start_of_session(opening))
        for minute in range(1, BARS_PER_SESSION + 1):
            self.step(opening + minute * MINUTE, close)
        self.emit(lambda book: book.end_of_session(close))

    def step(self, ts_ns: int, close: int) -> None:
        bars = {symbol: self.next_bar(symbol, ts_ns) for symbol in sorted(SYMBOLS)}
        self.bars += bars.values()
        for symbol in sorted(self.books[0].symbols_with_open_orders()):
            self.emit(lambda book, symbol=symbol: book.match(bars[symbol]))
        for message in self.requests(ts_ns):
            self.journal.append(message)
            self.emit(lambda book, message=message: handle(book, message, ts_ns, bars, close))
        for book in self.books:
            for bar in bars.values():
                book.mark(bar)

    def next_bar(self, symbol: str, ts_ns: int) -> Bar:
        rng = self.rng
        open_ = self.prices[symbol] * (1 + rng.gauss(0, 0.004))
        close = open_ * (1 + rng.gauss(0, 0.006))
        high = max(open_, close) * (1 + abs(rng.gauss(0, 0.003)))
        low = min(open_, close) * (1 - abs(rng.gauss(0, 0.003)))
        self.prices[symbol] = close
        volume = rng.choice([0.0, 200.0, 1_000.0, 5_000.0])
        return ohlc(ts_ns, open_, high, low, close, volume=volume, symbol=symbol)

    def requests(self, ts_ns: int) -> list[Message]:
        rng = self.rng
        made: list[Message] = []
        open_ids = sorted(self.books[0].open_orders)
        for _ in range(rng.choice([0, 0, 1, 2])):
            made.append(self.new_order(ts_ns))
        if open_ids and rng.random() < 0.2:
            target = self.books[0].open_orders[rng.choice(open_ids)].request
            made.append(
                CancelRequest(
                    client_order_id=target.client_order_id,
                    symbol=target.symbol,
                    decided_ts_ns=ts_ns,
                    seq=self.next_seq(),
                )
            )
        if open_ids and rng.random() < 0.2:
            target = self.books[0].open_orders[rng.choice(open_ids)].request
            made.append(
                ReplaceRequest(
                    client_order_id=target.client_order_id,
                    symbol=target.symbol,
                    quantity=rng.choice([None, 1.0, 50.0, 400.0]),
                    limit_price=target.limit_price and target.limit_price * rng.uniform(0.98, 1.02),
                    decided_ts_ns=ts_ns,
                    seq=self.next_seq(),
                )
            )
        if made and rng.random() < 0.1 and isinstance(made[0], OrderRequest):
            made.append(made[0])  # a duplicate: ignored
        if rng.random() < 0.05:
            made.append(request(f"bad-{self.next_seq()}", Side.BUY, 0.5, decided_ts_ns=ts_ns))
        return made

    def new_order(self, ts_ns: int) -> OrderRequest:
        rng = self.rng
        symbol = rng.choice(sorted(SYMBOLS))
        side = rng.choice(list(Side))
        order_type = rng.choice(list(OrderType))
        price = self.prices[symbol]
        away = 1 if side is Side.BUY else -1
        stop = price * (1 + away * rng.uniform(0.0, 0.01))
        limit = (stop if order_type is OrderType.STOP_LIMIT else price) * (
            1 + away * rng.uniform(-0.01, 0.005)
        )
        return request(
            f"{symbol}-{self.next_seq()}",
            side,
            float(rng.choice([1, 10, 100, 300])),
            order_type,
            limit=limit if order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
            stop=stop if order_type in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
            tif=rng.choice(list(TimeInForce)),
            symbol=symbol,
            seq=self.ids,
            decided_ts_ns=ts_ns,
        )

    def next_seq(self) -> int:
        self.ids += 1
        return self.ids


def handle(
    book: BrokerBook, message: Message, ts_ns: int, bars: dict[str, Bar], close: int
) -> list[Message]:
    if isinstance(message, OrderRequest):
        return book.accept(message, ts_ns, bars[message.symbol], session_close_ts_ns=close)
    if isinstance(message, CancelRequest):
        return book.cancel(message, ts_ns)
    assert isinstance(message, ReplaceRequest)
    return book.replace(
        message.client_order_id,
        quantity=message.quantity,
        limit_price=message.limit_price,
        stop_price=message.stop_price,
        ts_ns=ts_ns,
    )


def state(book: BrokerBook) -> tuple[object, ...]:
    """Everything a book knows that its future depends on."""
    return (
        book.snapshot("s"),
        sorted(book.seen_order_ids),
        [(i, o.triggered, o.accepted_ts_ns, o.commission) for i, o in book.open_orders.items()],
        {i: (o.status, o.filled) for i, o in book.closed_orders.items()},
        book.last_minute_cancelled,
        book.volume_used,
    )


SETTINGS = {
    "defaults": BrokerSettings(starting_cash=1e6),
    "capped_with_costs": BrokerSettings(
        starting_cash=1e6,
        slippage=VolumeShareSlippage(),
        commission=PerShare(cost=0.005, min_trade_cost=1.0),
        resubmit_next_session=True,
    ),
    "same_close": BrokerSettings(
        starting_cash=2e5,
        fill_at=FillTiming.SAME_CLOSE,
        slippage=FixedBasisPointsSlippage(),
        resubmit_next_session=True,
    ),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_a_replayed_journal_rebuilds_the_book(name: str, seed: int) -> None:
    driver = Driver(SETTINGS[name], seed)
    for day in range(1, 5):
        driver.session(day)
    kinds = {type(message).__name__ for message in driver.journal}
    assert {"OrderAck", "Fill", "OrderCancelled", "OrderReject"} <= kinds

    rebuilt = replay(SETTINGS[name], sorted(SYMBOLS), interleave(driver.journal, driver.bars))

    assert state(rebuilt) == state(driver.books[0])


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_a_replayed_book_goes_on_exactly_as_the_original(name: str, seed: int) -> None:
    driver = Driver(SETTINGS[name], seed)
    for day in range(1, 3):
        driver.session(day)
    journal = interleave(driver.journal, driver.bars)
    driver.books.append(replay(SETTINGS[name], sorted(SYMBOLS), journal))
    for day in range(3, 6):
        driver.session(day)  # every call's messages are compared across the two books
    assert state(driver.books[1]) == state(driver.books[0])


def test_without_bars_the_replay_has_the_cash_positions_and_orders_but_no_marks() -> None:
    driver = Driver(SETTINGS["defaults"], 7)
    driver.session(1)
    live, rebuilt = (
        driver.books[0].snapshot("s"),
        replay(SETTINGS["defaults"], sorted(SYMBOLS), driver.journal).snapshot("s"),
    )
    assert (rebuilt.cash, rebuilt.open_orders, rebuilt.fills) == (
        live.cash,
        live.open_orders,
        live.fills,
    )
    assert [(p.symbol, p.quantity) for p in rebuilt.positions] == [
        (p.symbol, p.quantity) for p in live.positions
    ]
    assert rebuilt.last_ts_ns == -1


def test_interleave_puts_each_bar_before_the_first_event_at_or_after_its_time() -> None:
    ack = OrderAck(client_order_id="o", symbol="AAPL", ts_ns=T1)
    order = request("o", Side.BUY, 1.0)
    cancelled = OrderCancelled(client_order_id="o", symbol="AAPL", reason="requested", ts_ns=T2)
    early, at_t2, late = flat(T1 - 1, 10.0), flat(T2, 10.0), flat(T2 + 1, 10.0)
    merged = list(interleave([order, ack, cancelled], [late, at_t2, early]))
    assert merged == [order, early, ack, at_t2, cancelled, late]


def test_an_event_for_an_order_the_journal_never_had_is_an_error() -> None:
    fill = Fill(
        client_order_id="ghost",
        symbol="AAPL",
        side=Side.BUY,
        quantity=1.0,
        price=10.0,
        commission=0.0,
        ts_ns=T1,
        remaining=0.0,
        fill_seq=1,
    )
    with pytest.raises(ReplayError, match="ghost"):
        replay(BrokerSettings(), ["AAPL"], [fill])
    with pytest.raises(ReplayError, match="never requested"):
        replay(BrokerSettings(), ["AAPL"], [OrderAck(client_order_id="x", symbol="AAPL", ts_ns=1)])


def test_a_stop_limit_triggered_at_its_decision_bars_close_stays_triggered_in_the_replay() -> None:
    settings = BrokerSettings(fill_at=FillTiming.SAME_CLOSE)
    live = BrokerBook(settings, SYMBOLS)
    order = request("o", Side.BUY, 10.0, OrderType.STOP_LIMIT, stop=10.5, limit=10.7)
    decision = ohlc(T1, 10.0, 10.9, 9.9, 10.8)  # closes beyond the stop and the limit
    journal: list[Message] = [order, *live.accept(order, T1, decision)]
    rebuilt = replay(settings, sorted(SYMBOLS), interleave(journal, [decision]))
    assert rebuilt.open_orders["o"].triggered
    below_the_stop = ohlc(T2, 10.4, 10.45, 10.3, 10.4)  # a limit order at 10.7 fills here
    assert rebuilt.match(below_the_stop) == live.match(below_the_stop) != []

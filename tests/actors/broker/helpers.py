"""Builders shared by the broker tests: bars, requests and books with short names."""

from __future__ import annotations

from tradeswarm.actors.broker.book import BrokerBook, BrokerSettings
from tradeswarm.messages import Bar, OrderRequest, OrderType, Side, TimeInForce

MINUTE = 60 * 10**9
DAY = 86_400 * 10**9
T1, T2, T3, T4, T5, T6 = (day * DAY for day in range(1, 7))
SYMBOLS = frozenset({"AAPL", "MSFT"})


def ohlc(
    ts_ns: int,
    open_: float,
    high: float,
    low: float,
    close: float,
    *,
    volume: float = 1_000.0,
    symbol: str = "AAPL",
) -> Bar:
    return Bar(
        symbol=symbol, ts_ns=ts_ns, open=open_, high=high, low=low, close=close, volume=volume
    )


def flat(ts_ns: int, price: float, *, volume: float = 1_000.0, symbol: str = "AAPL") -> Bar:
    """A bar that trades at one price only."""
    return ohlc(ts_ns, price, price, price, price, volume=volume, symbol=symbol)


def request(
    client_order_id: str,
    side: Side,
    quantity: float,
    order_type: OrderType = OrderType.MARKET,
    *,
    limit: float | None = None,
    stop: float | None = None,
    tif: TimeInForce = TimeInForce.GTC,
    symbol: str = "AAPL",
    seq: int = 0,
    decided_ts_ns: int = T1,
) -> OrderRequest:
    return OrderRequest(
        client_order_id=client_order_id,
        symbol=symbol,
        side=side,
        quantity=quantity,
        order_type=order_type,
        limit_price=limit,
        stop_price=stop,
        time_in_force=tif,
        decided_ts_ns=decided_ts_ns,
        seq=seq,
    )


def make_book(**settings: object) -> BrokerBook:
    return BrokerBook(BrokerSettings(**settings), SYMBOLS)  # type: ignore[arg-type]


def status_of(book: BrokerBook, client_order_id: str) -> str:
    """The order's lifecycle status as the status query reports it."""
    order = book.status(client_order_id)
    assert order is not None, f"the book does not know {client_order_id!r}"
    return order.status

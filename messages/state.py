"""The one-call trading state: what a broker knows, in one consistent snapshot."""

from __future__ import annotations

from tradeswarm.messages.base import Message, Record
from tradeswarm.messages.orders import OrderStatus, OrderType, Side, TimeInForce


class Position(Record, kw_only=True, frozen=True):
    symbol: str
    quantity: float
    average_cost: float
    last_price: float


class OpenOrder(Record, kw_only=True, frozen=True):
    client_order_id: str
    symbol: str
    side: Side
    quantity: float
    filled_quantity: float
    order_type: OrderType
    limit_price: float | None
    stop_price: float | None
    time_in_force: TimeInForce
    status: OrderStatus


class AccountStatement(Message, kw_only=True, frozen=True):
    """The broker's end-of-session statement: cash, equity, the positions held and every
    symbol's last price, after the session's last bar (``ts_ns``) marked the book.

    Equity is ``cash + sum(quantity * last price)``: the broker's one rule, which the
    report plots instead of recomputing it. ``session`` is the session's date as the
    calendar labels it (``YYYY-MM-DD``). Journaled like everything the broker emits.
    """

    session: str
    ts_ns: int
    cash: float
    equity: float
    positions: dict[str, float]  # non-zero quantities, by symbol
    closes: dict[str, float]  # every symbol's last price so far


class TradingStateRequest(Message, kw_only=True, frozen=True):
    request_id: str


class TradingState(Message, kw_only=True, frozen=True):
    request_id: str
    cash: float
    equity: float
    positions: list[Position]
    open_orders: list[OpenOrder]
    last_ts_ns: int
    fills: int

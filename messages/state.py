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

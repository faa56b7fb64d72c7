"""Orders and the broker's replies.

Commands are verbs or requests (``OrderRequest``, ``CancelRequest``, ``ReplaceRequest``);
what the broker reports is a fact (``OrderAck``, ``Fill``, ``OrderCancelled``, ``OrderReject``).
``decided_ts_ns`` is the bar time on which the sender decided: the clock protocol uses it
to order simultaneous requests deterministically.
"""

from __future__ import annotations

from enum import StrEnum

from tradeswarm.messages.base import Message


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"


class TimeInForce(StrEnum):
    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"


class OrderRequest(Message, kw_only=True, frozen=True):
    """Submit an order. ``client_order_id`` makes re-submission idempotent."""

    client_order_id: str
    symbol: str
    side: Side
    quantity: float
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    decided_ts_ns: int
    seq: int


class CancelRequest(Message, kw_only=True, frozen=True):
    client_order_id: str
    symbol: str
    decided_ts_ns: int
    seq: int


class OrderAck(Message, kw_only=True, frozen=True):
    client_order_id: str
    symbol: str
    ts_ns: int


class OrderReject(Message, kw_only=True, frozen=True):
    client_order_id: str
    symbol: str
    reason: str
    ts_ns: int


class Fill(Message, kw_only=True, frozen=True):
    """An execution. ``remaining`` is what is still open of the order after it."""

    client_order_id: str
    symbol: str
    side: Side
    quantity: float
    price: float
    commission: float
    ts_ns: int
    remaining: float
    fill_seq: int


class OrderCancelled(Message, kw_only=True, frozen=True):
    client_order_id: str
    symbol: str
    reason: str
    ts_ns: int


class ReplaceRequest(Message, kw_only=True, frozen=True):
    """Amend an open order in place, keeping its ``client_order_id`` (cancel-and-replace).

    ``quantity`` is the new total, filled shares included; a field left ``None`` keeps its
    value. The broker answers with a fresh ``OrderAck``, or nothing when the order has
    already closed (the replace lost the race) or the amendment is invalid.
    """

    client_order_id: str
    symbol: str
    quantity: float | None = None
    limit_price: float | None = None
    stop_price: float | None = None
    decided_ts_ns: int
    seq: int


class PeerSignal(Message, kw_only=True, frozen=True):
    """A custom event from one instrument's strategy to another's (a pairs trade's legs).

    It travels through the broker's clock like an order: taken at the accept phase of
    ``decided_ts_ns`` and delivered before the broker's progress past that time, so the
    receiver sees it at the same point of its own stream in every run and topology.
    """

    sender: str
    target: str
    name: str
    value: float
    decided_ts_ns: int
    seq: int

    @property
    def symbol(self) -> str:
        """The clock orders requests by the symbol that decided them."""
        return self.sender

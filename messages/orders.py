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


class RejectReason(StrEnum):
    """Why the broker refused an order (``OrderReject.reason``)."""

    UNKNOWN_SYMBOL = "unknown_symbol"
    MARKET_CLOSED = "market_closed"
    NON_POSITIVE_QUANTITY = "non_positive_quantity"
    INVALID_QUANTITY = "invalid_quantity"  # not a finite number
    FRACTIONAL_QUANTITY = "fractional_quantity"
    MISSING_LIMIT_PRICE = "missing_limit_price"
    INVALID_LIMIT_PRICE = "invalid_limit_price"  # not a positive finite number
    UNEXPECTED_LIMIT_PRICE = "unexpected_limit_price"  # on an order type without a limit
    MISSING_STOP_PRICE = "missing_stop_price"
    INVALID_STOP_PRICE = "invalid_stop_price"
    UNEXPECTED_STOP_PRICE = "unexpected_stop_price"
    INSUFFICIENT_CASH = "insufficient_cash"
    QUANTITY_NOT_ABOVE_FILLED = "quantity_not_above_filled"  # a replace only


class CancelReason(StrEnum):
    """Why an open order ended without filling (``OrderCancelled.reason``)."""

    REQUESTED = "requested"  # the owner's CancelRequest
    IOC = "ioc"  # what an immediate-or-cancel order did not fill on its first bar
    END_OF_DAY = "end_of_day"  # a DAY order still open at the session's end (expired)
    LAST_MINUTE = "last_minute"  # decided in the last minute before the session close
    END_OF_DATA = "end_of_data"  # open when the data ran out


class OrderStatus(StrEnum):
    """Where an order is in its lifecycle, as the broker reports it (``OpenOrder.status``)."""

    NEW = "new"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


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
    reason: RejectReason
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
    """An open order ended unfilled (its rest, after partial fills).

    ``resubmitted_as`` is set when the broker will send the order again under that new id
    (a last-minute cancel re-submitted at the next open): for its owner the order goes on.
    Appended last with a default, so bytes written before it still decode.
    """

    client_order_id: str
    symbol: str
    reason: CancelReason
    ts_ns: int
    resubmitted_as: str = ""


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

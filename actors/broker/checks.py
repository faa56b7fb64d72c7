"""Why the broker refuses an order: each check is a pure function naming its reason.

The reasons are wire facts (``messages.orders``): they travel in ``OrderReject.reason`` and
``OrderCancelled.reason`` as plain strings, so any reader of the wire can match them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from tradeswarm.messages import OrderRequest, OrderType, RejectReason, Side

__all__ = ["price_problem", "quantity_problem", "short_of_cash"]


_HAS_LIMIT = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT})
_HAS_STOP = frozenset({OrderType.STOP, OrderType.STOP_LIMIT})


def quantity_problem(quantity: float, allow_fractional: bool) -> RejectReason | None:
    if math.isnan(quantity) or math.isinf(quantity):
        return RejectReason.INVALID_QUANTITY
    if quantity <= 0:
        return RejectReason.NON_POSITIVE_QUANTITY
    if not allow_fractional and quantity != math.floor(quantity):
        return RejectReason.FRACTIONAL_QUANTITY
    return None


def price_problem(request: OrderRequest) -> RejectReason | None:
    """A limit price exactly on limit and stop-limit orders, a stop price exactly on stop and
    stop-limit orders, each a positive finite number."""
    order_type = request.order_type
    if order_type in _HAS_LIMIT:
        if request.limit_price is None:
            return RejectReason.MISSING_LIMIT_PRICE
        if not _positive(request.limit_price):
            return RejectReason.INVALID_LIMIT_PRICE
    elif request.limit_price is not None:
        return RejectReason.UNEXPECTED_LIMIT_PRICE
    if order_type in _HAS_STOP:
        if request.stop_price is None:
            return RejectReason.MISSING_STOP_PRICE
        if not _positive(request.stop_price):
            return RejectReason.INVALID_STOP_PRICE
    elif request.stop_price is not None:
        return RejectReason.UNEXPECTED_STOP_PRICE
    return None


def _positive(price: float) -> bool:
    return math.isfinite(price) and price > 0


def short_of_cash(
    request: OrderRequest,
    *,
    filled: float,
    others: Iterable[tuple[OrderRequest, float]],
    last_price: Mapping[str, float],
    cash: float,
) -> bool:
    """Buying power: a buy is refused when

    ``(quantity - filled) * reference_price + reserved > cash``, where
    ``reserved = sum(remaining * reference_price)`` over the ``others`` (open orders and
    their remaining shares) that are buys. The reference price is the limit (limit and
    stop-limit orders), the stop (stop orders) or the symbol's last close (market orders;
    one of a symbol without a close yet counts as 0). Sells are not checked: short selling
    is allowed, as it was on Quantopian.
    """
    if request.side is not Side.BUY:
        return False
    price = reference_price(request, last_price)
    if price is None:
        return False
    reserved = 0.0
    for other, remaining in others:
        if other.side is Side.BUY:
            reserved += remaining * (reference_price(other, last_price) or 0.0)
    return (request.quantity - filled) * price + reserved > cash


def reference_price(request: OrderRequest, last_price: Mapping[str, float]) -> float | None:
    if request.order_type is OrderType.STOP:
        return request.stop_price
    if request.order_type is OrderType.MARKET:
        return last_price.get(request.symbol)
    return request.limit_price

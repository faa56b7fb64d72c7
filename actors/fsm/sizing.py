"""Order sizing with zipline's semantics: by shares, value, percent of equity, or to a target.

Each function returns the intents an action returns: one ``Submit`` (a buy for a positive
amount, a sell for a negative one), or an empty list when the amount rounds to nothing.
Amounts are in shares, dollars, or fractions of the broker's equity:

* ``order(ctx, shares)``: ``shares``;
* ``order_value(ctx, value)``: ``value / close``;
* ``order_percent(ctx, fraction)``: ``fraction * equity / close``;
* ``order_target(ctx, shares)``: ``shares - position``;
* ``order_target_value(ctx, value)``: ``value / close - position``;
* ``order_target_percent(ctx, fraction)``: ``fraction * equity / close - position``.

``close`` is this bar's close; ``equity`` the broker's (``ctx.portfolio``, so the strategy
declares ``reads_portfolio``). Like zipline, a target ignores orders still open, and the
amount is rounded toward zero to whole shares unless the broker allows fractional shares
(an amount within 1e-9 of a whole number counts as that number, against float noise).
Extra keyword arguments (``order_type``, ``limit_price``, ``stop_price``,
``time_in_force``) go to the ``Submit``.
"""

from __future__ import annotations

import math
from typing import Any

from tradeswarm.actors.fsm.context import Context
from tradeswarm.actors.fsm.intents import Intent, Submit
from tradeswarm.messages import Side

__all__ = [
    "order",
    "order_percent",
    "order_target",
    "order_target_percent",
    "order_target_value",
    "order_value",
]

_NEAR_WHOLE = 1e-9


def order(ctx: Context, shares: float, **terms: Any) -> list[Intent]:
    amount = _rounded(shares, ctx.allow_fractional)
    if amount == 0:
        return []
    side = Side.BUY if amount > 0 else Side.SELL
    return [Submit(side=side, quantity=abs(amount), **terms)]


def order_value(ctx: Context, value: float, **terms: Any) -> list[Intent]:
    return order(ctx, value / _price(ctx), **terms)


def order_percent(ctx: Context, fraction: float, **terms: Any) -> list[Intent]:
    return order_value(ctx, fraction * ctx.portfolio.equity, **terms)


def order_target(ctx: Context, shares: float, **terms: Any) -> list[Intent]:
    return order(ctx, _rounded(shares, ctx.allow_fractional) - ctx.position, **terms)


def order_target_value(ctx: Context, value: float, **terms: Any) -> list[Intent]:
    return order_target(ctx, value / _price(ctx), **terms)


def order_target_percent(ctx: Context, fraction: float, **terms: Any) -> list[Intent]:
    return order_target_value(ctx, fraction * ctx.portfolio.equity, **terms)


def _price(ctx: Context) -> float:
    close = ctx.close
    if not close > 0:
        raise ValueError("sizing by value needs a bar with a positive close first")
    return close


def _rounded(amount: float, fractional: bool) -> float:
    if not math.isfinite(amount):
        raise ValueError(f"an order amount of {amount} shares")
    if fractional:
        return amount
    nearest = round(amount)
    if abs(amount - nearest) < _NEAR_WHOLE:
        return float(nearest)
    return float(math.trunc(amount))

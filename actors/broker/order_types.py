"""Where each order type trades on a bar: the reference price before slippage.

A bar gives four prices and no path between them, so the rules below use only what a bar
proves: the open is the first trade, the close the last, and every price between the low
and the high traded at some moment in between. "Better" means lower for a buy and higher
for a sell.

* **market**: the open.
* **limit** ``L``: the open when the open is at ``L`` or better (the bar gapped through
  the limit, or was marketable already); else ``L`` when the bar reached it (the low for a
  buy, the high for a sell); else no fill.
* **stop** ``S`` triggers when the bar reaches ``S`` against the order (the high for a buy
  stop, the low for a sell stop) and then trades as a market order: at the open when the
  bar gapped through ``S``, else at ``S``; what the volume cap left open trades at later
  bars' opens.
* **stop-limit** ``S``/``L`` triggers like a stop and is a limit order from then on
  (``triggered`` stays true across bars). On the bar that triggers it:

  - gapped through ``S`` at the open: the whole bar came after the trigger, so the limit
    rule applies to the whole bar;
  - triggered inside the bar at ``S``: ``S`` when ``S`` is at ``L`` or better; else ``L``
    when the close is at ``L`` or better (the close came after the trigger, so the price
    crossed ``L`` after it); else no fill this bar, though the order stays triggered. A low
    (buy) that crossed ``L`` may have come before the trigger, so it does not count.

Fills at a limit are clamped to the limit after slippage by the book: a limit order never
fills worse than its limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from tradeswarm.messages import Bar, OrderRequest, OrderType, Side


@dataclass(frozen=True, slots=True)
class Touch:
    """The outcome of one bar for one order: the reference ``price`` it trades at (``None``:
    no trade) and whether its stop has been ``triggered`` by now."""

    price: float | None
    triggered: bool


def at_or_better(side: Side, price: float, limit: float) -> bool:
    return price <= limit if side is Side.BUY else price >= limit


def _stop_reached(side: Side, price: float, stop: float) -> bool:
    return price >= stop if side is Side.BUY else price <= stop


def _best(side: Side, bar: Bar) -> float:
    """The bar's best price for the order's side: the low for a buy, the high for a sell."""
    return bar.low if side is Side.BUY else bar.high


def _worst(side: Side, bar: Bar) -> float:
    return bar.high if side is Side.BUY else bar.low


def limit_price_on(side: Side, limit: float, bar: Bar) -> float | None:
    if at_or_better(side, bar.open, limit):
        return bar.open
    if at_or_better(side, _best(side, bar), limit):
        return limit
    return None


def stop_trigger_on(side: Side, stop: float, bar: Bar) -> tuple[float, bool] | None:
    """(trigger price, whether at the open) when ``bar`` triggers the stop; else ``None``."""
    if _stop_reached(side, bar.open, stop):
        return bar.open, True
    if _stop_reached(side, _worst(side, bar), stop):
        return stop, False
    return None


def touch(request: OrderRequest, triggered: bool, bar: Bar) -> Touch:
    """The reference price of ``request`` on ``bar``; ``triggered`` says whether an earlier
    bar triggered its stop."""
    side = request.side
    order_type = request.order_type
    if order_type is OrderType.MARKET or (order_type is OrderType.STOP and triggered):
        return Touch(bar.open, triggered)
    if order_type is OrderType.LIMIT or triggered:
        return Touch(limit_price_on(side, _price(request.limit_price), bar), triggered)
    trigger = stop_trigger_on(side, _price(request.stop_price), bar)
    if trigger is None:
        return Touch(None, False)
    trigger_price, at_open = trigger
    if order_type is OrderType.STOP:
        return Touch(trigger_price, True)
    limit = _price(request.limit_price)
    if at_open:
        return Touch(limit_price_on(side, limit, bar), True)
    if at_or_better(side, trigger_price, limit):
        return Touch(trigger_price, True)
    if at_or_better(side, bar.close, limit):
        return Touch(limit, True)
    return Touch(None, True)


def limit_of(request: OrderRequest) -> float | None:
    """The price a fill may not be worse than: the limit of a limit or stop-limit order."""
    if request.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
        return request.limit_price
    return None


def _price(value: float | None) -> float:
    if value is None:  # the book rejects such orders; reaching here is a bug
        raise ValueError("an order of this type needs its price")
    return value


def at_close(bar: Bar) -> Bar:
    """The decision bar as it stands at its close, one price: what an order decided on the
    bar can trade against when orders fill at the same bar's close."""
    return msgspec.structs.replace(bar, open=bar.close, high=bar.close, low=bar.close)

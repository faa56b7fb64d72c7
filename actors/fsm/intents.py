"""What an action returns: intents, which the instrument turns into messages.

An action never sends anything itself; it returns a list of these, so a step has no I/O
and a checker can call it freely. ``intent_problem`` says what is wrong with a return
value, so a bare ``Submit`` or a quantity of zero is the user's error, named, not a
crash deep in the actor or an order every broker rejects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tradeswarm.messages import OrderType, Side, TimeInForce


@dataclass(frozen=True, slots=True)
class Submit:
    """An order the action wants sent; the actor gives it an id, a sequence number and a time."""

    side: Side
    quantity: float
    order_type: OrderType = OrderType.MARKET
    limit_price: float | None = None
    stop_price: float | None = None
    time_in_force: TimeInForce = TimeInForce.GTC


@dataclass(frozen=True, slots=True)
class Cancel:
    client_order_id: str


@dataclass(frozen=True, slots=True)
class Replace:
    """Amend an open order in place (the broker's cancel-and-replace, same id):
    ``quantity`` is the new total, filled shares included; ``None`` keeps a field. The
    strategy sees the new terms in ``open_orders`` once the broker has acknowledged them;
    an amendment the broker refuses, or one that comes after the order ended, changes
    nothing. One replace per order per decision."""

    client_order_id: str
    quantity: float | None = None
    limit_price: float | None = None
    stop_price: float | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """A custom event for another instrument's strategy (``target`` is its symbol); it
    arrives there as the event ``name`` carrying a ``messages.PeerSignal``."""

    target: str
    name: str
    value: float


Intent = Submit | Cancel | Replace | Signal
INTENT_TYPES = (Submit, Cancel, Replace, Signal)


def intent_problem(returned: Any) -> str | None:
    """``None`` when ``returned`` is ``None`` or a list (tuple) of intents, each a
    ``Submit`` with a positive finite quantity, a ``Cancel``, ``Replace`` or ``Signal``."""
    if returned is None:
        return None
    if not isinstance(returned, list | tuple):
        kind = type(returned).__name__
        hint = f"; return [{kind}(...)], a list" if isinstance(returned, INTENT_TYPES) else ""
        return f"returned a {kind}, not a list of intents{hint}"
    for intent in returned:
        if not isinstance(intent, INTENT_TYPES):
            return f"returned a list holding a {type(intent).__name__}, not an intent"
        if isinstance(intent, Submit):
            quantity = intent.quantity
            finite = isinstance(quantity, int | float) and math.isfinite(quantity)
            if not finite or quantity <= 0:
                return (
                    f"returned a Submit of quantity {quantity!r}; a quantity is positive and finite"
                )
    return None

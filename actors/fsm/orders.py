"""The instrument's view of its own orders, kept in step with the broker's replies.

Why it is separate from the actor: every place that plays a strategy against broker
events (the running instrument, the checker's sampling, the property tests) must update
the context the same way before the table is consulted, or a guard would see a position
the broker does not hold. ``apply_broker_event`` is that rule; ``OrderTracker`` adds what
only a live instrument meets: acknowledgements, replaces in flight, and orders the broker
re-submits under a new id. It has no I/O: it is told what arrived and says which event
the strategy sees.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tradeswarm.actors.fsm.engine import (
    CANCELLED,
    FILLED,
    PARTIALLY_FILLED,
    REJECTED,
)
from tradeswarm.actors.fsm.intents import Replace, Submit
from tradeswarm.messages import Fill, OrderAck, OrderCancelled, OrderReject, Side

__all__ = ["OrderTracker", "apply_broker_event", "fill_event_kind"]


def fill_event_kind(fill: Fill) -> str:
    """``filled`` when the fill completes its order, else ``partially_filled``."""
    return FILLED if fill.remaining <= 0 else PARTIALLY_FILLED


def apply_broker_event(context: Any, event_kind: str, event: Any) -> None:
    """The bookkeeping before a step on a broker event, so a guard sees the position after
    the fill and no longer sees an order that has ended."""
    if event_kind in (FILLED, PARTIALLY_FILLED):
        context.position += event.quantity if event.side is Side.BUY else -event.quantity
    if event_kind == PARTIALLY_FILLED:
        # Keep what is still open, as the broker's snapshot shows it (quantity - filled).
        order = context.open_orders.get(event.client_order_id)
        if order is not None:
            context.open_orders[event.client_order_id] = dataclasses.replace(
                order, quantity=event.remaining
            )
    if event_kind in (FILLED, CANCELLED, REJECTED):
        context.open_orders.pop(event.client_order_id, None)


class OrderTracker:
    """Open orders of one context: what was submitted, amended, filled and ended.

    ``context.open_orders`` holds each open order with its *remaining* quantity, as the
    broker's snapshot shows it; the tracker also keeps each order's total, so an amended
    total (a replace counts filled shares) can be turned back into a remainder.
    """

    def __init__(self, context: Any) -> None:
        self.context = context
        # Replaces in flight, by (order id, decided time), until the broker acknowledges
        # them (an ack's time is the time it took the request) or passes that time.
        self._replacing: dict[tuple[str, int], Replace] = {}
        self._acknowledged: set[str] = set()  # orders whose first ack (the submit's) came
        self._totals: dict[str, float] = {}  # each open order's total, filled included

    def submitted(self, client_order_id: str, order: Submit) -> None:
        self.context.open_orders[client_order_id] = order
        self._totals[client_order_id] = order.quantity

    def replacing(self, replace: Replace, decided_ts_ns: int) -> None:
        self._replacing[(replace.client_order_id, decided_ts_ns)] = replace

    def void_replace(self, client_order_id: str, decided_ts_ns: int) -> None:
        """A replace that never reached the broker (``actors.runtime.untaken``)."""
        self._replacing.pop((client_order_id, decided_ts_ns), None)

    def broker_passed(self, through_ts_ns: int) -> None:
        """The broker refused the replaces it has not acknowledged by now, or they came
        too late: forget them."""
        if self._replacing:
            for key in [key for key in self._replacing if key[1] < through_ts_ns]:
                del self._replacing[key]

    def on_fill(self, fill: Fill) -> str:
        return self._ended_or_changed(fill_event_kind(fill), fill)

    def on_reject(self, reject: OrderReject) -> str:
        return self._ended_or_changed(REJECTED, reject)

    def on_cancel(self, cancelled: OrderCancelled) -> str | None:
        """``cancelled``, or ``None`` when the broker goes on with the order under a new id
        (a last-minute cancel it re-submits): for the strategy the order never ended."""
        if not cancelled.resubmitted_as:
            return self._ended_or_changed(CANCELLED, cancelled)
        order = self.context.open_orders.pop(cancelled.client_order_id, None)
        if order is not None:
            self.context.open_orders[cancelled.resubmitted_as] = order
        self._forget(cancelled.client_order_id)
        return None

    def on_ack(self, ack: OrderAck) -> None:
        """The first ack of an order is its submission's; a later one takes an amendment."""
        client_order_id = ack.client_order_id
        if client_order_id not in self._acknowledged:
            self._acknowledged.add(client_order_id)
            return
        amendment = self._replacing.pop((client_order_id, ack.ts_ns), None)
        order = self.context.open_orders.get(client_order_id)
        if amendment is None or order is None:
            return
        quantity = order.quantity
        if amendment.quantity is not None:
            filled = self._totals.get(client_order_id, order.quantity) - order.quantity
            self._totals[client_order_id] = amendment.quantity
            quantity = amendment.quantity - filled
        self.context.open_orders[client_order_id] = dataclasses.replace(
            order,
            quantity=quantity,
            limit_price=_either(amendment.limit_price, order.limit_price),
            stop_price=_either(amendment.stop_price, order.stop_price),
        )

    def acknowledged(self, client_order_id: str) -> bool:
        """The broker has taken the order (so its snapshots list it while it is open)."""
        return client_order_id in self._acknowledged

    def adopt(self, client_order_id: str, order: Submit, total: float) -> None:
        """The broker's word for an open order, taken over after a restart
        (``actors.fsm.reconcile``): open with ``order``'s remaining quantity."""
        self.context.open_orders[client_order_id] = order
        self._acknowledged.add(client_order_id)
        self._totals[client_order_id] = total

    def drop(self, client_order_id: str) -> None:
        """An order the broker does not hold open: forgotten (``actors.fsm.reconcile``)."""
        self.context.open_orders.pop(client_order_id, None)
        self._forget(client_order_id)

    def _ended_or_changed(self, kind: str, event: Fill | OrderCancelled | OrderReject) -> str:
        apply_broker_event(self.context, kind, event)
        if event.client_order_id not in self.context.open_orders:
            self._forget(event.client_order_id)
        return kind

    def _forget(self, client_order_id: str) -> None:
        self._acknowledged.discard(client_order_id)
        self._totals.pop(client_order_id, None)
        for key in [key for key in self._replacing if key[0] == client_order_id]:
            del self._replacing[key]


def _either(new: float | None, old: float | None) -> float | None:
    return old if new is None else new

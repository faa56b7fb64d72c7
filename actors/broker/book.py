"""The broker's book: order handling and matching, with no I/O.

Every method returns the messages the broker must emit, in the order it made them; the
actor only sends and journals them. That keeps the matching rules testable without
sockets, and lets a journal be replayed (``actors/broker_replay.py``): every state change
is the ledger applying one of these messages (``actors/broker_ledger.py``).

When the actor calls what, per bar time ``t``: ``match(bar)`` for each symbol with open
orders, then ``accept``/``cancel``/``replace`` for the requests due at ``t``, then
``mark(bar)``; ``end_of_session(t)`` at a session's close (after its last bar's requests),
``start_of_session(t)`` at a session's open (before its first bar is matched).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tradeswarm.actors.broker.checks import (
    price_problem,
    quantity_problem,
    short_of_cash,
)
from tradeswarm.actors.broker.compact_state import LEDGER_PARTS, compacted, expanded
from tradeswarm.actors.broker.ledger import BrokerLedger, OrderState, PositionState
from tradeswarm.actors.broker.lifecycle import OPEN_STATUSES
from tradeswarm.actors.broker.models import Execution
from tradeswarm.actors.broker.order_types import at_close, limit_of, touch
from tradeswarm.actors.broker.requests import RESUBMIT_SUFFIX, amend, resubmission
from tradeswarm.actors.broker.settings import BrokerSettings, FillTiming
from tradeswarm.messages import (
    Bar,
    CancelReason,
    CancelRequest,
    Fill,
    Message,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    RejectReason,
    Side,
    TimeInForce,
)

__all__ = ["BrokerBook", "BrokerSettings", "FillTiming", "OrderState", "PositionState"]

_EPSILON = 1e-9  # shares: what float arithmetic may lose of a whole quantity


@dataclass
class BrokerBook(BrokerLedger):
    replace_rejects: int = 0  # replaces refused as invalid; they emit nothing

    def __getstate__(self) -> dict[str, Any]:
        """Its closed orders as msgpack (``actors.broker.compact_state``)."""
        return compacted(self.__dict__, LEDGER_PARTS)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(expanded(state, LEDGER_PARTS))

    # -- requests ---------------------------------------------------------------------------

    def accept(
        self,
        request: OrderRequest,
        ts_ns: int,
        close_bar: Bar | None,
        *,
        market_open: bool = True,
        session_close_ts_ns: int | None = None,
    ) -> list[Message]:
        """Take an order decided at ``ts_ns``; ``close_bar`` is the symbol's bar at that time,
        used when orders fill at the same bar's close.

        A client order id seen before is ignored (re-submission is idempotent). An order is
        acknowledged, then cancelled with reason ``last_minute`` when ``ts_ns`` falls in the
        last ``settings.last_minute_ns`` before ``session_close_ts_ns`` (pass it only for
        intraday bars: a daily bar is stamped at the close, so every order would qualify).
        """
        if request.client_order_id in self.seen_order_ids:
            return []
        reason = self._reject_reason(request, market_open)
        if reason is not None:
            reject = OrderReject(
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                reason=reason,
                ts_ns=ts_ns,
            )
            self.apply_reject(request, reject)
            return [reject]
        ack = OrderAck(client_order_id=request.client_order_id, symbol=request.symbol, ts_ns=ts_ns)
        order = self.apply_ack(request, ack)
        emitted: list[Message] = [ack]
        last_minute = session_close_ts_ns is not None and (
            ts_ns > session_close_ts_ns - self.settings.last_minute_ns
        )
        if last_minute:
            emitted.append(self._cancel(order, CancelReason.LAST_MINUTE, ts_ns))
        elif self.settings.fill_at is FillTiming.SAME_CLOSE and close_bar is not None:
            emitted += self._match_order(order, at_close(close_bar))
        return emitted

    def cancel(self, request: CancelRequest, ts_ns: int) -> list[Message]:
        order = self.open_orders.get(request.client_order_id)
        if order is None:
            return []  # already filled or cancelled: the cancel lost the race
        return [self._cancel(order, CancelReason.REQUESTED, ts_ns)]

    def replace(
        self,
        client_order_id: str,
        *,
        quantity: float | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
        ts_ns: int,
    ) -> list[Message]:
        """Amend an open order in place (cancel-and-replace under the same id): ``quantity``
        is the new total, filled shares included; ``None`` keeps a field. The owner gets a
        fresh ``OrderAck``. A replace that lost the race (the order is closed) emits nothing;
        an invalid one (see ``RejectReason``) emits nothing, leaves the order as it was and
        counts in ``replace_rejects``."""
        order = self.open_orders.get(client_order_id)
        if order is None:
            return []
        amended = amend(order.request, quantity, limit_price, stop_price)
        if self._problem(amended, filled=order.filled) is not None:
            self.replace_rejects += 1
            return []
        ack = OrderAck(client_order_id=client_order_id, symbol=amended.symbol, ts_ns=ts_ns)
        self.apply_replace(amended, ack)
        return [ack]

    def cancel_all(self, reason: CancelReason, ts_ns: int) -> list[Message]:
        return [self._cancel(order, reason, ts_ns) for order in self.sorted_orders()]

    # -- sessions ---------------------------------------------------------------------------

    def end_of_session(self, ts_ns: int) -> list[Message]:
        """Every open DAY order expires, reported as a cancel with reason ``end_of_day``;
        but not one taken at the closing instant itself: with one bar a session (daily bars,
        stamped at the close) an order decided on the bar is meant for the next session,
        and with intraday bars the last-minute rule has dealt with it already."""
        return [
            self._cancel(order, CancelReason.END_OF_DAY, ts_ns)
            for order in self.sorted_orders()
            if order.request.time_in_force is TimeInForce.DAY and order.accepted_ts_ns < ts_ns
        ]

    def start_of_session(self, ts_ns: int) -> list[Message]:
        """With ``resubmit_next_session``, the last session's last-minute cancels come back
        as new orders, their ids suffixed with ``RESUBMIT_SUFFIX``, in (symbol, seq) order,
        each acknowledged or rejected as any order. The list is emptied either way."""
        pending, self.last_minute_cancelled = self.last_minute_cancelled, []
        if not self.settings.resubmit_next_session:
            return []
        emitted: list[Message] = []
        for request in sorted(pending, key=lambda request: (request.symbol, request.seq)):
            emitted += self.accept(resubmission(request, ts_ns), ts_ns, None)
        return emitted

    # -- the market -------------------------------------------------------------------------

    def match(self, bar: Bar) -> list[Message]:
        """Trade this symbol's open orders accepted before the bar, in seq order, each by its
        type's rule (``actors/order_types.py``) within what the slippage model allows."""
        emitted: list[Message] = []
        for order in self.sorted_orders(bar.symbol):
            if order.accepted_ts_ns < bar.ts_ns:
                emitted += self._match_order(order, bar)
        return emitted

    # -- internals --------------------------------------------------------------------------

    def _match_order(self, order: OrderState, bar: Bar) -> list[Message]:
        touched = touch(order.request, order.triggered, bar)
        order.triggered = touched.triggered
        emitted: list[Message] = []
        if touched.price is not None:
            emitted += self._execute(order, touched.price, bar)
        if order.request.time_in_force is TimeInForce.IOC and order.status in OPEN_STATUSES:
            emitted.append(self._cancel(order, CancelReason.IOC, bar.ts_ns))
        return emitted

    def _execute(self, order: OrderState, price: float, bar: Bar) -> list[Message]:
        execution = self._slipped(order, price, bar)
        if execution is None:
            return []
        request = order.request
        price = execution.price
        limit = limit_of(request)
        if limit is not None:  # a limit order never fills worse than its limit
            price = min(price, limit) if request.side is Side.BUY else max(price, limit)
        commission = self.settings.commission.calculate(
            quantity=execution.quantity,
            price=price,
            filled_before=order.filled,
            paid_before=order.commission,
        )
        fill = Fill(
            client_order_id=request.client_order_id,
            symbol=request.symbol,
            side=request.side,
            quantity=execution.quantity,
            price=price,
            commission=commission,
            ts_ns=bar.ts_ns,
            remaining=order.remaining - execution.quantity,
            fill_seq=self.fills + 1,
        )
        self.apply_fill(fill)
        return [fill]

    def _slipped(self, order: OrderState, price: float, bar: Bar) -> Execution | None:
        """The slippage model's execution, in whole shares unless fractions are allowed; a
        quantity within ``_EPSILON`` of the remainder fills the remainder exactly."""
        model = self.settings.slippage
        side, remaining, used = order.request.side, order.remaining, self.volume_used_on(bar)
        execution = model.execute(
            side=side, quantity=remaining, price=price, bar=bar, volume_used=used
        )
        if execution is None:
            return None
        quantity = execution.quantity
        if quantity > remaining - _EPSILON:
            quantity = remaining
        elif not self.settings.allow_fractional:
            quantity = float(math.floor(quantity + _EPSILON))
        if quantity <= 0:
            return None
        if quantity != execution.quantity:  # price it for the quantity that trades
            again = model.execute(
                side=side, quantity=quantity, price=price, bar=bar, volume_used=used
            )
            if again is None:
                return None
            execution = Execution(again.price, quantity)
        return execution

    def _cancel(self, order: OrderState, reason: CancelReason, ts_ns: int) -> OrderCancelled:
        request = order.request
        resubmitted = reason is CancelReason.LAST_MINUTE and self.settings.resubmit_next_session
        cancelled = OrderCancelled(
            client_order_id=request.client_order_id,
            symbol=request.symbol,
            reason=reason,
            ts_ns=ts_ns,
            resubmitted_as=request.client_order_id + RESUBMIT_SUFFIX if resubmitted else "",
        )
        self.apply_cancel(cancelled)
        return cancelled

    def _reject_reason(self, request: OrderRequest, market_open: bool) -> RejectReason | None:
        if request.symbol not in self.symbols:
            return RejectReason.UNKNOWN_SYMBOL
        if not market_open:
            return RejectReason.MARKET_CLOSED
        return self._problem(request, filled=0.0)

    def _problem(self, request: OrderRequest, filled: float) -> RejectReason | None:
        """What is wrong with ``request``, an order or an amended one that has ``filled``."""
        problem = quantity_problem(request.quantity, self.settings.allow_fractional)
        if problem is None and request.quantity <= filled:
            problem = RejectReason.QUANTITY_NOT_ABOVE_FILLED
        problem = problem or price_problem(request)
        if problem is not None:
            return problem
        others = [
            (order.request, order.remaining)
            for order in self.sorted_orders()
            if order.request.client_order_id != request.client_order_id
        ]
        if short_of_cash(
            request, filled=filled, others=others, last_price=self.last_price, cash=self.cash
        ):
            return RejectReason.INSUFFICIENT_CASH
        return None

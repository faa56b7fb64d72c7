"""The broker's state and the one place that changes it: events applied to a ledger.

Every change of cash, positions and orders is made by applying the event the broker emits
(``apply_ack``, ``apply_fill``, ...). ``BrokerBook`` decides which events happen; a journal
replay applies the same events to a fresh ledger and so arrives at the same state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tradeswarm.actors.broker.lifecycle import OrderTrigger, next_status
from tradeswarm.actors.broker.order_types import stop_trigger_on
from tradeswarm.actors.broker.settings import BrokerSettings
from tradeswarm.messages import (
    AccountStatement,
    Bar,
    CancelReason,
    Fill,
    OpenOrder,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TradingState,
)


@dataclass(slots=True)
class PositionState:
    quantity: float = 0.0
    cost: float = 0.0  # average cost times quantity, of the open position

    def apply(self, signed_quantity: float, price: float) -> None:
        new_quantity = self.quantity + signed_quantity
        if self.quantity == 0 or (self.quantity > 0) == (signed_quantity > 0):
            self.cost += signed_quantity * price
        elif (new_quantity > 0) != (self.quantity > 0) and new_quantity != 0:
            self.cost = new_quantity * price  # the position flipped side
        else:
            self.cost *= new_quantity / self.quantity
        self.quantity = new_quantity
        if new_quantity == 0:
            self.cost = 0.0


@dataclass(slots=True)
class OrderState:
    request: OrderRequest
    accepted_ts_ns: int = -1
    filled: float = 0.0
    commission: float = 0.0  # dollars paid by its fills so far
    triggered: bool = False  # a stop (or stop-limit) whose stop price has traded
    status: OrderStatus = OrderStatus.NEW

    @property
    def remaining(self) -> float:
        return self.request.quantity - self.filled

    def advance(self, trigger: OrderTrigger) -> None:
        self.status = next_status(self.status, trigger, self.request.client_order_id)


@dataclass
class BrokerLedger:
    settings: BrokerSettings
    symbols: frozenset[str]
    cash: float = field(init=False)
    positions: dict[str, PositionState] = field(default_factory=dict)
    last_price: dict[str, float] = field(default_factory=dict)
    open_orders: dict[str, OrderState] = field(default_factory=dict)
    closed_orders: dict[str, OrderState] = field(default_factory=dict)
    seen_order_ids: set[str] = field(default_factory=set)
    last_minute_cancelled: list[OrderRequest] = field(default_factory=list)
    fills: int = 0
    last_ts_ns: int = -1
    volume_used: dict[str, tuple[int, float]] = field(default_factory=dict)  # (bar ts, shares)

    def __post_init__(self) -> None:
        self.cash = self.settings.starting_cash

    # -- events -----------------------------------------------------------------------------

    def apply_ack(self, request: OrderRequest, ack: OrderAck) -> OrderState:
        order = OrderState(request, accepted_ts_ns=ack.ts_ns)
        order.advance(OrderTrigger.ACCEPT)
        self.seen_order_ids.add(request.client_order_id)
        self.open_orders[request.client_order_id] = order
        return order

    def apply_replace(self, amended: OrderRequest, ack: OrderAck) -> None:
        order = self.open_orders[ack.client_order_id]
        order.advance(OrderTrigger.REPLACE)
        order.request = amended

    def apply_reject(self, request: OrderRequest | None, reject: OrderReject) -> None:
        self.seen_order_ids.add(reject.client_order_id)
        if request is not None:
            order = OrderState(request)
            order.advance(OrderTrigger.REJECT)
            self.closed_orders[reject.client_order_id] = order

    def apply_fill(self, fill: Fill) -> None:
        order = self.open_orders[fill.client_order_id]
        sign = 1.0 if fill.side is Side.BUY else -1.0
        self.cash -= sign * fill.quantity * fill.price + fill.commission
        self.positions.setdefault(fill.symbol, PositionState()).apply(
            sign * fill.quantity, fill.price
        )
        order.filled += fill.quantity
        order.commission += fill.commission
        self.fills = fill.fill_seq
        bar_ts_ns, used = self.volume_used.get(fill.symbol, (fill.ts_ns, 0.0))
        self.volume_used[fill.symbol] = (
            fill.ts_ns,
            used + fill.quantity if bar_ts_ns == fill.ts_ns else fill.quantity,
        )
        if fill.remaining > 0:
            order.advance(OrderTrigger.PARTIAL_FILL)
        else:
            order.advance(OrderTrigger.FILL)
            self._close(order)

    def apply_cancel(self, cancelled: OrderCancelled) -> None:
        order = self.open_orders[cancelled.client_order_id]
        expired = cancelled.reason == CancelReason.END_OF_DAY
        order.advance(OrderTrigger.EXPIRE if expired else OrderTrigger.CANCEL)
        self._close(order)
        if cancelled.reason == CancelReason.LAST_MINUTE and self.settings.resubmit_next_session:
            self.last_minute_cancelled.append(order.request)  # to re-submit at the next open

    def note_trigger(self, order: OrderState, bar: Bar) -> None:
        """A stop or stop-limit order is triggered once a bar reaches its stop price."""
        request = order.request
        if order.triggered or request.stop_price is None:
            return
        if request.order_type in (OrderType.STOP, OrderType.STOP_LIMIT):
            order.triggered = stop_trigger_on(request.side, request.stop_price, bar) is not None

    def _close(self, order: OrderState) -> None:
        client_order_id = order.request.client_order_id
        del self.open_orders[client_order_id]
        self.closed_orders[client_order_id] = order

    # -- queries ----------------------------------------------------------------------------

    def mark(self, bar: Bar) -> None:
        self.last_price[bar.symbol] = bar.close
        self.last_ts_ns = max(self.last_ts_ns, bar.ts_ns)

    def mark_all(self, bars: Mapping[str, Bar], ts_ns: int) -> None:
        """Every bar of one time, by symbol: the broker marks a million of them a run."""
        last_price = self.last_price
        for symbol, bar in bars.items():
            last_price[symbol] = bar.close
        self.last_ts_ns = max(self.last_ts_ns, ts_ns)

    def has_open_orders(self) -> bool:
        return bool(self.open_orders)

    def symbols_with_open_orders(self) -> set[str]:
        return {order.request.symbol for order in self.open_orders.values()}

    def status(self, client_order_id: str) -> OpenOrder | None:
        """An order as its owner would query it, open or closed (``status`` says which);
        ``None`` for an id this broker has not seen."""
        order = self.open_orders.get(client_order_id) or self.closed_orders.get(client_order_id)
        return None if order is None else open_order(order)

    def volume_used_on(self, bar: Bar) -> float:
        """Shares this book has already traded against ``bar``."""
        bar_ts_ns, used = self.volume_used.get(bar.symbol, (bar.ts_ns, 0.0))
        return used if bar_ts_ns == bar.ts_ns else 0.0

    def sorted_orders(self, symbol: str | None = None) -> list[OrderState]:
        """Open orders in (symbol, seq) order: the order they are matched in."""
        orders = [
            order
            for order in self.open_orders.values()
            if symbol is None or order.request.symbol == symbol
        ]
        return sorted(orders, key=lambda order: (order.request.symbol, order.request.seq))

    # -- the snapshot -----------------------------------------------------------------------

    def equity(self) -> float:
        return self.cash + sum(
            state.quantity * self.last_price.get(symbol, 0.0)
            for symbol, state in sorted(self.positions.items())
        )

    def snapshot(self, request_id: str = "") -> TradingState:
        positions = [
            Position(
                symbol=symbol,
                quantity=state.quantity,
                average_cost=state.cost / state.quantity if state.quantity else 0.0,
                last_price=self.last_price.get(symbol, 0.0),
            )
            for symbol, state in sorted(self.positions.items())
            if state.quantity != 0
        ]
        return TradingState(
            request_id=request_id,
            cash=self.cash,
            equity=self.equity(),
            positions=positions,
            open_orders=[open_order(order) for order in self.sorted_orders()],
            last_ts_ns=self.last_ts_ns,
            fills=self.fills,
        )

    def statement(self, session: str, ts_ns: int) -> AccountStatement:
        """The account at a session's close: cash, equity, what is held, the closes."""
        return AccountStatement(
            session=session,
            ts_ns=ts_ns,
            cash=self.cash,
            equity=self.equity(),
            positions={
                symbol: position.quantity
                for symbol, position in sorted(self.positions.items())
                if position.quantity != 0
            },
            closes=dict(sorted(self.last_price.items())),
        )


def open_order(order: OrderState) -> OpenOrder:
    request = order.request
    return OpenOrder(
        client_order_id=request.client_order_id,
        symbol=request.symbol,
        side=request.side,
        quantity=request.quantity,
        filled_quantity=order.filled,
        order_type=request.order_type,
        limit_price=request.limit_price,
        stop_price=request.stop_price,
        time_in_force=request.time_in_force,
        status=order.status,
    )

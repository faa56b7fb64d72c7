"""The broker's book: cash, positions and open orders, with no I/O.

Every method returns the messages the broker must emit, in the order it made them; the
actor only sends and journals them. That keeps the matching rules testable without
sockets, and lets a journal be replayed through the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from messages import (
    Bar,
    CancelRequest,
    Fill,
    Message,
    OpenOrder,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    OrderType,
    Position,
    Side,
    TradingState,
)


class FillTiming(StrEnum):
    NEXT_OPEN = "next_open"
    SAME_CLOSE = "same_close"


@dataclass(frozen=True)
class BrokerSettings:
    starting_cash: float = 100_000.0
    fill_at: FillTiming = FillTiming.NEXT_OPEN
    commission_per_share: float = 0.0
    commission_minimum: float = 0.0
    slippage_bps: float = 0.0


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
    filled: float = 0.0
    status: str = "accepted"

    @property
    def remaining(self) -> float:
        return self.request.quantity - self.filled


@dataclass
class BrokerBook:
    settings: BrokerSettings
    symbols: frozenset[str]
    cash: float = field(init=False)
    positions: dict[str, PositionState] = field(default_factory=dict)
    last_price: dict[str, float] = field(default_factory=dict)
    open_orders: dict[str, OrderState] = field(default_factory=dict)
    seen_order_ids: set[str] = field(default_factory=set)
    fills: int = 0
    last_ts_ns: int = -1

    def __post_init__(self) -> None:
        self.cash = self.settings.starting_cash

    # -- requests ---------------------------------------------------------------------------

    def accept(self, request: OrderRequest, ts_ns: int, close_bar: Bar | None) -> list[Message]:
        """Take an order decided at ``ts_ns``; ``close_bar`` is the symbol's bar at that time,
        used when market orders fill at the same bar's close."""
        if request.client_order_id in self.seen_order_ids:
            return []  # a re-submission: acknowledged once already
        self.seen_order_ids.add(request.client_order_id)
        reason = self._reject_reason(request)
        if reason is not None:
            return [_reject(request, reason, ts_ns)]
        order = OrderState(request)
        self.open_orders[request.client_order_id] = order
        emitted: list[Message] = [
            OrderAck(client_order_id=request.client_order_id, symbol=request.symbol, ts_ns=ts_ns)
        ]
        if self.settings.fill_at is FillTiming.SAME_CLOSE and close_bar is not None:
            emitted += self._fill(order, close_bar.close, close_bar.ts_ns)
        return emitted

    def cancel(self, request: CancelRequest, ts_ns: int) -> list[Message]:
        order = self.open_orders.pop(request.client_order_id, None)
        if order is None:
            return []  # already filled or cancelled: the cancel lost the race
        return [_cancelled(order, "requested", ts_ns)]

    def cancel_all(self, reason: str, ts_ns: int) -> list[Message]:
        emitted: list[Message] = [
            _cancelled(order, reason, ts_ns) for order in self._sorted_orders()
        ]
        self.open_orders.clear()
        return emitted

    # -- the market -------------------------------------------------------------------------

    def match(self, bar: Bar) -> list[Message]:
        """Fill this symbol's open market orders at the bar's open."""
        emitted: list[Message] = []
        for order in self._sorted_orders(bar.symbol):
            if order.request.order_type is OrderType.MARKET:
                emitted += self._fill(order, bar.open, bar.ts_ns)
        return emitted

    def mark(self, bar: Bar) -> None:
        self.last_price[bar.symbol] = bar.close
        self.last_ts_ns = max(self.last_ts_ns, bar.ts_ns)

    def has_open_orders(self) -> bool:
        return bool(self.open_orders)

    def symbols_with_open_orders(self) -> set[str]:
        return {order.request.symbol for order in self.open_orders.values()}

    # -- the snapshot -----------------------------------------------------------------------

    def equity(self) -> float:
        return self.cash + sum(
            state.quantity * self.last_price.get(symbol, 0.0)
            for symbol, state in self.positions.items()
        )

    def snapshot(self, request_id: str) -> TradingState:
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
        open_orders = [_open_order(order) for order in self._sorted_orders()]
        return TradingState(
            request_id=request_id,
            cash=self.cash,
            equity=self.equity(),
            positions=positions,
            open_orders=open_orders,
            last_ts_ns=self.last_ts_ns,
            fills=self.fills,
        )

    # -- internals --------------------------------------------------------------------------

    def _reject_reason(self, request: OrderRequest) -> str | None:
        if request.symbol not in self.symbols:
            return "unknown_symbol"
        if not request.quantity > 0:
            return "non_positive_quantity"
        if request.order_type is not OrderType.MARKET:
            return "unsupported_order_type"
        if request.side is Side.BUY:
            price = self.last_price.get(request.symbol)
            if price is not None and request.quantity * price > self.cash:
                return "insufficient_cash"
        return None

    def _fill(self, order: OrderState, price: float, ts_ns: int) -> list[Message]:
        request = order.request
        quantity = order.remaining
        sign = 1.0 if request.side is Side.BUY else -1.0
        price = price * (1.0 + sign * self.settings.slippage_bps / 10_000.0)
        commission = (
            max(self.settings.commission_minimum, quantity * self.settings.commission_per_share)
            if self.settings.commission_per_share or self.settings.commission_minimum
            else 0.0
        )
        self.cash -= sign * quantity * price + commission
        self.positions.setdefault(request.symbol, PositionState()).apply(sign * quantity, price)
        order.filled += quantity
        del self.open_orders[request.client_order_id]
        self.fills += 1
        return [
            Fill(
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                side=request.side,
                quantity=quantity,
                price=price,
                commission=commission,
                ts_ns=ts_ns,
                remaining=0.0,
                fill_seq=self.fills,
            )
        ]

    def _sorted_orders(self, symbol: str | None = None) -> Iterable[OrderState]:
        orders = [
            order
            for order in self.open_orders.values()
            if symbol is None or order.request.symbol == symbol
        ]
        return sorted(orders, key=lambda order: (order.request.symbol, order.request.seq))


def _reject(request: OrderRequest, reason: str, ts_ns: int) -> OrderReject:
    return OrderReject(
        client_order_id=request.client_order_id, symbol=request.symbol, reason=reason, ts_ns=ts_ns
    )


def _cancelled(order: OrderState, reason: str, ts_ns: int) -> OrderCancelled:
    return OrderCancelled(
        client_order_id=order.request.client_order_id,
        symbol=order.request.symbol,
        reason=reason,
        ts_ns=ts_ns,
    )


def _open_order(order: OrderState) -> OpenOrder:
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

"""After a restart, an instrument checks itself against the broker, and the broker wins.

A restarted instrument is rebuilt from its checkpoint and its input log, which should
make it exactly the instrument that was killed. Should: a checkpoint or a log can be
stale or damaged, and the broker is the source of truth for what was traded. So once it
has taken every reply the broker sent before its resume was answered, it compares what
it holds with the broker's snapshot taken at that answer (``ResumeReply``):

* its position, which only fills change, and it has taken every fill up to then;
* its open orders the broker has acknowledged (one it has sent and the broker has not
  acknowledged yet is in flight: not in the broker's book, not a difference), with their
  remaining quantities, types and prices.

Where they differ the broker's facts replace its own, its state is inferred again from
them (``Strategy.infer``, with its own requests in flight added, as the checker proves
inference), and a ``Reconciliation`` says what differed. Extended state the broker cannot
give back (indicators, counters, flags) stays as the checkpoint had it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.actors.fsm.infer import snapshot_from_context
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.actors.fsm.orders import OrderTracker
from tradeswarm.messages import OpenOrder, Position


@dataclass(frozen=True, slots=True)
class Reconciliation:
    symbol: str
    differences: tuple[str, ...]
    state_before: str
    state_after: str


def reconcile(
    strategy: Strategy,
    symbol: str,
    state: str,
    orders: OrderTracker,
    positions: list[Position],
    open_orders: list[OpenOrder],
    void_untaken: Callable[[], None] = lambda: None,
) -> Reconciliation | None:
    """None where the instrument agrees with the broker; otherwise ``void_untaken`` drops
    what it decided that the broker has not taken (``actors.runtime.untaken``), the
    broker's facts are applied to ``orders.context``, and the record names the state to
    go on in."""
    context = orders.context
    position, theirs, ours = _broker_and_own(symbol, orders, positions, open_orders)
    found = _differences(context.position, position, theirs, ours)
    if not found:
        return None
    void_untaken()
    context.position = float(position)
    for client_order_id in ours.keys() - theirs.keys():
        orders.drop(client_order_id)
    for client_order_id, order in theirs.items():
        orders.adopt(client_order_id, _as_submit(order), order.quantity)
    return Reconciliation(symbol, tuple(found), state, _infer(strategy, symbol, state, context))


def differences(
    symbol: str, orders: OrderTracker, positions: list[Position], open_orders: list[OpenOrder]
) -> list[str]:
    """What the instrument holds that the broker's snapshot contradicts, in words (empty:
    they agree). It changes nothing: a host asks this before choosing between its log and
    the broker (``actors.runtime.host_rejoin``)."""
    position, theirs, ours = _broker_and_own(symbol, orders, positions, open_orders)
    return _differences(orders.context.position, position, theirs, ours)


def _broker_and_own(
    symbol: str, orders: OrderTracker, positions: list[Position], open_orders: list[OpenOrder]
) -> tuple[float, dict[str, OpenOrder], dict[str, Submit]]:
    """The broker's position and open orders of ``symbol``, and the instrument's open
    orders the broker has acknowledged (one in flight is no difference)."""
    position = sum(item.quantity for item in positions if item.symbol == symbol)
    theirs = {order.client_order_id: order for order in open_orders if order.symbol == symbol}
    ours = {
        client_order_id: order
        for client_order_id, order in orders.context.open_orders.items()
        if orders.acknowledged(client_order_id)
    }
    return position, theirs, ours


def _differences(
    held: float, position: float, theirs: dict[str, OpenOrder], ours: dict[str, Submit]
) -> list[str]:
    found: list[str] = []
    if held != position:
        found.append(f"position {held:g} here, {position:g} at the broker")
    for client_order_id in sorted(ours.keys() - theirs.keys()):
        found.append(f"order {client_order_id} open here, not at the broker")
    for client_order_id in sorted(theirs.keys() - ours.keys()):
        found.append(f"order {client_order_id} open at the broker, not here")
    for client_order_id in sorted(ours.keys() & theirs.keys()):
        here, there = ours[client_order_id], _as_submit(theirs[client_order_id])
        if here != there:
            found.append(
                f"order {client_order_id} is {_describe(here)} here, "
                f"{_describe(there)} at the broker"
            )
    return found


def _infer(strategy: Strategy, symbol: str, state: str, context: Any) -> str:
    """The state the corrected facts imply; the old one where the strategy cannot say."""
    if strategy.infer is None:
        return state
    try:
        inferred, _ = strategy.infer(snapshot_from_context(context), symbol)
    except Exception:  # no state, or two, hold these facts: nothing better to go on in
        return state
    return inferred if inferred in strategy.states else state


def _describe(order: Submit) -> str:
    prices = [
        f"{name} {price:g}"
        for name, price in (("limit", order.limit_price), ("stop", order.stop_price))
        if price is not None
    ]
    words = [order.side.value, f"{order.quantity:g}", order.order_type.value, *prices]
    return " ".join([*words, order.time_in_force.value])


def _as_submit(order: OpenOrder) -> Submit:
    return Submit(
        side=order.side,
        quantity=order.quantity - order.filled_quantity,
        order_type=order.order_type,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        time_in_force=order.time_in_force,
    )

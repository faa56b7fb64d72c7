"""Driving a strategy with random broker-legal event sequences, for the checker.

Why drive rather than sample: a context drawn at random may be one no run can reach (an
indicator value with the wrong history, an order the table never sends), and a checker
fed such contexts reports problems that cannot happen and needs a hand-written sampler
per strategy. Driven by events, every context is one a run could reach.

What "broker-legal" means here, as the broker orders things (``actors.broker``): the
requests an action returns are taken at the accept phase of the bar they were decided on,
in the order returned: a ``Cancel`` ends its order before anything else can happen to it
(a cancel that finds the order gone changes nothing), a ``Submit`` is acknowledged or
rejected (a reject comes only then, before any fill), a ``Replace`` is acknowledged or
refused. An accepted order may then fill, in part or whole, at a later bar; a DAY order
left at the session's close is cancelled; an IOC order not filled at its first bar is
cancelled. Bars come from a small declarative spec (a few closes, a spread), sessions open
and close around them, and custom events carry one of the closes as their value.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tradeswarm.actors.fsm.context import Account
from tradeswarm.actors.fsm.engine import (
    BAR,
    CANCELLED,
    END_OF_DAY,
    REJECTED,
    SESSION_CLOSE,
    SESSION_OPEN,
    STANDARD_EVENTS,
    TIMER,
    FsmError,
    Step,
    Strategy,
    Walks,
    step,
)
from tradeswarm.actors.fsm.errors import StrategyError
from tradeswarm.actors.fsm.intents import Cancel, Intent, Replace, Submit
from tradeswarm.actors.fsm.orders import OrderTracker, fill_event_kind
from tradeswarm.actors.fsm.walk_state import MINUTE_NS, SYMBOL, LiveOrder, Walk
from tradeswarm.messages import (
    Bar,
    CancelReason,
    Fill,
    OrderAck,
    OrderCancelled,
    OrderReject,
    PeerSignal,
    RejectReason,
    SessionEvent,
    SessionEventKind,
    Side,
    TimeInForce,
)


@dataclass(frozen=True, slots=True)
class Visit:
    """One event delivered: the state it met, and the step it caused or the error."""

    state: str
    event_kind: str
    event: Any
    result: Step | None
    error: FsmError | StrategyError | None
    history: tuple[str, ...]  # the events delivered before it, last ones, for reports
    context: Any  # the walk's context, as the step left it (the next visit changes it)


def walk(strategy: Strategy, seed: int, index: int) -> Iterator[Visit]:
    """One random walk of ``strategy.walks.steps`` events; it stops at the first error."""
    spec = strategy.walks or Walks()
    rng = random.Random(f"{seed}/walk/{index}")
    context = strategy.new_context(SYMBOL, spec.params)
    if hasattr(context, "reads_portfolio"):
        context.reads_portfolio = strategy.reads_portfolio
    state = Walk(strategy, rng, spec, context, strategy.initial, OrderTracker(context))
    for _ in range(spec.steps):
        kind, event = _next_event(state)
        visit = _deliver(state, kind, event)
        yield visit
        if visit.error is not None:
            return


def _deliver(walk: Walk, kind: str, event: Any) -> Visit:
    before = walk.state
    history = tuple(walk.history)
    walk.history.append(kind)
    try:
        result = step(walk.strategy, before, kind, event, walk.context)
    except (FsmError, StrategyError) as error:
        return Visit(before, kind, event, None, error, history, walk.context)
    walk.state = result.state
    for intent in result.intents:
        _take(walk, intent)
    return Visit(before, kind, event, result, None, history, walk.context)


def _take(walk: Walk, intent: Intent) -> None:
    assert walk.tracker is not None
    if isinstance(intent, Submit):
        walk.sent += 1
        client_order_id = f"{SYMBOL}-{walk.sent}"
        walk.tracker.submitted(client_order_id, intent)
        walk.accepting.append((client_order_id, intent))
    elif isinstance(intent, Cancel | Replace):
        if isinstance(intent, Replace):
            walk.tracker.replacing(intent, walk.ts_ns)
        walk.accepting.append((intent.client_order_id, intent))
    # a Signal goes to a peer: nothing comes back here


def _next_event(walk: Walk) -> tuple[str, Any]:
    while walk.accepting:
        event = _accept(walk, *walk.accepting.popleft())
        if event is not None:
            return event
    moves = ["bar", "bar", "bar"]
    if walk.live:
        moves += ["broker", "broker"]
    move = walk.rng.choice(moves)
    if move == "broker":
        return _broker_event(walk)
    return _market_event(walk)


def _accept(walk: Walk, client_order_id: str, intent: Intent) -> tuple[str, Any] | None:
    assert walk.tracker is not None
    if isinstance(intent, Cancel):
        if client_order_id not in walk.live:
            return None  # it filled or ended first: the cancel lost the race
        return _ended(walk, client_order_id, CancelReason.REQUESTED)
    if isinstance(intent, Replace):
        live = walk.live.get(client_order_id)
        if live is not None and walk.rng.random() < 0.5:
            walk.tracker.on_ack(
                OrderAck(client_order_id=client_order_id, symbol=SYMBOL, ts_ns=walk.ts_ns)
            )
            live.order = walk.context.open_orders.get(client_order_id, live.order)
        return None
    assert isinstance(intent, Submit)
    if walk.rng.random() < 0.2:
        reject = OrderReject(
            client_order_id=client_order_id,
            symbol=SYMBOL,
            reason=RejectReason.INSUFFICIENT_CASH,
            ts_ns=walk.ts_ns,
        )
        return REJECTED, _on_reject(walk, reject)
    walk.tracker.on_ack(OrderAck(client_order_id=client_order_id, symbol=SYMBOL, ts_ns=walk.ts_ns))
    walk.live[client_order_id] = LiveOrder(intent)
    return None


def _on_reject(walk: Walk, reject: OrderReject) -> OrderReject:
    assert walk.tracker is not None
    walk.tracker.on_reject(reject)
    return reject


def _broker_event(walk: Walk) -> tuple[str, Any]:
    client_order_id = walk.rng.choice(sorted(walk.live))
    live = walk.live[client_order_id]
    order = walk.context.open_orders.get(client_order_id, live.order)
    if live.order.time_in_force is TimeInForce.IOC and live.matched:
        return _ended(walk, client_order_id, CancelReason.IOC)
    live.matched = True
    half = order.quantity / 2
    if not getattr(walk.context, "allow_fractional", False):
        half = float(math.floor(half))  # the broker fills whole shares unless told otherwise
    whole = walk.rng.random() < 0.6 or half <= 0
    quantity = order.quantity if whole else half
    return _fill(walk, client_order_id, order, quantity)


def _fill(walk: Walk, client_order_id: str, order: Submit, quantity: float) -> tuple[str, Any]:
    assert walk.tracker is not None
    price = order.limit_price or order.stop_price or walk.last_close
    fill = Fill(
        client_order_id=client_order_id,
        symbol=SYMBOL,
        side=order.side,
        quantity=quantity,
        price=price,
        commission=0.0,
        ts_ns=walk.ts_ns,
        remaining=order.quantity - quantity,
        fill_seq=walk.sent,
    )
    walk.cash -= (quantity if order.side is Side.BUY else -quantity) * price
    kind = fill_event_kind(fill)
    walk.tracker.on_fill(fill)
    if client_order_id not in walk.context.open_orders:
        walk.live.pop(client_order_id, None)
    else:
        walk.live[client_order_id].filled = True
    return kind, fill


def _ended(walk: Walk, client_order_id: str, reason: CancelReason) -> tuple[str, Any]:
    assert walk.tracker is not None
    walk.live.pop(client_order_id, None)
    cancelled = OrderCancelled(
        client_order_id=client_order_id, symbol=SYMBOL, reason=reason, ts_ns=walk.ts_ns
    )
    walk.tracker.on_cancel(cancelled)
    return CANCELLED, cancelled


def _market_event(walk: Walk) -> tuple[str, Any]:
    events = walk.strategy.events
    if not walk.in_session:
        walk.in_session, walk.bars_left = True, walk.rng.randint(3, 8)
        return SESSION_OPEN, _session(walk, SessionEventKind.SESSION_OPEN)
    if walk.bars_left == 0:
        return _close_session(walk)
    custom = [kind for kind in events if kind not in STANDARD_EVENTS and kind != TIMER]
    if custom and walk.rng.random() < 0.3:
        return _peer_event(walk, walk.rng.choice(custom))
    if TIMER in events and walk.rng.random() < 0.15:
        return TIMER, _session(walk, SessionEventKind.TIMER)
    walk.bars_left -= 1
    return BAR, _bar(walk)


def _close_session(walk: Walk) -> tuple[str, Any]:
    expiring = [
        client_order_id
        for client_order_id, live in sorted(walk.live.items())
        if live.order.time_in_force is TimeInForce.DAY
    ]
    if expiring:  # the broker expires DAY orders at the close, one by one
        return _ended(walk, expiring[0], CancelReason.END_OF_DAY)
    if walk.in_session and walk.history and walk.history[-1] == SESSION_CLOSE:
        walk.in_session = False
        return END_OF_DAY, _session(walk, SessionEventKind.END_OF_DAY)
    return SESSION_CLOSE, _session(walk, SessionEventKind.SESSION_CLOSE)


def _bar(walk: Walk) -> Bar:
    walk.ts_ns += MINUTE_NS
    close = walk.rng.choice(walk.spec.closes)
    spread = walk.rng.choice(walk.spec.spread)
    walk.last_close = close
    bar = Bar(
        symbol=SYMBOL,
        ts_ns=walk.ts_ns,
        open=close,
        high=close + spread,
        low=max(close - spread, 0.01),
        close=close,
        volume=1e4,
    )
    context = walk.context
    position_value = context.position * close
    context.account = Account(walk.ts_ns, walk.cash, walk.cash + position_value)
    return bar


def _session(walk: Walk, kind: SessionEventKind) -> SessionEvent:
    return SessionEvent(kind=kind, ts_ns=walk.ts_ns, session="2024-01-02")


def _peer_event(walk: Walk, name: str) -> tuple[str, PeerSignal]:
    value = walk.rng.choice(walk.spec.closes)
    signal = PeerSignal(
        sender="PEER", target=SYMBOL, name=name, value=value, decided_ts_ns=walk.ts_ns, seq=0
    )
    return name, signal

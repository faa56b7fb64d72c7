"""Every library strategy, driven by any sequence of events a broker can produce, stays in
declared states, never hits an INVALID cell, is always where its ``infer`` says, and can
always get back to its initial state."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeswarm.actors.fsm.engine import (
    BAR,
    CANCELLED,
    END_OF_DAY,
    FILLED,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_CLOSE,
    SESSION_OPEN,
    Strategy,
    step,
)
from tradeswarm.actors.fsm.infer import snapshot_from_context
from tradeswarm.actors.fsm.intents import Cancel, Signal, Submit
from tradeswarm.actors.fsm.orders import apply_broker_event
from tradeswarm.messages import (
    Bar,
    CancelReason,
    Fill,
    OrderCancelled,
    OrderReject,
    PeerSignal,
    RejectReason,
    SessionEvent,
    SessionEventKind,
)
from tradeswarm.scenarios.strategies import LIBRARY, resolve_strategy

SESSION_KINDS = (SESSION_OPEN, SESSION_CLOSE, END_OF_DAY)
PEER_CLOSE = "peer_close"
PARAMS: dict[str, dict[str, Any]] = {
    "pairs": {"legs": ["SYM", "PEER"], "window": 3, "entry": 1.0, "exit": 0.5},
}
MOVES = st.one_of(
    st.tuples(st.just("bar"), st.sampled_from((99.0, 100.0, 101.0, 102.0))),
    st.tuples(st.just(PEER_CLOSE), st.sampled_from((99.0, 100.0, 101.0))),
    st.tuples(st.just("fill"), st.sampled_from((0.25, 0.5, 1.0))),
    st.tuples(st.sampled_from(("cancel", "reject", *SESSION_KINDS)), st.none()),
)


def _bar(close: float) -> Bar:
    return Bar(symbol="SYM", ts_ns=0, open=close, high=close, low=close, close=close, volume=1e3)


def _peer_close(value: float) -> PeerSignal:
    return PeerSignal(
        sender="PEER", target="SYM", name=PEER_CLOSE, value=value, decided_ts_ns=0, seq=0
    )


class BrokerDrivenRun:
    """An instrument's bookkeeping and a broker's choices, without sockets. Fill fractions
    are powers of two, so positions stay exact."""

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        assert strategy.walks is not None
        params = strategy.walks.params  # the small parameters the checker drives it with
        self.context = strategy.new_context("SYM", params)
        self.state = strategy.initial
        self.sent = 0
        self.partly_filled: set[str] = set()

    def play(self, move: str, value: float | None) -> None:
        if move == "bar":
            assert value is not None
            self.step(BAR, _bar(value))
        elif move == PEER_CLOSE:
            if PEER_CLOSE in self.strategy.events:
                assert value is not None
                self.step(PEER_CLOSE, _peer_close(value))
        elif move in SESSION_KINDS:
            kind = SessionEventKind(move)
            self.step(move, SessionEvent(kind=kind, ts_ns=0, session="2024-01-02"))
        elif self.context.open_orders:  # a broker reports only on an order that is open
            self.report(move, value)

    def report(self, move: str, fraction: float | None) -> None:
        client_order_id, order = next(iter(self.context.open_orders.items()))
        if move == "fill":
            assert fraction is not None
            quantity = float(math.floor(order.quantity * fraction)) or order.quantity  # whole
            left = order.quantity - quantity
            kind = FILLED if left == 0 else PARTIALLY_FILLED
            self.partly_filled.add(client_order_id)
            fill = Fill(
                client_order_id=client_order_id,
                symbol="SYM",
                side=order.side,
                quantity=quantity,
                price=100.0,
                commission=0.0,
                ts_ns=0,
                remaining=left,
                fill_seq=self.sent,
            )
            self.step(kind, fill)
        elif move == "cancel":
            cancel = OrderCancelled(
                client_order_id=client_order_id,
                symbol="SYM",
                reason=CancelReason.REQUESTED,
                ts_ns=0,
            )
            self.step(CANCELLED, cancel)
        elif client_order_id not in self.partly_filled:  # rejects come before any fill
            reject = OrderReject(
                client_order_id=client_order_id,
                symbol="SYM",
                reason=RejectReason.INSUFFICIENT_CASH,
                ts_ns=0,
            )
            self.step(REJECTED, reject)

    def step(self, kind: str, event: Any) -> None:
        apply_broker_event(self.context, kind, event)
        result = step(self.strategy, self.state, kind, event, self.context)  # INVALID raises
        self.state = result.state
        cancels = []
        for intent in result.intents:
            if isinstance(intent, Signal):
                assert intent.target in self.context.peers
                continue
            if isinstance(intent, Cancel):  # taken before the broker matches anything
                cancels.append(intent.client_order_id)
                continue
            assert isinstance(intent, Submit)
            self.sent += 1
            self.context.open_orders[f"SYM-{self.sent}"] = intent
        assert self.state in self.strategy.states
        for client_order_id in cancels:
            if client_order_id in self.context.open_orders:
                cancelled = OrderCancelled(
                    client_order_id=client_order_id,
                    symbol="SYM",
                    reason=CancelReason.REQUESTED,
                    ts_ns=0,
                )
                self.step(CANCELLED, cancelled)
        assert self.strategy.infer is not None
        assert self.strategy.infer(snapshot_from_context(self.context), "SYM")[0] == self.state

    def drive_home(self) -> None:
        """Rising then falling prices (a cross down), flat ones, then a small cycle (against
        a flat peer, where there is one), every order filled: the way back must exist."""
        path = [*range(90, 110), *range(110, 60, -1), *([60] * 30), *([100, 102, 101] * 10)]
        for close in path:
            if self.context.open_orders:
                self.report("fill", 1.0)
            if self.state == self.strategy.initial and not self.context.open_orders:
                return
            self.step(BAR, _bar(float(close)))
            if PEER_CLOSE in self.strategy.events:
                self.step(PEER_CLOSE, _peer_close(100.0))
        raise AssertionError(f"{self.strategy.name} still {self.state} after {len(path)} bars")


@pytest.mark.parametrize("name", sorted(LIBRARY))
@settings(max_examples=150, derandomize=True, deadline=None)
@given(sequence=st.lists(MOVES, min_size=10, max_size=80))
def test_a_library_strategy_survives_any_sequence_a_broker_can_produce(
    name: str, sequence: list[tuple[str, float | None]]
) -> None:
    run = BrokerDrivenRun(resolve_strategy(name))
    for move, value in sequence:
        run.play(move, value)
    run.drive_home()
    assert (run.state, run.context.position, run.context.open_orders) == (
        run.strategy.initial,
        0.0,
        {},
    )

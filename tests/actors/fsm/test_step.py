"""The engine's ``step``, cell by cell, and SMA crossover driven by whatever a broker can do:
it never leaves its declared states, never meets an INVALID cell, always agrees with the
state its broker snapshot implies, and can always get back to FLAT."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeswarm.actors.fsm.engine import (
    BAR,
    CANCELLED,
    END_OF_DAY,
    FILLED,
    IGNORE,
    INVALID,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_CLOSE,
    SESSION_OPEN,
    FsmError,
    InstrumentContext,
    When,
    step,
)
from tradeswarm.actors.fsm.infer import snapshot_from_context
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.actors.fsm.orders import apply_broker_event
from tradeswarm.messages import (
    Bar,
    CancelReason,
    Fill,
    OrderCancelled,
    OrderReject,
    RejectReason,
    SessionEvent,
    SessionEventKind,
    Side,
)
from tradeswarm.scenarios.strategies.sma_crossover import FLAT, STRATEGY

infer, new_context = STRATEGY.infer, STRATEGY.new_context
assert infer is not None


def bar(close: float) -> Bar:
    return Bar(symbol="SYM", ts_ns=0, open=close, high=close, low=close, close=close, volume=1e3)


def fill(client_order_id: str, side: Side, quantity: float, remaining: float) -> Fill:
    return Fill(
        client_order_id=client_order_id,
        symbol="SYM",
        side=side,
        quantity=quantity,
        price=100.0,
        commission=0.0,
        ts_ns=0,
        remaining=remaining,
        fill_seq=0,
    )


def is_big(context: Any, event: int) -> bool:
    return event > 10


def is_positive(context: Any, event: int) -> bool:
    return event > 0


def buy_one(context: Any, event: int) -> list[Submit]:
    return [Submit(side=Side.BUY, quantity=1.0)]


def toy(cell: Any) -> Any:
    return replace(STRATEGY, name="toy", table={("FLAT", "tick"): cell}, observe=None)


def test_an_ignored_event_changes_nothing_and_sends_nothing() -> None:
    result = step(toy(IGNORE), "FLAT", "tick", 5, None)
    assert (result.state, result.intents, result.fired) == ("FLAT", (), None)


def test_an_invalid_event_raises_naming_strategy_state_and_event() -> None:
    with pytest.raises(
        FsmError, match="toy: in state FLAT on event tick: declared invalid"
    ) as raised:
        step(toy(INVALID), "FLAT", "tick", 5, None)
    assert (raised.value.state, raised.value.event) == ("FLAT", "tick")


def test_an_undeclared_pair_raises_rather_than_guessing() -> None:
    with pytest.raises(FsmError, match="no cell declared"):
        step(toy(IGNORE), "LONG", "tick", 5, None)


def test_two_true_guards_raise_naming_both() -> None:
    cell = (When("LONG", is_big), When("EXIT_PENDING", is_positive))
    with pytest.raises(FsmError, match="guards is_big and is_positive are both true"):
        step(toy(cell), "FLAT", "tick", 50, None)


def test_the_else_fires_when_no_guard_is_true() -> None:
    cell = (When("LONG", is_big), When("EXIT_PENDING"))
    assert step(toy(cell), "FLAT", "tick", 5, None).state == "EXIT_PENDING"


def test_no_true_guard_and_no_else_stays_put() -> None:
    assert step(toy((When("LONG", is_big),)), "FLAT", "tick", 5, None).state == "FLAT"


def test_the_fired_transitions_action_returns_the_intents() -> None:
    result = step(toy((When("LONG", is_big, buy_one),)), "FLAT", "tick", 50, None)
    assert result.intents == (Submit(side=Side.BUY, quantity=1.0),)
    assert result.fired is not None and result.fired.target == "LONG"


def test_indicators_see_the_bar_before_the_guards_do() -> None:
    context = new_context("SYM", {"fast": 1, "slow": 2})
    step(STRATEGY, FLAT, BAR, bar(100.0), context)
    step(STRATEGY, FLAT, BAR, bar(99.0), context)  # both averages ready, fast below
    assert step(STRATEGY, FLAT, BAR, bar(101.0), context).state == "ENTRY_PENDING"


@pytest.mark.parametrize(("state", "event"), sorted(STRATEGY.table))
def test_every_marker_cell_of_sma_crossover_does_what_it_says(state: str, event: str) -> None:
    cell = STRATEGY.table[(state, event)]
    context = new_context("SYM", {})
    if cell is IGNORE:
        assert step(STRATEGY, state, event, bar(1.0), context).state == state
    elif cell is INVALID:
        with pytest.raises(FsmError, match=f"in state {state} on event {event}"):
            step(STRATEGY, state, event, bar(1.0), context)


def test_a_buy_fill_raises_the_position_and_a_full_one_ends_the_order() -> None:
    context = InstrumentContext(symbol="SYM", open_orders={"o1": Submit(Side.BUY, 10.0)})
    apply_broker_event(context, PARTIALLY_FILLED, fill("o1", Side.BUY, 4.0, 6.0))
    assert (context.position, list(context.open_orders)) == (4.0, ["o1"])
    apply_broker_event(context, FILLED, fill("o1", Side.BUY, 6.0, 0.0))
    assert (context.position, context.open_orders) == (10.0, {})


def test_a_sell_fill_lowers_the_position() -> None:
    context = InstrumentContext(symbol="SYM", position=10.0)
    apply_broker_event(context, PARTIALLY_FILLED, fill("o1", Side.SELL, 4.0, 6.0))
    assert context.position == 6.0


@pytest.mark.parametrize("kind", [CANCELLED, REJECTED])
def test_a_cancel_or_reject_ends_the_order_and_keeps_the_position(kind: str) -> None:
    context = InstrumentContext(symbol="SYM", position=3.0, open_orders={"o1": Submit(Side.BUY, 1)})
    apply_broker_event(
        context,
        kind,
        OrderCancelled(client_order_id="o1", symbol="SYM", reason=CancelReason.REQUESTED, ts_ns=0),
    )
    assert (context.position, context.open_orders) == (3.0, {})


# -- SMA crossover against a broker that can do anything a broker may ---------------------

SESSION_KINDS = (SESSION_OPEN, SESSION_CLOSE, END_OF_DAY)
moves = st.one_of(
    st.tuples(st.just("bar"), st.sampled_from((99.0, 100.0, 101.0, 102.0))),
    st.tuples(st.just("fill"), st.sampled_from((0.25, 0.5, 1.0))),
    st.tuples(st.sampled_from(("cancel", "reject", *SESSION_KINDS)), st.none()),
)


class OneSymbolRun:
    """An instrument actor's bookkeeping and a broker's choices, without sockets. Fractions
    are powers of two, so positions stay exact and a full exit leaves exactly zero."""

    def __init__(self) -> None:
        self.context = new_context("SYM", {"fast": 2, "slow": 4})
        self.state = STRATEGY.initial
        self.remaining: dict[str, float] = {}
        self.ordered: dict[str, float] = {}
        self.orders_sent = 0

    def play(self, move: str, value: float | None) -> None:
        if move == "bar":
            assert value is not None
            self.step(BAR, bar(value))
        elif move in SESSION_KINDS:
            self.step(
                move, SessionEvent(kind=SessionEventKind(move), ts_ns=0, session="2024-01-02")
            )
        elif self.remaining:  # the broker can only report on an order that is open
            self.report(move, value)

    def report(self, move: str, fraction: float | None) -> None:
        client_order_id, left = next(iter(self.remaining.items()))
        order = self.context.open_orders[client_order_id]
        if move == "fill":
            assert fraction is not None
            quantity = float(math.floor(left * fraction)) or left  # whole shares, as a broker
            self.remaining[client_order_id] = left - quantity
            kind = FILLED if quantity == left else PARTIALLY_FILLED
            self.step(kind, fill(client_order_id, order.side, quantity, left - quantity))
        elif move == "cancel":
            self.step(
                CANCELLED,
                OrderCancelled(
                    client_order_id=client_order_id,
                    symbol="SYM",
                    reason=CancelReason.REQUESTED,
                    ts_ns=0,
                ),
            )
        elif left == self.ordered[client_order_id]:  # rejects come before any fill
            self.step(
                REJECTED,
                OrderReject(
                    client_order_id=client_order_id,
                    symbol="SYM",
                    reason=RejectReason.INSUFFICIENT_CASH,
                    ts_ns=0,
                ),
            )

    def step(self, kind: str, event: Any) -> None:
        apply_broker_event(self.context, kind, event)
        if kind in (FILLED, CANCELLED, REJECTED):
            del self.remaining[event.client_order_id]
        result = step(STRATEGY, self.state, kind, event, self.context)  # INVALID raises
        self.state = result.state
        for intent in result.intents:
            assert isinstance(intent, Submit)
            self.orders_sent += 1
            self.context.open_orders[f"SYM-{self.orders_sent}"] = intent
            self.remaining[f"SYM-{self.orders_sent}"] = intent.quantity
            self.ordered[f"SYM-{self.orders_sent}"] = intent.quantity
        assert self.state in STRATEGY.states
        assert len(self.remaining) <= 1

    def drive_to_flat(self) -> int:
        """Prices that rise then fall, and full fills: a cross down, the way back that must
        always exist (a long held after a missed cross waits for the next one)."""
        path = [*range(90, 110), *range(110, 70, -1)]
        for moves_made, close in enumerate(path):
            if self.state == FLAT:
                return moves_made
            if self.remaining:
                self.report("fill", 1.0)
            else:
                self.step(BAR, bar(float(close)))
        raise AssertionError(f"still {self.state} after {len(path)} moves")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(moves, min_size=10, max_size=80))
def test_sma_crossover_survives_any_sequence_a_broker_can_produce(
    sequence: list[tuple[str, float | None]],
) -> None:
    run = OneSymbolRun()
    for move, value in sequence:
        run.play(move, value)
        assert infer(snapshot_from_context(run.context), "SYM")[0] == run.state
    run.drive_to_flat()
    assert (run.context.position, run.context.open_orders) == (0.0, {})

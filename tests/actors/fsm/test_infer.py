"""State inference: a broker snapshot names one state, gives back the context it implies,
and the checker catches an ``infer`` that names the wrong state or cannot decide."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

import pytest

from tradeswarm.actors.fsm.check import reachable_states
from tradeswarm.actors.fsm.engine import (
    IGNORE,
    Domain,
    InstrumentContext,
    Strategy,
    When,
)
from tradeswarm.actors.fsm.infer import (
    InferenceError,
    check_inference,
    instrument_fields,
    restore,
    snapshot_from_context,
)
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.actors.fsm.problems import ProblemKind
from tradeswarm.messages import OrderType, Side, TimeInForce
from tradeswarm.scenarios.strategies.sma_crossover import (
    ENTRY_PENDING,
    EXIT_PENDING,
    FLAT,
    LONG,
    STRATEGY,
    infer,
    new_context,
    sample_context,
)

BUY = Submit(side=Side.BUY, quantity=100.0)
SELL = Submit(side=Side.SELL, quantity=100.0)


def context_with(position: float, **orders: Submit) -> InstrumentContext:
    return InstrumentContext(symbol="SYM", position=position, open_orders=dict(orders))


@pytest.mark.parametrize("state", reachable_states(STRATEGY))
def test_sma_crossover_infers_every_reachable_state_from_its_snapshot(state: str) -> None:
    rng = random.Random(state)
    for _ in range(200):
        context = sample_context(rng, state)
        inferred, fields = infer(snapshot_from_context(context), context.symbol)
        assert inferred == state
        assert fields == {"position": context.position, "open_orders": context.open_orders}


@pytest.mark.parametrize(
    ("context", "state"),
    [
        (context_with(0.0), FLAT),
        (context_with(0.0, b1=BUY), ENTRY_PENDING),
        (context_with(40.0, b1=BUY), ENTRY_PENDING),
        (context_with(100.0), LONG),
        (context_with(100.0, s1=SELL), EXIT_PENDING),
        (context_with(60.0, s1=SELL), EXIT_PENDING),
    ],
)
def test_sma_crossover_reads_its_state_from_position_and_open_order(
    context: InstrumentContext, state: str
) -> None:
    assert infer(snapshot_from_context(context), "SYM")[0] == state


@pytest.mark.parametrize(
    ("context", "reason"),
    [
        (context_with(0.0, b1=BUY, b2=BUY), "2 open orders"),
        (context_with(-5.0), "long only"),
        (context_with(0.0, s1=SELL), "no position to sell"),
    ],
)
def test_sma_crossover_refuses_a_snapshot_none_of_its_states_can_produce(
    context: InstrumentContext, reason: str
) -> None:
    with pytest.raises(InferenceError, match=reason):
        infer(snapshot_from_context(context), "SYM")


def test_a_snapshot_keeps_only_the_facts_of_the_symbol_asked_for() -> None:
    snapshot = snapshot_from_context(context_with(100.0, s1=SELL))
    assert instrument_fields(snapshot, "OTHER") == {"position": 0.0, "open_orders": {}}


def test_every_order_field_survives_the_trip_through_a_snapshot() -> None:
    order = Submit(
        side=Side.BUY,
        quantity=7.0,
        order_type=OrderType.STOP_LIMIT,
        limit_price=10.5,
        stop_price=10.0,
        time_in_force=TimeInForce.DAY,
    )
    snapshot = snapshot_from_context(context_with(3.0, o1=order))
    assert instrument_fields(snapshot, "SYM") == {"position": 3.0, "open_orders": {"o1": order}}


def test_restore_sets_the_recovered_fields_and_returns_the_state() -> None:
    snapshot = snapshot_from_context(context_with(60.0, s1=SELL))
    context = new_context("SYM", {"fast": 2, "slow": 4})
    assert restore(STRATEGY, snapshot, "SYM", context) == EXIT_PENDING
    assert (context.position, context.open_orders) == (60.0, {"s1": SELL})


def test_restore_without_infer_says_the_strategy_cannot_resume() -> None:
    with pytest.raises(InferenceError, match="declares no infer"):
        restore(
            replace(STRATEGY, infer=None), snapshot_from_context(context_with(0.0)), "SYM", None
        )


def test_sma_crossover_infer_passes_the_check() -> None:
    assert check_inference(STRATEGY, reachable_states(STRATEGY)) == []


def always_flat(snapshot: Any, symbol: str) -> tuple[str, dict[str, Any]]:
    return FLAT, {}


def test_an_infer_that_names_the_wrong_state_is_reported_for_that_state() -> None:
    problems = check_inference(replace(STRATEGY, infer=always_flat), STRATEGY.states)
    assert [(problem.kind, problem.state) for problem in problems] == [
        (ProblemKind.INFER_MISMATCH, state) for state in (ENTRY_PENDING, LONG, EXIT_PENDING)
    ]
    long_message = problems[1].message
    assert re.fullmatch(
        r"infer names FLAT for \(position SYM \d+; open orders none\), a snapshot of LONG",
        long_message,
    )


def test_an_infer_that_gives_back_a_wrong_field_is_reported() -> None:
    def forgets_orders(snapshot: Any, symbol: str) -> tuple[str, dict[str, Any]]:
        state, fields = infer(snapshot, symbol)
        return state, {**fields, "open_orders": {}}

    problems = check_inference(replace(STRATEGY, infer=forgets_orders), STRATEGY.states)
    assert {problem.state for problem in problems} == {ENTRY_PENDING, EXIT_PENDING}
    assert all("open_orders={}" in problem.message for problem in problems)


def test_an_infer_that_raises_is_reported() -> None:
    def refuses(snapshot: Any, symbol: str) -> tuple[str, dict[str, Any]]:
        raise InferenceError("no idea")

    (problem, *_) = check_inference(replace(STRATEGY, infer=refuses), STRATEGY.states)
    assert problem.kind is ProblemKind.INFER_ERROR
    assert "infer raised InferenceError: no idea" in problem.message


def test_two_states_with_one_snapshot_are_ambiguous() -> None:
    def nothing_held(rng: random.Random, state: str) -> InstrumentContext:
        return context_with(0.0)

    toy = Strategy(
        name="toy",
        states=("IDLE", "WAITING"),
        events=("go",),
        initial="IDLE",
        table={("IDLE", "go"): (When("WAITING"),), ("WAITING", "go"): IGNORE},
        new_context=lambda symbol, params: InstrumentContext(symbol=symbol),
        explore=Domain(context=nothing_held),
        infer=lambda snapshot, symbol: ("IDLE", {}),
    )
    (problem,) = check_inference(toy, toy.states)
    assert problem.kind is ProblemKind.INFER_AMBIGUOUS
    assert problem.state == "WAITING"
    assert "IDLE and WAITING both imply the snapshot" in problem.message


def test_a_strategy_without_infer_is_reported() -> None:
    (problem,) = check_inference(replace(STRATEGY, infer=None), STRATEGY.states)
    assert problem.kind is ProblemKind.NO_INFER

"""State inference: a broker snapshot names one state, gives back the context it implies,
and the checker catches an ``infer`` that names the wrong state or cannot decide."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

import pytest

from tradeswarm.actors.fsm.driver import walk
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
from tradeswarm.actors.fsm.walk_check import check_walks
from tradeswarm.messages import OrderType, Side, TimeInForce
from tradeswarm.scenarios.strategies.sma_crossover import (
    ENTRY_PENDING,
    EXIT_PENDING,
    FLAT,
    LONG,
    STRATEGY,
)

infer, new_context = STRATEGY.infer, STRATEGY.new_context
assert infer is not None

BUY = Submit(side=Side.BUY, quantity=100.0)
SELL = Submit(side=Side.SELL, quantity=100.0)


def context_with(position: float, **orders: Submit) -> InstrumentContext:
    return InstrumentContext(symbol="SYM", position=position, open_orders=dict(orders))


def test_sma_crossover_infers_every_state_a_driven_run_reaches_from_its_snapshot() -> None:
    reached = set()
    for index in range(20):
        for visit in walk(STRATEGY, seed=3, index=index):
            assert visit.result is not None, visit.error
            context = visit.context
            inferred, fields = infer(snapshot_from_context(context), context.symbol)
            assert inferred == visit.result.state
            assert fields == {"position": context.position, "open_orders": context.open_orders}
            reached.add(inferred)
    assert reached == set(STRATEGY.states)


@pytest.mark.parametrize(
    ("context", "state"),
    [
        (context_with(0.0), FLAT),
        (context_with(0.0, b1=BUY), ENTRY_PENDING),
        (context_with(40.0, b1=BUY), ENTRY_PENDING),
        (context_with(100.0), LONG),
        (context_with(100.0, s1=SELL), EXIT_PENDING),
        (context_with(60.0, s1=replace(SELL, quantity=60.0)), EXIT_PENDING),  # part-filled
    ],
)
def test_sma_crossover_reads_its_state_from_position_and_open_order(
    context: InstrumentContext, state: str
) -> None:
    assert infer(snapshot_from_context(context), "SYM")[0] == state


@pytest.mark.parametrize(
    ("context", "reason"),
    [
        (context_with(0.0, b1=BUY, b2=BUY), r"no state holds \(position 0; open orders buy 100"),
        (context_with(-5.0), r"no state holds \(position -5"),
        (context_with(0.0, s1=SELL), "no state holds"),
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
    snapshot = snapshot_from_context(context_with(60.0, s1=replace(SELL, quantity=60.0)))
    context = new_context("SYM", {"fast": 2, "slow": 4})
    assert restore(STRATEGY, snapshot, "SYM", context) == EXIT_PENDING
    assert (context.position, context.open_orders) == (60.0, {"s1": replace(SELL, quantity=60.0)})


def test_restore_without_infer_says_the_strategy_cannot_resume() -> None:
    with pytest.raises(InferenceError, match="declares no infer"):
        restore(
            replace(STRATEGY, infer=None), snapshot_from_context(context_with(0.0)), "SYM", None
        )


def test_sma_crossover_infer_passes_the_check() -> None:
    assert check_walks(STRATEGY) == []


def always_flat(snapshot: Any, symbol: str) -> tuple[str, dict[str, Any]]:
    return FLAT, {}


def test_an_infer_that_names_the_wrong_state_is_reported_for_that_state() -> None:
    problems = check_walks(replace(STRATEGY, infer=always_flat))
    assert {problem.kind for problem in problems} == {ProblemKind.INFER_MISMATCH}
    assert {problem.state for problem in problems} <= {ENTRY_PENDING, LONG, EXIT_PENDING}
    assert any(
        re.fullmatch(r"infer names FLAT for a snapshot of (LONG|ENTRY_PENDING)", p.message)
        for p in problems
    )


def test_an_infer_that_gives_back_a_wrong_field_is_reported() -> None:
    def forgets_orders(snapshot: Any, symbol: str) -> tuple[str, dict[str, Any]]:
        state, fields = infer(snapshot, symbol)
        return state, {**fields, "open_orders": {}}

    problems = check_walks(replace(STRATEGY, infer=forgets_orders))
    assert problems and {problem.state for problem in problems} <= {ENTRY_PENDING, EXIT_PENDING}
    assert all("open_orders={}" in problem.message for problem in problems)


def test_an_infer_that_raises_is_reported() -> None:
    def refuses(snapshot: Any, symbol: str) -> tuple[str, dict[str, Any]]:
        raise InferenceError("no idea")

    (problem, *_) = check_walks(replace(STRATEGY, infer=refuses))
    assert problem.kind is ProblemKind.INFER_ERROR
    assert "no idea" in problem.message


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

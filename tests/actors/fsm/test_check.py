"""The table checker: each check is shown a small table broken in its one way, and the same
table mended; every report names the strategy, the state, the event and the fix."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

import pytest

from tradeswarm.actors.fsm.check import (
    Problem,
    ProblemKind,
    check,
    format_problems,
    reachable_states,
)
from tradeswarm.actors.fsm.engine import IGNORE, INVALID, Domain, InstrumentContext, Strategy, When
from tradeswarm.scenarios.strategies.sma_crossover import STRATEGY as SMA


def new_context(symbol: str, params: Any) -> InstrumentContext:
    return InstrumentContext(symbol=symbol)


def draw_context(rng: random.Random, state: str) -> InstrumentContext:
    return InstrumentContext(symbol="T")


def draw_number(rng: random.Random, context: Any) -> int:
    return rng.randint(0, 20)


def above_ten(context: Any, event: int) -> bool:
    return event > 10


def above_five(context: Any, event: int) -> bool:
    return event > 5


def at_most_ten(context: Any, event: int) -> bool:
    return event <= 10


def divides_by_event(context: Any, event: int) -> bool:
    return 100 // event > 3


GOOD_TABLE: dict[tuple[str, str], Any] = {
    ("A", "go"): (When("B"),),
    ("A", "back"): IGNORE,
    ("B", "go"): IGNORE,
    ("B", "back"): (When("A"),),
}


def strategy(changes: dict[tuple[str, str], Any] | None = None, **fields: Any) -> Strategy:
    """A two-state toy table, changed by ``changes`` (a ``None`` cell deletes the pair)."""
    table = {**GOOD_TABLE, **(changes or {})}
    declared = {
        "name": "toy",
        "states": ("A", "B"),
        "events": ("go", "back"),
        "initial": "A",
        "table": {key: cell for key, cell in table.items() if cell is not None},
        "new_context": new_context,
        "explore": Domain(context=draw_context, events={"go": draw_number, "back": draw_number}),
    }
    return Strategy(**{**declared, **fields})


def found(target: Strategy, kind: ProblemKind) -> list[Problem]:
    return [problem for problem in check(target, samples=50) if problem.kind is kind]


def test_sma_crossover_passes_every_check() -> None:
    assert check(SMA) == []


def test_checking_sma_crossover_takes_well_under_a_second() -> None:
    started = time.perf_counter()
    check(SMA)
    assert time.perf_counter() - started < 1.0


def test_a_check_is_the_same_every_time_for_one_seed() -> None:
    target = strategy({("A", "go"): (When("B", above_ten), When("A", above_five))})
    assert check(target, seed=7) == check(target, seed=7)


def test_the_toy_table_has_no_problem_but_its_missing_infer() -> None:
    assert [problem.kind for problem in check(strategy())] == [ProblemKind.NO_INFER]


def test_a_missing_pair_is_reported_with_its_state_and_event() -> None:
    (problem,) = found(strategy({("B", "go"): None}), ProblemKind.MISSING_CELL)
    assert (problem.state, problem.event) == ("B", "go")
    assert "toy: state B, event go: missing-cell" in str(problem)
    assert "declare (B, go) as (When(...),), IGNORE or INVALID" in str(problem)


def test_a_cell_for_an_undeclared_event_is_reported() -> None:
    (problem,) = found(strategy({("A", "jump"): IGNORE}), ProblemKind.UNKNOWN_CELL)
    assert (problem.state, problem.event) == ("A", "jump")


def test_a_bare_when_instead_of_a_tuple_is_reported() -> None:
    (problem,) = found(strategy({("A", "go"): When("B")}), ProblemKind.BAD_CELL)
    assert "wrap it in a tuple" in problem.fix


def test_an_empty_cell_is_reported() -> None:
    assert found(strategy({("A", "go"): ()}), ProblemKind.BAD_CELL)


def test_a_state_no_transition_enters_is_unreachable() -> None:
    changes = {("C", "go"): (When("A"),), ("C", "back"): IGNORE}
    (problem,) = found(strategy(changes, states=("A", "B", "C")), ProblemKind.UNREACHABLE)
    assert problem.state == "C"
    assert "unreachable from the initial state A" in str(problem)


def test_a_state_entered_from_a_reachable_one_is_reachable() -> None:
    changes = {("B", "go"): (When("C"),), ("C", "go"): (When("A"),), ("C", "back"): IGNORE}
    target = strategy(changes, states=("A", "B", "C"))
    assert found(target, ProblemKind.UNREACHABLE) == []
    assert reachable_states(target) == ("A", "B", "C")


def test_a_state_with_no_way_back_is_a_trap() -> None:
    (problem,) = found(strategy({("B", "back"): IGNORE}), ProblemKind.TRAP)
    assert problem.state == "B"
    assert "or declare it terminal" in problem.fix


def test_a_state_declared_terminal_is_not_a_trap() -> None:
    target = strategy({("B", "back"): IGNORE}, terminal=frozenset({"B"}))
    assert found(target, ProblemKind.TRAP) == []


def test_a_transition_to_an_undeclared_state_is_reported() -> None:
    (problem,) = found(strategy({("B", "back"): (When("Z"),)}), ProblemKind.UNDECLARED_TARGET)
    assert (problem.state, problem.event) == ("B", "back")
    assert "'Z'" in problem.message


def test_an_else_before_a_guarded_transition_is_reported() -> None:
    cell = (When("A"), When("B", above_ten))
    (problem,) = found(strategy({("A", "go"): cell}), ProblemKind.ELSE_NOT_LAST)
    assert (problem.state, problem.event) == ("A", "go")


def test_an_else_after_the_guarded_transitions_is_fine() -> None:
    cell = (When("B", above_ten), When("A"))
    assert found(strategy({("A", "go"): cell}), ProblemKind.ELSE_NOT_LAST) == []


@pytest.mark.parametrize("when", [When("B", guard="yes"), When("B", action=3)])  # type: ignore[arg-type]
def test_a_guard_or_action_that_is_not_a_function_is_reported(when: When) -> None:
    (problem,) = found(strategy({("A", "go"): (when,)}), ProblemKind.NOT_CALLABLE)
    assert (problem.state, problem.event) == ("A", "go")


def test_functions_as_guard_and_action_are_fine() -> None:
    cell = (When("B", above_ten, lambda context, event: None), When("A"))
    assert found(strategy({("A", "go"): cell}), ProblemKind.NOT_CALLABLE) == []


def test_two_guards_true_for_one_sampled_input_overlap() -> None:
    cell = (When("B", above_ten), When("A", above_five))
    (problem,) = found(strategy({("A", "go"): cell}), ProblemKind.OVERLAP)
    assert (problem.state, problem.event) == ("A", "go")
    assert "above_ten and above_five are both true" in str(problem)


def test_guards_that_split_the_domain_do_not_overlap() -> None:
    cell = (When("B", above_ten), When("A", at_most_ten))
    assert found(strategy({("A", "go"): cell}), ProblemKind.OVERLAP) == []


def test_two_guards_and_no_domain_to_sample_them_are_reported() -> None:
    target = strategy({("A", "go"): (When("B", above_ten), When("A", at_most_ten))}, explore=None)
    (problem,) = found(target, ProblemKind.NO_DOMAIN)
    assert (problem.state, problem.event) == ("A", "go")


def test_a_guard_that_raises_on_a_sampled_input_is_reported() -> None:
    target = strategy({("A", "go"): (When("B", divides_by_event), When("A"))})
    (problem,) = found(target, ProblemKind.RAISED)
    assert "guard divides_by_event raised ZeroDivisionError" in problem.message


def test_a_domain_that_raises_is_reported_as_the_domains_fault() -> None:
    def broken_context(rng: random.Random, state: str) -> InstrumentContext:
        raise KeyError(state)

    cell = (When("B", above_ten), When("A"))
    domain = Domain(context=broken_context, events={"go": draw_number})
    (problem,) = found(strategy({("A", "go"): cell}, explore=domain), ProblemKind.DOMAIN_ERROR)
    assert "context sampler raised KeyError" in problem.message


def test_an_invalid_cell_whose_event_the_domain_delivers_is_reported() -> None:
    (problem,) = found(strategy({("A", "back"): INVALID}), ProblemKind.INVALID_ARRIVES)
    assert (problem.state, problem.event) == ("A", "back")


def test_an_invalid_cell_whose_event_cannot_arrive_is_fine() -> None:
    def never(rng: random.Random, context: Any) -> None:
        return None

    domain = Domain(context=draw_context, events={"go": draw_number, "back": never})
    target = strategy({("A", "back"): INVALID}, explore=domain)
    assert found(target, ProblemKind.INVALID_ARRIVES) == []


def test_an_undeclared_initial_state_is_reported_without_walking_the_graph() -> None:
    problems = check(strategy(initial="Q"))
    assert [problem.kind for problem in problems][:1] == [ProblemKind.BAD_DECLARATION]
    assert ProblemKind.UNREACHABLE not in {problem.kind for problem in problems}


def test_a_state_listed_twice_is_reported() -> None:
    assert found(strategy(states=("A", "B", "A")), ProblemKind.BAD_DECLARATION)


def test_the_report_lists_one_line_per_problem_and_a_count() -> None:
    target = replace(strategy({("B", "go"): None, ("A", "back"): None}), infer=None)
    problems = check(target)
    lines = format_problems("toy", problems).splitlines()
    assert lines[-1] == f"toy: {len(problems)} problems"
    assert all(line.startswith("toy: ") and "; fix: " in line for line in lines[:-1])


def test_the_report_of_a_clean_table_says_so() -> None:
    assert format_problems("sma_crossover", []) == "sma_crossover: table checked, no problems"

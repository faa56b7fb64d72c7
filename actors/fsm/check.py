"""Checks a strategy table before a run, so a missed condition or a stuck state is a report
at start-up, not a surprise at bar 80,000.

Theory of operation. The checks run in three layers, cheapest first. The *shape* checks
read the table as data: every (state, event) pair has exactly one well-formed cell, every
target is declared, the ``else`` comes last, guards and actions are functions. The *graph*
checks see the table as a directed graph (a ``When`` is an edge, whatever its guard):
every state is reachable from the initial one and can get back to it unless declared
terminal. The *sampling* checks (``actors.fsm.explore``, ``actors.fsm.infer``) call the
strategy's own functions on inputs drawn from its declared domain with a seeded
``random.Random``, so a check is deterministic and a report reproducible.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from tradeswarm.actors.fsm.engine import IGNORE, INVALID, Strategy, When, transitions
from tradeswarm.actors.fsm.explore import DEFAULT_SAMPLES, check_guards
from tradeswarm.actors.fsm.infer import check_inference
from tradeswarm.actors.fsm.problems import Problem, ProblemKind, format_problems
from tradeswarm.actors.fsm.walk_check import check_declarations, check_walks

__all__ = [
    "Problem",
    "ProblemKind",
    "check",
    "check_graph",
    "check_shape",
    "format_problems",
    "reachable_states",
]


def check(strategy: Strategy, *, samples: int = DEFAULT_SAMPLES, seed: int = 0) -> list[Problem]:
    """Every problem of the table; an empty list means it may run.

    A strategy that declares what the broker holds in each state is checked by driving it
    (``actors.fsm.walk_check``); a hand-written domain (``explore``) is sampled as well.
    Inference is checked on the driven contexts, or on the sampled ones."""
    problems = [*check_shape(strategy), *check_graph(strategy)]
    if problems and any(p.kind in _UNDRIVABLE for p in problems):
        return problems  # driving an incomplete table would only repeat what is missing
    problems += check_declarations(strategy)
    problems += check_walks(strategy, seed=seed)
    if strategy.walks is None or strategy.explore is not None:
        problems += check_guards(strategy, samples=samples, seed=seed)
        states = reachable_states(strategy)
        problems += check_inference(strategy, states, samples=samples, seed=seed)
    elif strategy.infer is None:
        fix = "declare what the broker holds in each state, or pass infer=..."
        problems.append(
            _problem(strategy, ProblemKind.NO_INFER, None, None, "no infer declared", fix)
        )
    return problems


_UNDRIVABLE = frozenset(
    {
        ProblemKind.BAD_DECLARATION,
        ProblemKind.MISSING_CELL,
        ProblemKind.UNKNOWN_CELL,
        ProblemKind.BAD_CELL,
        ProblemKind.UNDECLARED_TARGET,
        ProblemKind.NOT_CALLABLE,
    }
)


def check_shape(strategy: Strategy) -> list[Problem]:
    return [*_declarations(strategy), *_coverage(strategy), *_cells(strategy)]


def check_graph(strategy: Strategy) -> list[Problem]:
    """Unreachable states, and trap states: reachable ones with no path back to the start."""
    if strategy.initial not in strategy.states:
        return []  # reported by the shape checks; there is no start to walk from
    reachable = set(reachable_states(strategy))
    returning = _walk(strategy.initial, _edges(strategy, reverse=True))
    problems = []
    for state in strategy.states:
        if state not in reachable:
            fix = f"add a transition into {state} from a reachable state, or delete {state}"
            message = f"unreachable from the initial state {strategy.initial}"
            problems.append(_problem(strategy, ProblemKind.UNREACHABLE, state, None, message, fix))
        elif state not in returning and state not in strategy.terminal:
            message = f"no path leads back to the initial state {strategy.initial}"
            fix = (
                f"add a transition from {state} towards {strategy.initial}, or declare it terminal"
            )
            problems.append(_problem(strategy, ProblemKind.TRAP, state, None, message, fix))
    return problems


def reachable_states(strategy: Strategy) -> tuple[str, ...]:
    """The declared states a run can be in, in declaration order."""
    if strategy.initial not in strategy.states:
        return ()
    reached = _walk(strategy.initial, _edges(strategy, reverse=False))
    return tuple(state for state in strategy.states if state in reached)


def _walk(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for neighbour in edges.get(queue.popleft(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def _edges(strategy: Strategy, *, reverse: bool) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for (state, _event), cell in _declared_cells(strategy):
        for transition in transitions(cell):
            if transition.target in strategy.states:
                source, target = (
                    (transition.target, state) if reverse else (state, transition.target)
                )
                edges.setdefault(source, []).append(target)
    return edges


def _declared_cells(strategy: Strategy) -> Iterator[tuple[tuple[str, str], object]]:
    for state in strategy.states:
        for event in strategy.events:
            if (state, event) in strategy.table:
                yield (state, event), strategy.table[(state, event)]


def _declarations(strategy: Strategy) -> Iterator[Problem]:
    kind = ProblemKind.BAD_DECLARATION
    if strategy.initial not in strategy.states:
        fix = f"add {strategy.initial} to states or start from one of {', '.join(strategy.states)}"
        yield _problem(strategy, kind, strategy.initial, None, "initial state not declared", fix)
    for state in sorted(strategy.terminal - set(strategy.states)):
        fix = "declare it in states or drop it from terminal"
        yield _problem(strategy, kind, state, None, "terminal state not declared", fix)
    for name, values in (("states", strategy.states), ("events", strategy.events)):
        for value in sorted({value for value in values if values.count(value) > 1}):
            fix = f"list {value} once in {name}"
            yield _problem(strategy, kind, None, None, f"{value} repeated in {name}", fix)


def _coverage(strategy: Strategy) -> Iterator[Problem]:
    """Every pair declared, and nothing else: the input domain is complete and closed."""
    for state in strategy.states:
        for event in strategy.events:
            if (state, event) not in strategy.table:
                fix = f"declare ({state}, {event}) as (When(...),), IGNORE or INVALID"
                yield _problem(
                    strategy, ProblemKind.MISSING_CELL, state, event, "no cell declared", fix
                )
    for key in strategy.table:
        state, event = key if isinstance(key, tuple) and len(key) == 2 else (repr(key), None)
        if state not in strategy.states or event not in strategy.events:
            message = "a cell for an undeclared state or event"
            fix = "declare the state and event, or delete the cell"
            yield _problem(strategy, ProblemKind.UNKNOWN_CELL, state, event, message, fix)


def _cells(strategy: Strategy) -> Iterator[Problem]:
    for (state, event), cell in _declared_cells(strategy):
        if cell is IGNORE or cell is INVALID:
            continue
        if isinstance(cell, When):
            fix = "wrap it in a tuple: (When(...),)"
            yield _problem(strategy, ProblemKind.BAD_CELL, state, event, "a bare When", fix)
        elif not isinstance(cell, tuple | list) or not cell:
            message = f"cell is {cell!r}, not a tuple of When, IGNORE or INVALID"
            fix = "declare (When(target, guard, action), ...), IGNORE or INVALID"
            yield _problem(strategy, ProblemKind.BAD_CELL, state, event, message, fix)
        else:
            yield from _transitions(strategy, state, event, cell)


def _transitions(
    strategy: Strategy, state: str, event: str, cell: tuple[object, ...] | list[object]
) -> Iterator[Problem]:
    for index, item in enumerate(cell):
        if not isinstance(item, When):
            message = f"entry {index} is {item!r}, not a When"
            fix = "use When(target, guard, action)"
            yield _problem(strategy, ProblemKind.BAD_CELL, state, event, message, fix)
            continue
        if item.target not in strategy.states:
            message = f"entry {index} goes to undeclared state {item.target!r}"
            fix = f"add {item.target!r} to states or target one of {', '.join(strategy.states)}"
            yield _problem(strategy, ProblemKind.UNDECLARED_TARGET, state, event, message, fix)
        if item.guard is None and index < len(cell) - 1:
            message = f"entry {index} (to {item.target}) has no guard but is not last"
            fix = "move the When without a guard (the else) to the end of the cell"
            yield _problem(strategy, ProblemKind.ELSE_NOT_LAST, state, event, message, fix)
        for role, function in (("guard", item.guard), ("action", item.action)):
            if function is not None and not callable(function):
                message = f"entry {index} has a {role} {function!r} that is not callable"
                fix = f"pass a function (context, event) as the {role}"
                yield _problem(strategy, ProblemKind.NOT_CALLABLE, state, event, message, fix)


def _problem(
    strategy: Strategy,
    kind: ProblemKind,
    state: str | None,
    event: str | None,
    message: str,
    fix: str,
) -> Problem:
    return Problem(strategy.name, kind, state, event, message, fix)

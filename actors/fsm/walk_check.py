"""The checks that read the state declarations, and the ones that drive the table.

``check_declarations`` is static: every state declares what the broker holds in it, a
fresh instrument (flat, no order) is in the initial state's declaration, and no snapshot
satisfies two states' declarations (``actors.fsm.holds.overlaps`` enumerates them), so
inference can never have two answers.

``check_walks`` drives the table with random broker-legal events (``actors.fsm.driver``)
and reports, with the events that led there: two guards true at once, an ``INVALID`` cell
whose event arrived, user code that raised or returned something that is not a list of
intents, a transition into a state whose declaration the broker's facts then contradict,
and a state that inference does not give back. Walks are seeded: a check is reproducible.
"""

from __future__ import annotations

from typing import Any

from tradeswarm.actors.fsm.driver import Visit, walk
from tradeswarm.actors.fsm.engine import FsmError, Strategy
from tradeswarm.actors.fsm.errors import StrategyError, raised, user_frame
from tradeswarm.actors.fsm.holds import Order, describe, overlaps
from tradeswarm.actors.fsm.infer import snapshot_from_context
from tradeswarm.actors.fsm.problems import Problem, ProblemKind

__all__ = ["check_declarations", "check_walks"]


def check_declarations(strategy: Strategy) -> list[Problem]:
    if not strategy.holds:
        return []
    problems = []
    for state in strategy.states:
        if state not in strategy.holds:
            fix = f"declare what the broker holds in {state}, e.g. flat() or long(sell())"
            problems.append(
                _problem(
                    strategy,
                    ProblemKind.BAD_DECLARATION,
                    state,
                    None,
                    "no declaration of what the broker holds",
                    fix,
                )
            )
    start = strategy.holds.get(strategy.initial)
    if start is not None and not start.match(0.0, []):
        message = (
            f"a fresh instrument is flat with no order, but {strategy.initial} declares {start}"
        )
        fix = f"start from a state that holds flat() and no order, or declare {strategy.initial} so"
        problems.append(
            _problem(strategy, ProblemKind.BAD_DECLARATION, strategy.initial, None, message, fix)
        )
    for first, second, snapshot in overlaps(strategy.holds):
        message = f"{first} and {second} both hold {snapshot}: inference could not tell them apart"
        fix = f"make the declarations of {first} and {second} differ (position, side, type, closes)"
        problems.append(_problem(strategy, ProblemKind.INFER_AMBIGUOUS, second, None, message, fix))
    return problems


def check_walks(strategy: Strategy, seed: int = 0) -> list[Problem]:
    if strategy.walks is None:
        return []
    found: dict[tuple[ProblemKind, str, str | None], Problem] = {}
    try:
        for index in range(strategy.walks.walks):
            for visit in walk(strategy, seed, index):
                problem = _judge(strategy, visit)
                if problem is not None:  # the first problem of a walk; the rest follow from it
                    found.setdefault((problem.kind, problem.state or "", problem.event), problem)
                    break
    except (ValueError, TypeError) as error:  # the walks' parameters, refused
        message = f"driving the table failed: {type(error).__name__}: {error}"
        fix = "make Walks(params=...) parameters the strategy accepts"
        return [_problem(strategy, ProblemKind.DOMAIN_ERROR, None, None, message, fix)]
    except Exception as error:  # the strategy's own code: its context, an indicator, ...
        where = user_frame(error.__traceback__)
        message = f"driving the table, the strategy's code {raised(error)}"
        message += f" ({where})" if where else ""
        fix = "fix that line"
        return [_problem(strategy, ProblemKind.DOMAIN_ERROR, None, None, message, fix)]
    return list(found.values())


def _judge(strategy: Strategy, visit: Visit) -> Problem | None:
    after = f"after {', '.join(visit.history) or 'the start'}"
    if isinstance(visit.error, FsmError):
        if visit.error.overlap:
            message = f"{visit.error.reason} for {visit.event!r} ({after})"
            fix = "make one guard exclude the inputs the other accepts, or merge them"
            return _problem(
                strategy, ProblemKind.OVERLAP, visit.state, visit.event_kind, message, fix
            )
        message = f"{visit.error.reason.split(' (')[0]}, but {visit.event_kind} arrives {after}"
        fix = "declare a transition or IGNORE for it"
        return _problem(
            strategy, ProblemKind.INVALID_ARRIVES, visit.state, visit.event_kind, message, fix
        )
    if isinstance(visit.error, StrategyError):
        kind = (
            ProblemKind.RAISED
            if visit.error.problem.startswith("raised")
            else ProblemKind.BAD_RETURN
        )
        where = f" ({visit.error.where})" if visit.error.where else ""
        message = f"{visit.error.role} {visit.error.problem}{where} ({after})"
        fix = (
            f"make {visit.error.role} total over what the broker and the market deliver"
            if kind is ProblemKind.RAISED
            else "return None or a list of intents, e.g. [Submit(...)], or a sizing helper's list"
        )
        return _problem(strategy, kind, visit.state, visit.event_kind, message, fix)
    assert visit.result is not None
    return _declared(strategy, visit, after) or _inferred(strategy, visit)


def _declared(strategy: Strategy, visit: Visit, after: str) -> Problem | None:
    assert visit.result is not None
    target = visit.result.state
    declaration = strategy.holds.get(target)
    if declaration is None:
        return None
    position, orders = _holdings(visit.context)
    if declaration.match(position, orders):
        return None
    message = (
        f"goes to {target}, which declares {declaration}, while the broker holds "
        f"{describe(position, orders)} ({after}, {visit.event_kind})"
    )
    fix = f"go to the state that holds this, or declare {target} to hold it too"
    return _problem(strategy, ProblemKind.DECLARATION, visit.state, visit.event_kind, message, fix)


def _inferred(strategy: Strategy, visit: Visit) -> Problem | None:
    assert visit.result is not None
    if strategy.infer is None:
        return None
    context = visit.context
    snapshot = snapshot_from_context(context)
    try:
        inferred, fields = strategy.infer(snapshot, context.symbol)
    except Exception as error:
        message = f"infer refused a snapshot of {visit.result.state}: {error}"
        fix = f"make infer map what {visit.result.state} holds to {visit.result.state}"
        return _problem(strategy, ProblemKind.INFER_ERROR, visit.result.state, None, message, fix)
    state = visit.result.state
    if inferred != state:
        message = f"infer names {inferred} for a snapshot of {state}"
        fix = f"make infer map the snapshots of {state} to {state}"
        return _problem(strategy, ProblemKind.INFER_MISMATCH, state, None, message, fix)
    for name, value in fields.items():
        held = getattr(context, name, "<no such field>")
        if held != value:
            message = f"infer gives back {name}={value!r}, but the context held {held!r}"
            fix = f"recover {name} from the snapshot exactly, or do not return it"
            return _problem(strategy, ProblemKind.INFER_MISMATCH, state, None, message, fix)
    return None


def _holdings(context: Any) -> tuple[float, list[Order]]:
    orders = [
        Order(order.side, order.order_type, order.quantity)
        for order in context.open_orders.values()
    ]
    return float(context.position), orders


def _problem(
    strategy: Strategy,
    kind: ProblemKind,
    state: str | None,
    event: str | None,
    message: str,
    fix: str,
) -> Problem:
    return Problem(strategy.name, kind, state, event, message, fix)

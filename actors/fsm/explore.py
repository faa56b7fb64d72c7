"""Sampling a strategy's input domain: overlapping guards, guards that raise, and
``INVALID`` cells whose event can in fact arrive.

Why sampling and not proof: guards are arbitrary Python, so the checker cannot reason about
them, but it can call them. For each cell it draws inputs from the strategy's ``Domain``
with a ``random.Random`` seeded by (seed, state, event), replays the actor's bookkeeping
(``apply_broker_event``) and ``observe`` exactly as ``step`` would see them, and asks every
guard. A fixed number of samples per cell keeps a check deterministic and well under a
second; a domain that draws from small discrete sets (three prices, not a continuum) makes
ties, and so overlaps, likely to be found.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from itertools import combinations
from typing import Any

from tradeswarm.actors.fsm.engine import (
    CANCELLED,
    END_OF_DAY,
    FILLED,
    INVALID,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_CLOSE,
    SESSION_OPEN,
    EventSampler,
    Strategy,
    When,
    transitions,
)
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.actors.fsm.orders import apply_broker_event
from tradeswarm.actors.fsm.problems import Problem, ProblemKind
from tradeswarm.messages import (
    CancelReason,
    Fill,
    OrderCancelled,
    OrderReject,
    RejectReason,
    SessionEvent,
    SessionEventKind,
)

DEFAULT_SAMPLES = 100
_TS_NS = 1_704_205_800_000_000_000  # 2024-01-02 14:30 UTC: any time will do, one is reproducible


class SampleError(Exception):
    """A strategy function raised on a sampled input; ``role`` says which one."""

    def __init__(self, role: str, error: Exception, *, in_domain: bool) -> None:
        super().__init__(f"{role} raised {type(error).__name__}: {error}")
        self.role, self.error, self.in_domain = role, error, in_domain


def check_guards(
    strategy: Strategy, *, samples: int = DEFAULT_SAMPLES, seed: int = 0
) -> list[Problem]:
    problems: list[Problem] = []
    for state in strategy.states:
        for event_kind in strategy.events:
            cell = strategy.table.get((state, event_kind))
            if cell is INVALID:
                problems += _check_invalid(strategy, state, event_kind, samples, seed)
            else:
                problems += _check_transitions(strategy, state, event_kind, cell, samples, seed)
    return problems


def sample_inputs(
    strategy: Strategy, state: str, event_kind: str, rng: random.Random, samples: int
) -> Iterator[tuple[Any, Any]]:
    """(context, event) pairs as ``step`` would see them in ``state``; draws of events that
    cannot arrive are skipped. Raises ``SampleError`` if a strategy function raises."""
    domain, sampler = strategy.explore, event_sampler(strategy, event_kind)
    if domain is None or sampler is None:
        return
    for _ in range(samples):
        context = _call("the domain's context sampler", domain.context, rng, state, in_domain=True)
        event = _call(f"the {event_kind} sampler", sampler, rng, context, in_domain=True)
        if event is None:
            continue
        _call("apply_broker_event", apply_broker_event, context, event_kind, event, in_domain=True)
        if strategy.observe is not None:
            _call("observe", strategy.observe, context, event_kind, event)
        yield context, event


def event_sampler(strategy: Strategy, event_kind: str) -> EventSampler | None:
    if strategy.explore is None:
        return None
    return strategy.explore.events.get(event_kind, DEFAULT_SAMPLERS.get(event_kind))


def cell_rng(seed: int, *parts: str) -> random.Random:
    """One generator per cell, so adding a state does not change the draws of another."""
    return random.Random("/".join((str(seed), *parts)))


def _check_transitions(
    strategy: Strategy, state: str, event_kind: str, cell: Any, samples: int, seed: int
) -> list[Problem]:
    guarded = [item for item in transitions(cell) if callable(item.guard)]
    if not guarded:
        return []
    if event_sampler(strategy, event_kind) is None:
        if len(guarded) < 2:
            return []
        message = f"{len(guarded)} guards, but no domain draws {event_kind} events to test them"
        fix = f"declare explore=Domain(context=..., events={{{event_kind!r}: ...}})"
        return [Problem(strategy.name, ProblemKind.NO_DOMAIN, state, event_kind, message, fix)]
    rng = cell_rng(seed, state, event_kind)
    try:
        return _overlaps(strategy, state, event_kind, guarded, rng, samples)
    except SampleError as error:
        return [_raised(strategy, state, event_kind, error)]


def _overlaps(
    strategy: Strategy,
    state: str,
    event_kind: str,
    guarded: list[When],
    rng: random.Random,
    samples: int,
) -> list[Problem]:
    found: dict[tuple[str, str], Problem] = {}
    for context, event in sample_inputs(strategy, state, event_kind, rng, samples):
        true = [item for item in guarded if _ask(item, context, event)]
        for first, second in combinations(true, 2):
            names = (_name(first.guard), _name(second.guard))
            if names not in found:
                message = f"guards {names[0]} and {names[1]} are both true for {event!r}"
                fix = f"make {names[1]} exclude the inputs {names[0]} accepts, or merge them"
                problem = Problem(
                    strategy.name, ProblemKind.OVERLAP, state, event_kind, message, fix
                )
                found[names] = problem
    return list(found.values())


def _check_invalid(
    strategy: Strategy, state: str, event_kind: str, samples: int, seed: int
) -> list[Problem]:
    rng = cell_rng(seed, state, event_kind)
    try:
        arrived = next(sample_inputs(strategy, state, event_kind, rng, samples), None)
    except SampleError as error:
        return [_raised(strategy, state, event_kind, error)]
    if arrived is None:
        return []
    message = f"declared INVALID, but the domain delivers {arrived[1]!r} in {state}"
    fix = "declare a transition or IGNORE, or make the domain's sampler return None here"
    return [Problem(strategy.name, ProblemKind.INVALID_ARRIVES, state, event_kind, message, fix)]


def _ask(transition: When, context: Any, event: Any) -> bool:
    assert transition.guard is not None
    return bool(_call(f"guard {_name(transition.guard)}", transition.guard, context, event))


def _call(role: str, function: Any, *args: Any, in_domain: bool = False) -> Any:
    try:
        return function(*args)
    except Exception as error:
        raise SampleError(role, error, in_domain=in_domain) from error


def _raised(strategy: Strategy, state: str, event_kind: str, error: SampleError) -> Problem:
    kind = ProblemKind.DOMAIN_ERROR if error.in_domain else ProblemKind.RAISED
    fix = f"make {error.role} total over the inputs the domain draws"
    return Problem(strategy.name, kind, state, event_kind, str(error), fix)


def _name(function: Any) -> str:
    return getattr(function, "__name__", repr(function))


# -- default samplers: broker and session events, drawn from the context's open orders --


def _pick_order(rng: random.Random, context: Any) -> tuple[str, Submit] | None:
    if not context.open_orders:
        return None
    client_order_id = rng.choice(sorted(context.open_orders))
    return client_order_id, context.open_orders[client_order_id]


def _fill(rng: random.Random, context: Any, *, partial: bool) -> Fill | None:
    """The context does not record how much of an order has filled already, so a full fill
    is drawn as the whole order and a partial one as a quarter, half or three quarters."""
    picked = _pick_order(rng, context)
    if picked is None:
        return None
    client_order_id, order = picked
    quantity = order.quantity * rng.choice((0.25, 0.5, 0.75)) if partial else order.quantity
    return Fill(
        client_order_id=client_order_id,
        symbol=context.symbol,
        side=order.side,
        quantity=quantity,
        price=order.limit_price or order.stop_price or 100.0,
        commission=0.0,
        ts_ns=_TS_NS,
        remaining=order.quantity - quantity,
        fill_seq=rng.randrange(1_000),
    )


def _filled(rng: random.Random, context: Any) -> Fill | None:
    return _fill(rng, context, partial=False)


def _partially_filled(rng: random.Random, context: Any) -> Fill | None:
    return _fill(rng, context, partial=True)


def _cancelled(rng: random.Random, context: Any) -> OrderCancelled | None:
    picked = _pick_order(rng, context)
    if picked is None:
        return None
    reason = rng.choice((CancelReason.END_OF_DAY, CancelReason.REQUESTED))
    return OrderCancelled(
        client_order_id=picked[0], symbol=context.symbol, reason=reason, ts_ns=_TS_NS
    )


def _rejected(rng: random.Random, context: Any) -> OrderReject | None:
    picked = _pick_order(rng, context)
    if picked is None:
        return None
    return OrderReject(
        client_order_id=picked[0],
        symbol=context.symbol,
        reason=RejectReason.INSUFFICIENT_CASH,
        ts_ns=_TS_NS,
    )


def _session(kind: SessionEventKind) -> EventSampler:
    def draw(rng: random.Random, context: Any) -> SessionEvent:
        return SessionEvent(kind=kind, ts_ns=_TS_NS, session="2024-01-02")

    draw.__name__ = f"sample_{kind.value}"
    return draw


DEFAULT_SAMPLERS: Mapping[str, EventSampler] = {
    FILLED: _filled,
    PARTIALLY_FILLED: _partially_filled,
    CANCELLED: _cancelled,
    REJECTED: _rejected,
    SESSION_OPEN: _session(SessionEventKind.SESSION_OPEN),
    SESSION_CLOSE: _session(SessionEventKind.SESSION_CLOSE),
    END_OF_DAY: _session(SessionEventKind.END_OF_DAY),
}

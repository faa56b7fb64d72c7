"""State inference: after a restart, the broker's snapshot names the one state to resume in.

Theory of operation. The broker is the source of truth; what it knows about one instrument
is a position and some open orders. A strategy declares ``infer(snapshot, symbol) ->
(state, fields)``: the state those facts imply and the context fields they give back
(position, open orders). ``restore`` applies it to a fresh context. The checker proves the
declaration: for every reachable state it draws contexts from the strategy's domain,
derives the snapshot a broker would report for each (``snapshot_from_context``), and
requires ``infer`` to name that state and give back the fields the context holds. Two
states that imply the same snapshot are ambiguous: no ``infer`` can tell them apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tradeswarm.actors.fsm.engine import (
    Infer,
    InstrumentContext,
    Strategy,
)
from tradeswarm.actors.fsm.explore import DEFAULT_SAMPLES, cell_rng
from tradeswarm.actors.fsm.holds import Holds, Order
from tradeswarm.actors.fsm.holds import describe as describe_holdings
from tradeswarm.actors.fsm.intents import Submit
from tradeswarm.actors.fsm.problems import Problem, ProblemKind
from tradeswarm.messages import OpenOrder, OrderStatus, Position, TradingState

Shape = tuple[tuple[Any, ...], ...]


class InferenceError(ValueError):
    """A snapshot no state of the strategy can produce (two orders where one is the most)."""


def snapshot_from_context(context: InstrumentContext, *, cash: float = 0.0) -> TradingState:
    """The broker's view of one instrument's context. The context keeps each order as
    submitted, so ``filled_quantity`` is 0; prices are 0 because inference ignores them."""
    positions = []
    if context.position:
        positions.append(
            Position(
                symbol=context.symbol,
                quantity=context.position,
                average_cost=0.0,
                last_price=0.0,
            )
        )
    orders = [
        _open_order(context.symbol, client_order_id, order)
        for client_order_id, order in sorted(context.open_orders.items())
    ]
    return TradingState(
        request_id="snapshot_from_context",
        cash=cash,
        equity=cash,
        positions=positions,
        open_orders=orders,
        last_ts_ns=0,
        fills=0,
    )


def instrument_fields(snapshot: TradingState, symbol: str) -> dict[str, Any]:
    """The engine's own context fields, read back from a snapshot: what every ``infer``
    recovers, whatever its strategy."""
    position = sum(item.quantity for item in snapshot.positions if item.symbol == symbol)
    orders = {
        order.client_order_id: Submit(
            side=order.side,
            quantity=order.quantity - order.filled_quantity,  # what is still open
            order_type=order.order_type,
            limit_price=order.limit_price,
            stop_price=order.stop_price,
            time_in_force=order.time_in_force,
        )
        for order in snapshot.open_orders
        if order.symbol == symbol
    }
    return {"position": float(position), "open_orders": orders}


def infer_from_holds(declarations: Mapping[str, Holds]) -> Infer:
    """The ``infer`` a strategy's state declarations imply: the one state whose
    declaration the snapshot's position and open orders (remaining quantities) satisfy;
    none, or more than one, is an ``InferenceError`` naming the snapshot and the
    candidates."""

    def infer(snapshot: TradingState, symbol: str) -> tuple[str, dict[str, Any]]:
        fields = instrument_fields(snapshot, symbol)
        position = fields["position"]
        orders = [
            Order(order.side, order.order_type, order.quantity)
            for order in fields["open_orders"].values()
        ]
        matching = [state for state, held in declarations.items() if held.match(position, orders)]
        if len(matching) == 1:
            return matching[0], fields
        seen = describe_holdings(position, orders)
        if not matching:
            declared = "; ".join(f"{state}: {held}" for state, held in declarations.items())
            raise InferenceError(f"{symbol}: no state holds {seen}; declared: {declared}")
        raise InferenceError(f"{symbol}: {seen} is held in {', '.join(matching)} alike")

    return infer


def restore(strategy: Strategy, snapshot: TradingState, symbol: str, context: Any) -> str:
    """Set the fields the snapshot gives back on ``context`` and return the state to resume
    in. Indicators are not in a snapshot: the caller warms them from market-data history."""
    if strategy.infer is None:
        raise InferenceError(f"{strategy.name} declares no infer; it cannot resume from a snapshot")
    state, fields = strategy.infer(snapshot, symbol)
    if state not in strategy.states:
        raise InferenceError(f"{strategy.name}: infer named undeclared state {state!r}")
    for name, value in fields.items():
        setattr(context, name, value)
    return state


def check_inference(
    strategy: Strategy,
    states: Iterable[str],
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
) -> list[Problem]:
    """For each of ``states`` (the reachable ones), ``samples`` contexts must round-trip."""
    if strategy.infer is None:
        fix = "declare infer(snapshot, symbol) -> (state, fields) on the Strategy"
        return [_problem(strategy, ProblemKind.NO_INFER, None, "no infer declared", fix)]
    if strategy.explore is None:
        fix = "declare explore=Domain(context=...) so the checker can draw each state's contexts"
        message = "no domain to draw contexts from, so infer cannot be checked"
        return [_problem(strategy, ProblemKind.NO_DOMAIN, None, message, fix)]
    seen: dict[Shape, str] = {}
    problems: list[Problem] = []
    for state in states:
        problems += _check_state(strategy, state, seen, samples, seed)
    return problems


def _check_state(
    strategy: Strategy, state: str, seen: dict[Shape, str], samples: int, seed: int
) -> list[Problem]:
    assert strategy.explore is not None and strategy.infer is not None
    rng = cell_rng(seed, "infer", state)
    problems: list[Problem] = []
    for _ in range(samples):
        try:
            context = strategy.explore.context(rng, state)
        except Exception as error:
            message = f"the domain's context sampler raised {type(error).__name__}: {error}"
            fix = "make the context sampler total over the declared states"
            return [_problem(strategy, ProblemKind.DOMAIN_ERROR, state, message, fix)]
        snapshot = snapshot_from_context(context)
        other = seen.setdefault(_shape(snapshot), state)
        if other != state:
            message = f"{other} and {state} both imply the snapshot {describe(snapshot)}"
            fix = f"make {other} and {state} differ in what the broker sees, or merge them"
            return [*problems, _problem(strategy, ProblemKind.INFER_AMBIGUOUS, state, message, fix)]
        mismatch = _round_trip(strategy, state, context, snapshot)
        if mismatch is not None:
            return [*problems, mismatch]
    return problems


def _round_trip(
    strategy: Strategy, state: str, context: Any, snapshot: TradingState
) -> Problem | None:
    assert strategy.infer is not None
    try:
        inferred, fields = strategy.infer(snapshot, context.symbol)
    except Exception as error:
        message = f"infer raised {type(error).__name__}: {error} on {describe(snapshot)}"
        fix = f"make infer accept every snapshot {state} implies"
        return _problem(strategy, ProblemKind.INFER_ERROR, state, message, fix)
    if inferred != state:
        message = f"infer names {inferred} for {describe(snapshot)}, a snapshot of {state}"
        fix = f"make infer map the snapshots of {state} to {state}"
        return _problem(strategy, ProblemKind.INFER_MISMATCH, state, message, fix)
    for name, value in fields.items():
        held = getattr(context, name, "<no such field>")
        if held != value:
            message = f"infer gives back {name}={value!r}, but the context held {held!r}"
            fix = f"recover {name} from the snapshot exactly, or do not return it"
            return _problem(strategy, ProblemKind.INFER_MISMATCH, state, message, fix)
    return None


def describe(snapshot: TradingState) -> str:
    """A snapshot in a few words, for one-line reports."""
    positions = ", ".join(f"{item.symbol} {item.quantity:g}" for item in snapshot.positions)
    orders = ", ".join(
        f"{order.side} {order.quantity:g} {order.order_type}" for order in snapshot.open_orders
    )
    return f"(position {positions or 'none'}; open orders {orders or 'none'})"


def _shape(snapshot: TradingState) -> Shape:
    """What two snapshots must share to be indistinguishable: ids, cash and prices aside."""
    positions = sorted((item.symbol, item.quantity) for item in snapshot.positions)
    orders = sorted(
        (
            (
                o.symbol,
                o.side,
                o.quantity,
                o.order_type,
                o.limit_price,
                o.stop_price,
                o.time_in_force,
            )
            for o in snapshot.open_orders
        ),
        key=repr,
    )
    return (tuple(positions), tuple(orders))


def _open_order(symbol: str, client_order_id: str, order: Submit) -> OpenOrder:
    return OpenOrder(
        client_order_id=client_order_id,
        symbol=symbol,
        side=order.side,
        quantity=order.quantity,
        filled_quantity=0.0,
        order_type=order.order_type,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        time_in_force=order.time_in_force,
        status=OrderStatus.ACCEPTED,
    )


def _problem(
    strategy: Strategy, kind: ProblemKind, state: str | None, message: str, fix: str
) -> Problem:
    return Problem(strategy.name, kind, state, None, message, fix)

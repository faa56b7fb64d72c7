"""What the states declare, and what the engine derives from it: inference, the static
ambiguity check, the default INVALID cells, and checks that drive only reachable inputs."""

from __future__ import annotations

from typing import Any

import pytest

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import When
from tradeswarm.actors.fsm.check import check
from tradeswarm.actors.fsm.driver import walk
from tradeswarm.actors.fsm.holds import Order, overlaps
from tradeswarm.actors.fsm.infer import InferenceError, snapshot_from_context
from tradeswarm.actors.fsm.problems import ProblemKind
from tradeswarm.messages import (
    OpenOrder,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
    TradingState,
)
from tradeswarm.scenarios.strategies import LIBRARY, long_short, resolve_strategy


def snapshot(position: float, *orders: tuple[Side, float, float]) -> TradingState:
    """A broker's snapshot of SYM: a position, and orders as (side, quantity, filled)."""
    return TradingState(
        request_id="t",
        cash=0.0,
        equity=0.0,
        positions=[Position(symbol="SYM", quantity=position, average_cost=0, last_price=0)]
        if position
        else [],
        open_orders=[
            OpenOrder(
                client_order_id=f"SYM-{index}",
                symbol="SYM",
                side=side,
                quantity=quantity,
                filled_quantity=filled,
                order_type=OrderType.MARKET,
                limit_price=None,
                stop_price=None,
                time_in_force=TimeInForce.GTC,
                status=OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.ACCEPTED,
            )
            for index, (side, quantity, filled) in enumerate(orders)
        ],
        last_ts_ns=0,
        fills=0,
    )


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_library_strategy_is_inferred_from_its_declarations_wherever_a_run_goes(
    name: str,
) -> None:
    strategy = resolve_strategy(name)
    assert strategy.infer is not None and strategy.holds
    reached = set()
    for index in range(15):
        for visit in walk(strategy, seed=7, index=index):
            assert visit.error is None, visit.error
            assert visit.result is not None
            context = visit.context
            state, fields = strategy.infer(snapshot_from_context(context), "SYM")
            assert state == visit.result.state
            assert fields["open_orders"] == context.open_orders
            reached.add(state)
    assert reached == set(strategy.states)


def test_long_short_part_filled_flattening_order_is_still_flatten_pending() -> None:
    """Long 100, flattening: sell 100, of which 40 filled. The broker reports quantity 100
    and filled 40; what is open (60) brings the position (60) to zero."""
    strategy = long_short.STRATEGY
    assert strategy.infer is not None
    state, fields = strategy.infer(snapshot(60.0, (Side.SELL, 100.0, 40.0)), "SYM")
    assert state == long_short.FLATTEN_PENDING
    assert fields["open_orders"]["SYM-0"].quantity == 60.0


def test_a_flip_order_part_filled_stays_a_flip() -> None:
    strategy = long_short.STRATEGY
    assert strategy.infer is not None
    # short 100 -> long 100 is a buy of 200; 150 filled: long 50, 50 still to buy
    assert strategy.infer(snapshot(50.0, (Side.BUY, 200.0, 150.0)), "SYM")[0] == "LONG_PENDING"


def test_a_snapshot_no_state_holds_names_the_snapshot_and_the_declarations() -> None:
    strategy = resolve_strategy("sma_crossover")
    assert strategy.infer is not None
    with pytest.raises(InferenceError, match=r"no state holds \(position -5; open orders none\)"):
        strategy.infer(snapshot(-5.0), "SYM")


def _toy(states: dict[str, Any], table: dict[tuple[str, str], Any]) -> fsm.Strategy:
    return fsm.strategy("toy", states=states, table=table)


def test_two_declarations_one_snapshot_satisfies_are_ambiguous() -> None:
    states = {
        "FLAT": fsm.flat(),
        "BUYING": fsm.holds("flat", "long", orders=[fsm.buy()]),
        "HEDGING": fsm.long(fsm.buy(OrderType.LIMIT)),
    }
    (first, second, seen) = next(overlaps(states))
    assert (first, second) == ("BUYING", "HEDGING")
    assert seen == "(position 100; open orders buy 50 limit)"
    table = {
        ("FLAT", fsm.BAR): [When("FLAT")],
        **fsm.pending("BUYING", filled="FLAT", flat="FLAT"),
        **fsm.pending("HEDGING", filled="FLAT", flat="FLAT"),
    }
    problems = [p for p in check(_toy(states, table)) if p.kind is ProblemKind.INFER_AMBIGUOUS]
    assert [(p.state, "BUYING and HEDGING both hold" in p.message) for p in problems] == [
        ("HEDGING", True)
    ]


def test_declarations_that_differ_in_side_type_or_closing_do_not_overlap() -> None:
    states = {
        "A": fsm.long(fsm.sell(closes=True)),
        "B": fsm.long(fsm.sell(closes=False)),
        "C": fsm.long(fsm.buy()),
        "D": fsm.long(fsm.sell(OrderType.STOP, closes=True), fsm.sell(OrderType.MARKET)),
    }
    assert list(overlaps(states)) == []
    assert states["A"].match(60.0, [Order(Side.SELL, OrderType.LIMIT, 60.0)])
    assert not states["A"].match(60.0, [Order(Side.SELL, OrderType.LIMIT, 100.0)])


def test_broker_events_in_a_state_without_orders_default_to_invalid_and_are_marked() -> None:
    strategy = resolve_strategy("sma_crossover")
    for event in fsm.BROKER_EVENTS:
        assert strategy.table[("FLAT", event)] is fsm.INVALID
        assert ("FLAT", event) in strategy.derived
        assert ("ENTRY_PENDING", event) not in strategy.derived  # written by pending()


def test_a_missing_broker_cell_where_an_order_can_be_open_is_still_reported() -> None:
    states = {"FLAT": fsm.flat(), "WAIT": fsm.holds("flat", "long", orders=[fsm.buy()])}
    table = {("FLAT", fsm.BAR): [When("FLAT")], ("WAIT", fsm.BAR): fsm.IGNORE}
    missing = {
        (p.state, p.event) for p in check(_toy(states, table)) if p.kind.value == "missing-cell"
    }
    assert missing == {("WAIT", event) for event in fsm.BROKER_EVENTS}


def _fails_on_short(ctx: fsm.Context, bar: fsm.Bar) -> bool:
    assert ctx.position >= 0, "a long-only table is never short"
    return False


def _buy_ten(ctx: fsm.Context, bar: fsm.Bar) -> list[fsm.Intent]:
    return [fsm.Submit(fsm.Side.BUY, 10)]


def _sell_all(ctx: fsm.Context, bar: fsm.Bar) -> list[fsm.Intent]:
    return fsm.order_target(ctx, 0)


def test_exploration_reaches_only_what_a_run_can_reach() -> None:
    """A guard that fails on a short position never fails: no driven run of a long-only
    table is ever short (a sampler drawing positions at random would say otherwise)."""
    states = {
        "FLAT": fsm.flat(),
        "WAIT": fsm.holds("flat", "long", orders=[fsm.buy()]),
        "LONG": fsm.long(),
        "EXIT": fsm.long(fsm.sell(closes=True)),
    }
    table = {
        ("FLAT", fsm.BAR): [When("WAIT", action=_buy_ten)],
        ("LONG", fsm.BAR): [When("LONG", _fails_on_short), When("EXIT", action=_sell_all)],
        **fsm.pending("WAIT", filled="LONG", flat="FLAT", long="LONG"),
        **fsm.pending("EXIT", filled="FLAT", flat="FLAT", long="LONG"),
    }
    assert check(_toy(states, table)) == []


def test_a_transition_into_a_state_that_does_not_hold_what_the_broker_holds_is_reported() -> None:
    states = {"FLAT": fsm.flat(), "LONG": fsm.long()}
    table = {
        ("FLAT", fsm.BAR): [When("LONG", action=_buy_ten)],  # LONG with the buy still open
        ("LONG", fsm.BAR): [When("LONG")],
    }
    problems = [p for p in check(_toy(states, table)) if p.kind is ProblemKind.DECLARATION]
    assert problems and problems[0].state == "FLAT" and problems[0].event == "bar"
    assert "goes to LONG, which declares long; no open order, while the broker holds" in (
        problems[0].message
    )

"""What a strategy author touches: the one public module, typed params, sizing, and errors in
user code told as the user's, with the user's line."""

from __future__ import annotations

import math

import pytest

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import When
from tradeswarm.actors.fsm.context import Account, PortfolioUnavailable
from tradeswarm.actors.fsm.engine import step
from tradeswarm.actors.fsm.errors import StrategyError
from tradeswarm.actors.fsm.params import ParamsError, convert_params
from tradeswarm.messages import Bar, Side

PUBLIC = [
    "BAR", "BROKER_EVENTS", "CANCELLED", "END_OF_DAY", "FILLED", "IGNORE", "INVALID",
    "PARTIALLY_FILLED", "REJECTED", "SESSION_CLOSE", "SESSION_EVENTS", "SESSION_OPEN",
    "STANDARD_EVENTS", "TIMER", "Bands", "Bar", "Cancel", "Context", "Domain", "Fill",
    "Indicator", "Intent", "OrderType", "Params", "PeerSignal", "Portfolio", "Replace", "Side",
    "Signal", "Strategy", "Submit", "TimeInForce", "Walks", "When", "atr", "bollinger", "buy",
    "by_position", "cells", "closing", "crossover", "ema", "flat", "holds", "long", "order",
    "order_percent", "order_target", "order_target_percent", "order_target_value", "order_value",
    "pending", "rsi", "sell", "short", "sma", "strategy", "zscore",
]  # fmt: skip


def test_the_authors_module_exports_exactly_its_public_names() -> None:
    assert fsm.__all__ == PUBLIC
    assert all(hasattr(fsm, name) for name in PUBLIC)


class SomeParams(fsm.Params):
    fast: int = 10
    size: float = 1.0

    def validate(self) -> None:
        if self.fast < 1:
            raise ValueError("needs fast >= 1")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"fsat": 5},
            "key 'strategy.params.fsat': unknown parameter; the parameters are fast, size",
        ),
        ({"fast": 10.7}, "key 'strategy.params.fast': expected `int`, got `float`"),
        ({"size": "x"}, "key 'strategy.params.size': expected `float`, got `str`"),
        ({"size": math.nan}, "key 'strategy.params.size': is nan, not a finite number"),
        ({"fast": 0}, "needs fast >= 1"),
    ],
)
def test_params_a_strategy_cannot_take_are_errors_naming_the_key(
    raw: dict[str, object], message: str
) -> None:
    with pytest.raises(ParamsError) as raised:
        convert_params(SomeParams, raw)
    assert str(raised.value) == message


def test_params_take_defaults_and_ints_for_floats() -> None:
    assert convert_params(SomeParams, {"size": 2}) == SomeParams(fast=10, size=2.0)


def context(position: float = 0.0, close: float = 40.0, equity: float = 10_000.0) -> fsm.Context:
    ctx = fsm.Context(symbol="SYM", position=position, reads_portfolio=True)
    ctx.bar = Bar(symbol="SYM", ts_ns=5, open=close, high=close, low=close, close=close, volume=1)
    ctx.account = Account(5, cash=equity - position * close, equity=equity)
    return ctx


def shares(intents: list[fsm.Intent]) -> float:
    if not intents:
        return 0.0
    (submit,) = intents
    assert isinstance(submit, fsm.Submit)
    return submit.quantity if submit.side is Side.BUY else -submit.quantity


@pytest.mark.parametrize(
    ("sized", "expected"),
    [
        (lambda c: fsm.order(c, 12.9), 12.0),  # toward zero, whole shares
        (lambda c: fsm.order(c, -12.9), -12.0),
        (lambda c: fsm.order(c, 2.9999999999), 3.0),  # float noise is not a lost share
        (lambda c: fsm.order_value(c, 1_000.0), 25.0),  # 1000 / 40
        (lambda c: fsm.order_percent(c, 0.5), 125.0),  # 0.5 * 10000 / 40
        (lambda c: fsm.order_target(c, 30.0), 20.0),  # from 10 held
        (lambda c: fsm.order_target_value(c, 200.0), -5.0),  # 5 shares of 40, from 10
        (lambda c: fsm.order_target_percent(c, 0.1), 15.0),  # 1000 / 40 = 25, from 10
        (lambda c: fsm.order_target(c, 10.0), 0.0),  # already there: nothing to send
    ],
)
def test_sizing_follows_zipline(sized: object, expected: float) -> None:
    assert shares(sized(context(position=10.0))) == expected  # type: ignore[operator]


def test_fractional_shares_are_kept_where_the_broker_allows_them() -> None:
    ctx = context()
    ctx.allow_fractional = True
    assert shares(fsm.order_value(ctx, 1_010.0)) == 25.25


def test_the_portfolio_is_refused_to_a_strategy_that_does_not_declare_it() -> None:
    ctx = context()
    ctx.reads_portfolio = False
    with pytest.raises(PortfolioUnavailable, match="declare reads_portfolio=True"):
        fsm.order_percent(ctx, 0.5)


def test_the_portfolio_of_an_older_bar_is_not_used() -> None:
    ctx = context()
    ctx.account = Account(4, 1.0, 1.0)
    with pytest.raises(PortfolioUnavailable, match="have not arrived"):
        _ = ctx.portfolio


def _divides(ctx: fsm.Context, bar: Bar) -> bool:
    return 1 / 0 > 1


def _bare(ctx: fsm.Context, bar: Bar) -> fsm.Submit:
    return fsm.Submit(Side.BUY, 1)


def _nothing(ctx: fsm.Context, bar: Bar) -> list[fsm.Intent]:
    return [fsm.Submit(Side.BUY, 0)]


def _one_state(cell: list[When]) -> fsm.Strategy:
    return fsm.strategy("mine", states={"FLAT": fsm.flat()}, table={("FLAT", fsm.BAR): cell})


BAR_5 = Bar(symbol="SYM", ts_ns=5, open=1, high=1, low=1, close=1, volume=1)


def test_a_guard_that_raises_is_the_users_error_with_the_users_line() -> None:
    strategy = _one_state([When("FLAT", _divides), When("FLAT")])
    with pytest.raises(StrategyError) as raised:
        step(strategy, "FLAT", fsm.BAR, BAR_5, strategy.new_context("SYM", {}))
    text = raised.value.describe("2024-01-02T15:00:00Z")
    assert text.startswith(
        "strategy mine: SYM at 2024-01-02T15:00:00Z, in state FLAT on event bar: guard "
        "_divides raised ZeroDivisionError: division by zero (test_authoring.py:"
    )
    assert text.endswith("in _divides: return 1 / 0 > 1)")


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        (_bare, "returned a Submit, not a list of intents; return [Submit(...)], a list"),
        (_nothing, "returned a Submit of quantity 0; a quantity is positive and finite"),
    ],
)
def test_an_action_that_returns_what_cannot_be_sent_is_the_users_error(
    action: object, problem: str
) -> None:
    strategy = _one_state([When("FLAT", action=action)])  # type: ignore[arg-type]
    with pytest.raises(StrategyError) as raised:
        step(strategy, "FLAT", fsm.BAR, BAR_5, strategy.new_context("SYM", {}))
    assert str(raised.value).endswith(problem)


def test_a_warmup_is_the_longest_of_the_indicators() -> None:
    strategy = fsm.strategy(
        "warm",
        states={"FLAT": fsm.flat()},
        table={("FLAT", fsm.BAR): [When("FLAT")]},
        params=SomeParams,
        indicators=lambda p: {"a": fsm.sma(p.fast), "b": fsm.rsi(14)},
    )
    assert strategy.warmup is not None
    assert strategy.warmup({"fast": 30}) == 30
    assert strategy.warmup({}) == 15

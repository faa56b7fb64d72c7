"""Slippage and commission models: each formula on numbers worked by hand, then through
the book (volume caps across bars and orders, per-order commission minimums)."""

from __future__ import annotations

import msgspec
import pytest

from tests.actors.broker.helpers import T1, T2, T3, T4, flat, make_book, request
from tradeswarm.actors.broker.models import (
    COMMISSION_MODELS,
    SLIPPAGE_MODELS,
    Execution,
    FixedBasisPointsSlippage,
    NoCommission,
    NoSlippage,
    PerDollar,
    PerShare,
    PerTrade,
    VolumeShareSlippage,
)
from tradeswarm.actors.broker.settings import BrokerSettings
from tradeswarm.messages import Fill, Side

BAR = flat(T2, 100.0, volume=1_000.0)


def execute(model: object, side: Side, quantity: float, used: float = 0.0) -> Execution | None:
    return model.execute(  # type: ignore[attr-defined,no-any-return]
        side=side, quantity=quantity, price=100.0, bar=BAR, volume_used=used
    )


# Slippage


@pytest.mark.parametrize("side", list(Side))
def test_no_slippage_fills_everything_at_the_price(side: Side) -> None:
    assert execute(NoSlippage(), side, 1e6) == Execution(100.0, 1e6)


@pytest.mark.parametrize(("side", "price"), [(Side.BUY, 100.05), (Side.SELL, 99.95)])
def test_fixed_basis_points_moves_the_price_against_the_order(side: Side, price: float) -> None:
    execution = execute(FixedBasisPointsSlippage(), side, 10.0)
    assert execution is not None
    assert execution.price == pytest.approx(price)  # 5 bp of 100
    assert execution.quantity == 10.0


@pytest.mark.parametrize(
    ("used", "quantity"), [(0.0, 100.0), (60.0, 40.0), (100.0, None), (150.0, None)]
)
def test_fixed_basis_points_caps_the_quantity_at_its_share_of_the_bars_volume(
    used: float, quantity: float | None
) -> None:
    execution = execute(FixedBasisPointsSlippage(), Side.BUY, 500.0, used)  # 10 % of 1,000
    assert (execution.quantity if execution else None) == quantity


def test_fixed_basis_points_without_a_volume_limit_fills_everything() -> None:
    model = FixedBasisPointsSlippage(volume_limit=None)
    assert execute(model, Side.BUY, 1e6) == Execution(pytest.approx(100.05), 1e6)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("side", "quantity", "used", "expected"),
    [
        # 10 of 1,000 shares: share 0.01, impact 0.1 * 0.01^2 = 1e-5
        (Side.BUY, 10.0, 0.0, Execution(100.0 * (1 + 1e-5), 10.0)),
        (Side.SELL, 10.0, 0.0, Execution(100.0 * (1 - 1e-5), 10.0)),
        # capped at 2.5 % of 1,000 = 25 shares: share 0.025, impact 6.25e-5
        (Side.BUY, 100.0, 0.0, Execution(100.0 * (1 + 6.25e-5), 25.0)),
        # 15 shares traded already: 10 more, share (15 + 10) / 1,000
        (Side.BUY, 100.0, 15.0, Execution(100.0 * (1 + 6.25e-5), 10.0)),
        # 5 + 5 shares: share 0.01 for the second order too
        (Side.SELL, 5.0, 5.0, Execution(100.0 * (1 - 1e-5), 5.0)),
    ],
)
def test_volume_share_impact_grows_with_the_square_of_the_volume_share(
    side: Side, quantity: float, used: float, expected: Execution
) -> None:
    execution = execute(VolumeShareSlippage(), side, quantity, used)
    assert execution is not None
    assert execution.price == pytest.approx(expected.price, rel=1e-12)
    assert execution.quantity == pytest.approx(expected.quantity)


@pytest.mark.parametrize("used", [25.0, 30.0])
def test_volume_share_trades_nothing_once_the_bars_share_is_used(used: float) -> None:
    assert execute(VolumeShareSlippage(), Side.BUY, 10.0, used) is None


def test_volume_share_trades_nothing_on_a_bar_without_volume() -> None:
    model = VolumeShareSlippage()
    empty = flat(T2, 100.0, volume=0.0)
    assert model.execute(side=Side.BUY, quantity=1.0, price=100.0, bar=empty, volume_used=0) is None


# Commission


@pytest.mark.parametrize(
    ("fills", "commissions"),
    [
        ([100.0], [1.0]),  # minimum
        ([2_000.0], [2.0]),  # 2,000 * 0.001
        ([500.0, 500.0, 500.0], [1.0, 0.0, 0.5]),  # 0.5 < 1 paid; 1.0 = 1 paid; 1.5 - 1
        ([1_500.0, 500.0], [1.5, 0.5]),
    ],
)
def test_per_share_charges_per_order_with_the_minimum_once(
    fills: list[float], commissions: list[float]
) -> None:
    model = PerShare(cost=0.001, min_trade_cost=1.0)
    filled = paid = 0.0
    charged = []
    for quantity in fills:
        commission = model.calculate(
            quantity=quantity, price=10.0, filled_before=filled, paid_before=paid
        )
        charged.append(commission)
        filled, paid = filled + quantity, paid + commission
    assert charged == pytest.approx(commissions)


def test_per_trade_charges_its_cost_on_the_first_fill_only() -> None:
    model = PerTrade(cost=5.0)
    assert model.calculate(quantity=10, price=10.0, filled_before=0, paid_before=0) == 5.0
    assert model.calculate(quantity=10, price=10.0, filled_before=10, paid_before=5) == 0.0


def test_per_dollar_charges_a_fraction_of_the_traded_value() -> None:
    model = PerDollar()  # 15 bp
    commission = model.calculate(quantity=100, price=50.0, filled_before=0, paid_before=0)
    assert commission == pytest.approx(7.5)


def test_no_commission_is_free() -> None:
    assert NoCommission().calculate(quantity=1e6, price=1e3, filled_before=0, paid_before=0) == 0


def test_every_model_is_named_for_scenario_files_and_builds_with_its_defaults() -> None:
    assert sorted(SLIPPAGE_MODELS) == ["fixed_basis_points", "none", "volume_share"]
    assert sorted(COMMISSION_MODELS) == ["none", "per_dollar", "per_share", "per_trade"]
    for model_type in [*SLIPPAGE_MODELS.values(), *COMMISSION_MODELS.values()]:
        model_type()


# Settings


def test_the_default_settings_have_no_slippage_and_no_commission() -> None:
    settings = BrokerSettings()
    assert (settings.slippage, settings.commission) == (NoSlippage(), NoCommission())


def test_settings_travel_as_plain_msgpack_and_come_back_equal() -> None:
    settings = BrokerSettings(
        slippage=VolumeShareSlippage(volume_limit=0.01), commission=PerTrade(cost=1.0)
    )
    data = msgspec.msgpack.encode(settings)
    assert msgspec.msgpack.decode(data, type=BrokerSettings) == settings


# Through the book


def test_a_volume_cap_fills_an_order_over_several_bars_at_each_bars_open() -> None:
    book = make_book(slippage=FixedBasisPointsSlippage(basis_points=0.0, volume_limit=0.1))
    book.accept(request("o", Side.BUY, 250.0), T1, None)
    emitted = [
        *book.match(flat(T2, 10.0, volume=1_000.0)),
        *book.match(flat(T3, 11.0, volume=1_000.0)),
        *book.match(flat(T4, 12.0, volume=1_000.0)),
    ]
    assert [(f.quantity, f.price, f.remaining) for f in emitted if isinstance(f, Fill)] == [
        (100.0, 10.0, 150.0),
        (100.0, 11.0, 50.0),
        (50.0, 12.0, 0.0),
    ]
    assert book.cash == 100_000.0 - 1_000.0 - 1_100.0 - 600.0
    assert not book.has_open_orders()


def test_orders_of_one_symbol_share_a_bars_volume_in_seq_order() -> None:
    book = make_book(slippage=FixedBasisPointsSlippage(basis_points=0.0, volume_limit=0.1))
    book.accept(request("late", Side.BUY, 80.0, seq=2), T1, None)
    book.accept(request("early", Side.SELL, 70.0, seq=1), T1, None)
    emitted = book.match(flat(T2, 10.0, volume=1_000.0))
    assert [(f.client_order_id, f.quantity) for f in emitted if isinstance(f, Fill)] == [
        ("early", 70.0),
        ("late", 30.0),
    ]


def test_a_capped_fill_is_whole_shares_unless_fractions_are_allowed() -> None:
    model = FixedBasisPointsSlippage(basis_points=0.0, volume_limit=0.025)
    whole = make_book(slippage=model)
    fractional = make_book(slippage=model, allow_fractional=True)
    for book in (whole, fractional):
        book.accept(request("o", Side.BUY, 100.0), T1, None)
    (fill,) = whole.match(flat(T2, 10.0, volume=999.0))  # 2.5 % = 24.975 shares
    (part,) = fractional.match(flat(T2, 10.0, volume=999.0))
    assert isinstance(fill, Fill) and isinstance(part, Fill)
    assert (fill.quantity, part.quantity) == (24.0, pytest.approx(24.975))


def test_a_bar_whose_cap_is_less_than_a_share_fills_nothing() -> None:
    book = make_book(slippage=VolumeShareSlippage())
    book.accept(request("o", Side.BUY, 10.0), T1, None)
    assert book.match(flat(T2, 10.0, volume=30.0)) == []  # 0.75 shares
    assert book.status("o").filled_quantity == 0.0  # type: ignore[union-attr]


def test_the_per_share_minimum_is_paid_once_across_an_orders_partial_fills() -> None:
    book = make_book(
        slippage=FixedBasisPointsSlippage(basis_points=0.0, volume_limit=0.1),
        commission=PerShare(cost=0.001, min_trade_cost=1.0),
    )
    book.accept(request("o", Side.BUY, 300.0), T1, None)
    commissions = [
        fill.commission
        for bar in (flat(T2, 10.0), flat(T3, 10.0), flat(T4, 10.0))
        for fill in book.match(bar)
        if isinstance(fill, Fill)
    ]
    assert commissions == [1.0, 0.0, 0.0]
    assert book.cash == pytest.approx(100_000.0 - 3_000.0 - 1.0)

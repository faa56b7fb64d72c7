"""Slippage and commission: one small protocol per concern, one class per rule.

The models follow zipline's ``finance/slippage.py`` and ``finance/commission.py`` but hold
no state: what they need to know about earlier fills (the volume already traded against
this bar, what an order has filled and paid so far) the book passes in. So a model can be
shared by every order and every run, and a replayed book computes the same numbers. Each is
a frozen ``msgspec`` struct tagged (``model``) by the name a scenario uses for it, so broker
settings reach a child process as plain msgpack and a scenario table converts with its
types checked.

Prices are dollars per share, quantities shares, volumes shares per bar; ``volume_limit``
is a fraction of the bar's volume (0.025 = 2.5 %), ``None`` meaning no cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

import msgspec

from tradeswarm.messages import Bar, Side


@dataclass(frozen=True, slots=True)
class Execution:
    """What a slippage model lets an order trade on one bar: ``quantity`` shares at ``price``."""

    price: float
    quantity: float


class SlippageModel(Protocol):
    def execute(
        self, *, side: Side, quantity: float, price: float, bar: Bar, volume_used: float
    ) -> Execution | None:
        """How much of ``quantity`` (shares still open) trades on ``bar`` and at what price,
        given the order's reference ``price`` and the ``volume_used`` by earlier fills on
        this bar; ``None`` when nothing trades."""
        ...


class CommissionModel(Protocol):
    def calculate(
        self, *, quantity: float, price: float, filled_before: float, paid_before: float
    ) -> float:
        """The commission in dollars of one fill of ``quantity`` shares at ``price``, for an
        order that had filled ``filled_before`` shares and paid ``paid_before`` dollars."""
        ...


def _signed(side: Side) -> float:
    return 1.0 if side is Side.BUY else -1.0


def _capacity(volume_limit: float | None, bar: Bar, volume_used: float) -> float:
    """Shares still tradable on ``bar``: ``volume_limit * bar.volume - volume_used``."""
    if volume_limit is None:
        return float("inf")
    return max(0.0, volume_limit * bar.volume - volume_used)


# -- slippage -------------------------------------------------------------------------------


class NoSlippage(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="none",
    tag_field="model",
):
    """Everything fills at the reference price: ``fill_price = price``, no volume cap."""

    def execute(
        self, *, side: Side, quantity: float, price: float, bar: Bar, volume_used: float
    ) -> Execution | None:
        return Execution(price, quantity) if quantity > 0 else None


class FixedBasisPointsSlippage(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="fixed_basis_points",
    tag_field="model",
):
    """A fixed cost per share, buys pay more and sells receive less:

    ``fill_price = price * (1 ± basis_points / 10_000)``;
    ``fill_quantity = min(quantity, volume_limit * bar.volume - volume_used)``.
    """

    basis_points: float = 5.0  # 1 bp = 0.01 % of the price
    volume_limit: float | None = 0.1  # fraction of the bar's volume; None: no cap

    def execute(
        self, *, side: Side, quantity: float, price: float, bar: Bar, volume_used: float
    ) -> Execution | None:
        quantity = min(quantity, _capacity(self.volume_limit, bar, volume_used))
        if quantity <= 0:
            return None
        return Execution(price * (1.0 + _signed(side) * self.basis_points / 10_000.0), quantity)


class VolumeShareSlippage(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="volume_share",
    tag_field="model",
):
    """The price moves with the square of the order's share of the bar's volume (zipline):

    ``fill_quantity = min(quantity, volume_limit * bar.volume - volume_used)``;
    ``volume_share = min((volume_used + fill_quantity) / bar.volume, volume_limit)``;
    ``fill_price = price * (1 ± price_impact * volume_share ** 2)``.

    A bar without volume trades nothing.
    """

    volume_limit: float = 0.025  # fraction of the bar's volume
    price_impact: float = 0.1  # scales the squared volume share into a price fraction

    def execute(
        self, *, side: Side, quantity: float, price: float, bar: Bar, volume_used: float
    ) -> Execution | None:
        if bar.volume <= 0:
            return None
        quantity = min(quantity, _capacity(self.volume_limit, bar, volume_used))
        if quantity <= 0:
            return None
        volume_share = min((volume_used + quantity) / bar.volume, self.volume_limit)
        impact = _signed(side) * self.price_impact * volume_share**2
        return Execution(price * (1.0 + impact), quantity)


# -- commission -----------------------------------------------------------------------------


class NoCommission(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="none",
    tag_field="model",
):
    """Trading is free: ``commission = 0``."""

    def calculate(
        self, *, quantity: float, price: float, filled_before: float, paid_before: float
    ) -> float:
        return 0.0


class PerShare(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="per_share",
    tag_field="model",
):
    """A cost per share with a minimum per order, spread over its fills (zipline):

    ``commission = max(min_trade_cost, cost * (filled_before + quantity)) - paid_before``,

    so the first fill pays at least the minimum and later fills pay only once the per-share
    total exceeds what was paid.
    """

    cost: float = 0.001  # dollars per share
    min_trade_cost: float = 0.0  # dollars per order

    def calculate(
        self, *, quantity: float, price: float, filled_before: float, paid_before: float
    ) -> float:
        total = max(self.min_trade_cost, self.cost * (filled_before + quantity))
        return max(0.0, total - paid_before)


class PerTrade(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="per_trade",
    tag_field="model",
):
    """A flat cost per order, paid on its first fill:

    ``commission = cost if filled_before == 0 else 0``.
    """

    cost: float = 0.0  # dollars per order

    def calculate(
        self, *, quantity: float, price: float, filled_before: float, paid_before: float
    ) -> float:
        return self.cost if filled_before == 0 else 0.0


class PerDollar(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="per_dollar",
    tag_field="model",
):
    """A fraction of the traded value: ``commission = cost * quantity * price``.

    In basis points of the traded value, ``cost = basis_points / 10_000`` (0.0015 = 15 bp).
    """

    cost: float = 0.0015  # dollars per dollar traded

    def calculate(
        self, *, quantity: float, price: float, filled_before: float, paid_before: float
    ) -> float:
        return self.cost * quantity * price


Slippage = NoSlippage | FixedBasisPointsSlippage | VolumeShareSlippage
Commission = NoCommission | PerShare | PerTrade | PerDollar

SLIPPAGE_MODELS: Final[dict[str, type[Slippage]]] = {
    "none": NoSlippage,
    "fixed_basis_points": FixedBasisPointsSlippage,
    "volume_share": VolumeShareSlippage,
}
"""The slippage models by the name a scenario file uses for them."""

COMMISSION_MODELS: Final[dict[str, type[Commission]]] = {
    "none": NoCommission,
    "per_share": PerShare,
    "per_trade": PerTrade,
    "per_dollar": PerDollar,
}
"""The commission models by the name a scenario file uses for them."""

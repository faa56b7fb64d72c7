"""What a broker simulator is configured with: cash, fill timing, costs, session rules.

Defaults keep the plain behaviour: market orders fill whole at the next bar's open, no
slippage, no commission, no volume cap. The three older cost fields still work and map
onto the models: ``slippage_bps`` onto ``FixedBasisPointsSlippage(basis_points=slippage_bps,
volume_limit=None)``, ``commission_per_share``/``commission_minimum`` onto
``PerShare(cost=commission_per_share, min_trade_cost=commission_minimum)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tradeswarm.actors.broker.models import (
    CommissionModel,
    FixedBasisPointsSlippage,
    NoCommission,
    NoSlippage,
    PerShare,
    SlippageModel,
)

MINUTE_NS = 60 * 10**9


class FillTiming(StrEnum):
    NEXT_OPEN = "next_open"
    SAME_CLOSE = "same_close"


@dataclass(frozen=True)
class BrokerSettings:
    starting_cash: float = 100_000.0  # dollars
    fill_at: FillTiming = FillTiming.NEXT_OPEN
    commission_per_share: float = 0.0  # dollars per share; older spelling of ``commission``
    commission_minimum: float = 0.0  # dollars per order; older spelling of ``commission``
    slippage_bps: float = 0.0  # basis points of the price; older spelling of ``slippage``
    slippage: SlippageModel = field(default_factory=NoSlippage)
    commission: CommissionModel = field(default_factory=NoCommission)
    allow_fractional: bool = False  # whole shares only, unless set
    last_minute_ns: int = MINUTE_NS  # orders decided this close to the session close cancel
    resubmit_next_session: bool = False  # re-submit last-minute cancels at the next open

    def __post_init__(self) -> None:
        if self.slippage_bps:
            if not isinstance(self.slippage, NoSlippage):
                raise ValueError("set either slippage_bps or a slippage model, not both")
            slippage = FixedBasisPointsSlippage(basis_points=self.slippage_bps, volume_limit=None)
            object.__setattr__(self, "slippage", slippage)
        if self.commission_per_share or self.commission_minimum:
            if not isinstance(self.commission, NoCommission):
                raise ValueError(
                    "set either commission_per_share/commission_minimum or a commission "
                    "model, not both"
                )
            commission = PerShare(
                cost=self.commission_per_share, min_trade_cost=self.commission_minimum
            )
            object.__setattr__(self, "commission", commission)

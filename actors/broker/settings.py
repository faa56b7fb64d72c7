"""What a broker simulator is configured with: cash, fill timing, costs, session rules.

Defaults keep the plain behaviour: market orders fill whole at the next bar's open, no
slippage, no commission, no volume cap. A frozen ``msgspec`` struct, so the settings a
runner made reach a broker in another process as plain msgpack, exactly.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from tradeswarm.actors.broker.models import Commission, NoCommission, NoSlippage, Slippage

MINUTE_NS = 60 * 10**9


class FillTiming(StrEnum):
    NEXT_OPEN = "next_open"
    SAME_CLOSE = "same_close"


class BrokerSettings(msgspec.Struct, frozen=True, kw_only=True):
    starting_cash: float = 100_000.0  # dollars
    fill_at: FillTiming = FillTiming.NEXT_OPEN
    slippage: Slippage = msgspec.field(default_factory=NoSlippage)
    commission: Commission = msgspec.field(default_factory=NoCommission)
    allow_fractional: bool = False  # whole shares only, unless set
    last_minute_ns: int = MINUTE_NS  # orders decided this close to the session close cancel
    resubmit_next_session: bool = False  # re-submit last-minute cancels at the next open

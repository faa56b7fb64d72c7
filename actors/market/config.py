"""What a market-data actor is started with: typed, and plain msgpack on the way to a child
process, so a mistake is found where the plan is made, not in the child."""

from __future__ import annotations

import msgspec

from tradeswarm.actors.market.sources import BarSource
from tradeswarm.messages import MARKET_DATA_NAME


class MarketDataConfig(msgspec.Struct, frozen=True, kw_only=True, tag="market_data"):
    source: BarSource
    expected_subscriptions: int  # every subscription the swarm makes, before publishing
    calendar: str = ""  # exchange_calendars name; "" reads the sessions off the bars
    timer_seconds: float = 0.0  # a timer event this often within each session; 0: none
    name: str = MARKET_DATA_NAME

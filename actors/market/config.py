"""What a market-data actor is started with: typed, and plain msgpack on the way to a child
process, so a mistake is found where the plan is made, not in the child. Light on purpose:
every node process imports the configs, and only the market data needs numpy."""

from __future__ import annotations

import msgspec

from tradeswarm.actors.market.layout import Layout
from tradeswarm.messages import MARKET_DATA_NAME


class FileSource(msgspec.Struct, frozen=True, kw_only=True, tag="files"):
    """Bars from files users have (CSV, gzip CSV, Parquet), read as ``layout`` says.

    ``paths`` maps each symbol to its file; symbols sharing a path are read from one long
    file with a symbol column. ``final_ratios`` and ``bar_seconds`` are what the runner's
    scan found (``actors.market.scan``), so the market data never reads a file twice."""

    paths: dict[str, str]
    layout: Layout = msgspec.field(default_factory=Layout)
    final_ratios: dict[str, float] = msgspec.field(default_factory=dict)
    bar_seconds: dict[str, int] = msgspec.field(default_factory=dict)


class SyntheticSource(msgspec.Struct, frozen=True, kw_only=True, tag="synthetic"):
    """Seeded geometric Brownian motion minute bars inside a calendar's sessions."""

    symbols: tuple[str, ...]
    bars_per_symbol: int
    seed: int
    start: str = "2024-01-02"
    start_price: float = 100.0
    drift: float = 0.05
    volatility: float = 0.2
    calendar: str = "XNYS"


BarSource = FileSource | SyntheticSource


class MarketDataConfig(msgspec.Struct, frozen=True, kw_only=True, tag="market_data"):
    source: BarSource
    expected_subscriptions: int  # every subscription the swarm makes, before publishing
    calendar: str = ""  # exchange_calendars name; "" reads the sessions off the bars
    timer_seconds: float = 0.0  # a timer event this often within each session; 0: none
    name: str = MARKET_DATA_NAME
    recover: bool = False  # a restart: skip what the broker has passed, publish the rest
    stream_hwm: int = 0  # messages queued for each subscriber; 0: no bound

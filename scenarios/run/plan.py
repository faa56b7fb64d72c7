"""Which actors run in which node, for a scenario and a topology."""

from __future__ import annotations

import os
from pathlib import Path

from tradeswarm.actors.market.actor import BarSource, CsvSource, SyntheticSource
from tradeswarm.actors.runtime.node import ActorSpec, NodeSpec
from tradeswarm.messages import BROKER_NAME, MARKET_DATA_NAME, ROUTER_NAME
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.strategies import resolve_strategy

SUBSCRIPTIONS_PER_SYMBOL = 1  # its bar topic, taken by the host of its instrument
SUBSCRIPTIONS_PER_HOST = 1  # the clock
SUBSCRIPTIONS_OF_BROKER = 2  # every bar topic and the clock


def bar_source(scenario: Scenario) -> BarSource:
    data = scenario.data
    if data.source == "csv":
        return CsvSource(
            paths={symbol: str(scenario.data_path(symbol)) for symbol in data.symbols},
            adjust=data.adjust,
        )
    return SyntheticSource(
        symbols=tuple(data.symbols),
        bars_per_symbol=data.bars_per_symbol,
        seed=scenario.run.seed,
        start=data.start,
        start_price=data.start_price,
        drift=data.drift,
        volatility=data.volatility,
        calendar=data.calendar or "XNYS",
    )


def shard_count(setting: int | str) -> int:
    """``auto``: a host per two CPUs. The market data and the broker keep a CPU busy
    between them, and on two cores one host beats two (the clock waits for every host's
    reply at each step; see the README's Performance section)."""
    if setting == "auto":
        return max(1, (os.cpu_count() or 1) // 2)
    return int(setting)


def plan_nodes(scenario: Scenario, topology: str, journal_path: Path) -> list[NodeSpec]:
    symbols = sorted(scenario.data.symbols)
    strategy = resolve_strategy(scenario.strategy.name)
    shards = min(shard_count(scenario.run.instrument_shards), len(symbols))
    sharded = [symbols[index::shards] for index in range(shards)]
    market = ActorSpec(
        "market_data",
        MARKET_DATA_NAME,
        {
            "source": bar_source(scenario),
            "expected_subscriptions": SUBSCRIPTIONS_PER_SYMBOL * len(symbols)
            + SUBSCRIPTIONS_PER_HOST * shards
            + SUBSCRIPTIONS_OF_BROKER,
            "calendar": scenario.data.calendar or None,
            "timer_seconds": scenario.data.timer_seconds,
        },
    )
    router = ActorSpec("router", ROUTER_NAME)
    hosts = [
        ActorSpec(
            "instruments",
            f"instruments-{index}",
            {
                "name": f"instruments-{index}",
                "symbols": shard,
                "strategy": strategy,
                "params": dict(scenario.strategy.params),
            },
        )
        for index, shard in enumerate(sharded)
    ]
    broker = ActorSpec(
        "broker",
        BROKER_NAME,
        {
            "symbols": symbols,
            "settings": scenario.broker.settings(),
            "journal_path": journal_path,
            "coupled": tuple(
                symbol
                for symbol in symbols
                if strategy.new_context(symbol, scenario.strategy.params).peers
            ),
            "hosts": {symbol: host.name for host in hosts for symbol in host.options["symbols"]},
        },
    )
    if topology == "single":
        return [NodeSpec("swarm", (market, router, broker, *hosts))]
    return [
        NodeSpec("market-data", (market,)),
        NodeSpec("broker", (router, broker)),
        *(NodeSpec(host.name, (host,)) for host in hosts),
    ]

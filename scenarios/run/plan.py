"""Which actors run in which node, for a scenario: the same nodes in every topology."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tradeswarm.actors.broker.config import BrokerConfig
from tradeswarm.actors.market.config import BarSource, MarketDataConfig
from tradeswarm.actors.runtime.config import InstrumentHostConfig, RouterConfig
from tradeswarm.actors.runtime.node import NodeConfig
from tradeswarm.messages import (
    Endpoints,
    inproc_endpoints,
    instrument_name,
    ipc_endpoints,
    tcp_endpoints,
)
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.strategies import load_strategy, strategy_ref

SUBSCRIPTIONS_PER_SYMBOL = 1  # its bar topic, taken by the host of its instrument
SUBSCRIPTIONS_PER_HOST = 1  # the clock
SUBSCRIPTIONS_OF_BROKER = 2  # every bar topic and the clock


def shard_count(setting: int | str) -> int:
    """``auto``: a host per two CPUs. The market data and the broker keep a CPU busy
    between them, and on two cores one host beats two (the clock waits for every host's
    reply at each step; see the README's Performance section)."""
    if setting == "auto":
        return max(1, (os.cpu_count() or 1) // 2)
    return int(setting)


INPUT_LOGS = "inputs"  # beside the journal: each instrument host's and the broker's input log
BROKER_LOG = "broker.log"


def input_log_path(journal_path: Path, host_index: int) -> Path:
    return journal_path.parent / INPUT_LOGS / f"instruments-{host_index}.log"


def plan_nodes(
    scenario: Scenario,
    source: BarSource,
    journal_path: Path,
    chaos_seed: int | None = None,
) -> list[NodeConfig]:
    """``source`` is the scanned ``[data]`` (``scenarios.run.data_source.bar_source``)."""
    symbols = sorted(scenario.data.symbols)
    ref = strategy_ref(scenario.strategy.name, [scenario.folder])
    strategy = load_strategy(ref, scenario.strategy.name)
    shards = min(shard_count(scenario.run.instrument_shards), len(symbols))
    sharded = [symbols[index::shards] for index in range(shards)]
    params = dict(scenario.strategy.params)
    market = MarketDataConfig(
        source=source,
        expected_subscriptions=SUBSCRIPTIONS_PER_SYMBOL * len(symbols)
        + SUBSCRIPTIONS_PER_HOST * shards
        + SUBSCRIPTIONS_OF_BROKER,
        calendar=scenario.data.calendar,
        timer_seconds=scenario.data.timer_seconds,
        stream_hwm=scenario.run.stream_hwm,
    )
    hosts = [
        InstrumentHostConfig(
            name=f"instruments-{index}",
            symbols=shard,
            strategy=ref,
            params=params,
            allow_fractional=scenario.broker.allow_fractional,
            # A host can be killed (its process, or its threads): it logs its inputs to
            # come back.
            input_log=str(input_log_path(journal_path, index)),
            chaos_seed=-1 if chaos_seed is None else chaos_seed * 1009 + index,
            stream_hwm=scenario.run.stream_hwm,
            checkpoint_bytes=int(scenario.run.checkpoint_mib * 2**20),
        )
        for index, shard in enumerate(sharded)
    ]
    broker = BrokerConfig(
        symbols=symbols,
        settings=scenario.broker.settings(),
        journal_path=str(journal_path),
        coupled=[
            symbol
            for symbol in symbols
            if strategy.reads_portfolio or strategy.new_context(symbol, params).peers
        ],
        accounts=strategy.reads_portfolio,
        prices=scenario.data.prices(),
        stream_hwm=scenario.run.stream_hwm,
        hosts={symbol: host.name for host in hosts for symbol in host.symbols},
        input_log=str(journal_path.parent / INPUT_LOGS / BROKER_LOG),
        checkpoint_bytes=int(scenario.run.checkpoint_mib * 2**20),
    )
    router = RouterConfig()
    # The same nodes in every topology: each a unit that fails and restarts together.
    return [
        NodeConfig(name="market-data", actors=[market]),
        NodeConfig(name="broker", actors=[router, broker]),
        *(NodeConfig(name=host.name, actors=[host]) for host in hosts),
    ]


def instrument_names(nodes: list[NodeConfig]) -> list[str]:
    """Each hosted instrument reports its end of data as itself."""
    return [
        instrument_name(symbol)
        for node in nodes
        for config in node.actors
        if isinstance(config, InstrumentHostConfig)
        for symbol in config.symbols
    ]


def run_endpoints(topology: str, transport: str) -> tuple[Endpoints, str | None]:
    """Where the run's sockets meet: inproc in ``single``, else tcp on loopback or ipc in
    a fresh folder (returned, for the runner to remove at the end)."""
    if topology == "single":
        return inproc_endpoints(), None
    if transport == "tcp":
        return tcp_endpoints(), None
    folder = tempfile.mkdtemp(prefix="ts-", dir="/tmp")
    return ipc_endpoints(Path(folder)), folder

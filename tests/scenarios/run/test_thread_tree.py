"""In ``single`` a node's inproc links do not survive it: the nodes connected to its
sockets are restarted with it (OTP's rest_for_one), and no other."""

from __future__ import annotations

from pathlib import Path

from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.data_source import bar_source
from tradeswarm.scenarios.run.plan import plan_nodes
from tradeswarm.scenarios.run.thread_tree import dependents


def test_the_market_data_takes_everyone_with_it_the_broker_the_hosts_and_a_host_no_one(
    tmp_path: Path,
) -> None:
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(
        """
[run]
instrument_shards = 2
[data]
source = "synthetic"
symbols = ["AAA", "BBB", "CCC"]
bars_per_symbol = 10
[strategy]
name = "sma_crossover"
"""
    )
    scenario = load_scenario(scenario_file)
    nodes = plan_nodes(scenario, bar_source(scenario)[0], tmp_path / "journal.msgpack")
    names = [node.name for node in nodes]
    assert names == ["market-data", "broker", "instruments-0", "instruments-1"]
    linked = {name: [names[i] for i in dependents(nodes, at)] for at, name in enumerate(names)}
    assert linked == {
        "market-data": ["broker", "instruments-0", "instruments-1"],
        "broker": ["instruments-0", "instruments-1"],
        "instruments-0": [],
        "instruments-1": [],
    }

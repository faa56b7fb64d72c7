"""A broker restarted from its journal is the broker it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.actors.broker.config import BrokerConfig
from tradeswarm.actors.runtime.config import RouterConfig
from tradeswarm.actors.runtime.node import NodeConfig
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.swarm import Swarm


def test_a_broker_restarted_from_its_journal_answers_with_the_same_state(tmp_path: Path) -> None:
    result = run_cli(
        "run", str(SCENARIOS / "breakout_demo.toml"), "--out", "out", "--quiet", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    journal = tmp_path / "restart" / "journal.msgpack"
    journal.parent.mkdir()
    shutil.copy(tmp_path / "out" / "journal.msgpack", journal)
    scenario = load_scenario(tmp_path / "out" / "scenario.toml")

    broker = BrokerConfig(
        symbols=sorted(scenario.data.symbols),
        settings=scenario.broker.settings(),
        journal_path=str(journal),
        recover=True,
    )
    nodes = [NodeConfig(name="broker", actors=[RouterConfig(), broker])]
    with Swarm(nodes, topology="processes") as swarm:
        swarm.launch()
        state = swarm.trading_state()

    assert state.fills == summary["fills"] > 50
    assert abs(state.cash - summary["final_cash"]) < 1e-6
    assert {p.symbol: p.quantity for p in state.positions} == summary["positions"]
    assert state.open_orders == []
    assert journal.stat().st_size == (tmp_path / "out" / "journal.msgpack").stat().st_size

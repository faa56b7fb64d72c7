"""Every strategy of the library passes its checks and has a diagram."""

from __future__ import annotations

import pytest

from tradeswarm.actors.fsm.check import check
from tradeswarm.actors.fsm.diagram import to_dot, to_mermaid
from tradeswarm.scenarios.strategies import LIBRARY, resolve_strategy


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_a_library_strategy_passes_every_check(name: str) -> None:
    assert check(resolve_strategy(name)) == []


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_a_library_strategy_has_a_diagram_with_every_state(name: str) -> None:
    strategy = resolve_strategy(name)
    mermaid, dot = to_mermaid(strategy), to_dot(strategy)
    for state in strategy.states:
        assert state in mermaid
        assert state in dot

"""What the runtime's own actors are started with, and how a strategy travels to them.

A strategy is code, not data, so it travels by reference: ``module:attribute`` plus the
folders to import it from, resolved where the instruments run. Every topology resolves it
the same way, so a table that loads in one process loads in every child process too (a
lambda-built table, pickled, used to work in ``single`` only).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import msgspec

from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.actors.fsm.errors import raised, user_frame
from tradeswarm.messages import ROUTER_NAME


class StrategyLoadError(ValueError):
    """A reference that does not name a ``Strategy``; the message says which and why."""


IN_PROCESS = "in-process"
_IN_PROCESS: dict[str, Strategy] = {}


def register_in_process(strategy: Strategy) -> str:
    """A reference to a strategy object no module holds (one made in a notebook): it loads
    in this process only, so only the ``single`` topology can run it."""
    reference = f"{IN_PROCESS}:{strategy.name}-{id(strategy):x}"
    _IN_PROCESS[reference] = strategy
    return reference


class StrategyRef(msgspec.Struct, frozen=True, kw_only=True):
    reference: str  # "package.module:ATTRIBUTE"
    search_path: list[str] = msgspec.field(default_factory=list)  # folders to import from

    def load(self) -> Strategy:
        if self.reference in _IN_PROCESS:
            return _IN_PROCESS[self.reference]
        module_name, _, attribute = self.reference.partition(":")
        if module_name == IN_PROCESS:
            raise StrategyLoadError(
                f"{self.reference!r} was made in another process; define the strategy in a "
                "module to run it in the processes topology"
            )
        if not module_name or not attribute:
            raise StrategyLoadError(f"{self.reference!r} is not 'module:attribute'")
        for folder in reversed(self.search_path):
            if folder not in sys.path:
                sys.path.insert(0, folder)
        try:
            strategy = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as error:
            raise StrategyLoadError(f"{self.reference!r} cannot be loaded: {error}") from None
        except Exception as error:  # the user's module failed as it was imported
            where = user_frame(error.__traceback__)
            raise StrategyLoadError(
                f"module {module_name!r} {raised(error)} as it was imported"
                + (f" ({where})" if where else "")
            ) from None
        if not isinstance(strategy, Strategy):
            kind = type(strategy).__name__
            raise StrategyLoadError(f"{self.reference!r} is a {kind}, not a Strategy table")
        return strategy


class RouterConfig(msgspec.Struct, frozen=True, kw_only=True, tag="router"):
    name: str = ROUTER_NAME


class InstrumentHostConfig(msgspec.Struct, frozen=True, kw_only=True, tag="instruments"):
    name: str  # also the host's identity on the order path (``messages.host_identity``)
    symbols: list[str]
    strategy: StrategyRef
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    allow_fractional: bool = False  # the broker's setting, for the strategies' sizing
    input_log: str = ""  # where the host logs its inputs ("": nowhere, no recovery)
    recover: bool = False  # a restart: replay the input log, then catch up
    chaos_seed: int = -1  # >= 0: duplicate, reverse and hold messages on the order path
    stream_hwm: int = 0  # the market data's messages it may have queued; 0: no bound
    checkpoint_bytes: int = 0  # input log written between two checkpoints; 0: none

"""The strategy library, and how a name in a scenario or on the command line finds a table."""

from __future__ import annotations

import importlib

from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.scenarios.config.errors import UserError

LIBRARY = {
    "sma_crossover": "tradeswarm.scenarios.strategies.sma_crossover:STRATEGY",
    "breakout": "tradeswarm.scenarios.strategies.breakout:STRATEGY",
    "long_short": "tradeswarm.scenarios.strategies.long_short:STRATEGY",
    "mean_reversion": "tradeswarm.scenarios.strategies.mean_reversion:STRATEGY",
    "pairs": "tradeswarm.scenarios.strategies.pairs:STRATEGY",
}


def resolve_strategy(name: str) -> Strategy:
    """A library name (``sma_crossover``) or a user's own ``module:attribute``."""
    target = LIBRARY.get(name, name)
    module_name, _, attribute = target.partition(":")
    if not attribute:
        known = ", ".join(sorted(LIBRARY))
        raise UserError(
            f"unknown strategy '{name}'; use one of {known} or 'module:attribute' for your own"
        )
    try:
        strategy = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise UserError(f"strategy '{name}' cannot be loaded: {error}") from None
    if not isinstance(strategy, Strategy):
        raise UserError(f"strategy '{name}' is a {type(strategy).__name__}, not a Strategy table")
    return strategy

"""The values of a scenario checked for their range, before anything runs.

The schema types each key; these checks say what a type cannot: that a duration is
positive, a cost not negative, every number finite, and a name a plain name. Names are
confined because they become file names and topics: a symbol names its data file and its
bar topic (``bar/AAPL/``; a ``/`` in a symbol would let one topic prefix another, and a
``..`` read outside the data folder), and the run's name names its output folder.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import msgspec

from tradeswarm.scenarios.config.errors import UserError

if TYPE_CHECKING:
    from tradeswarm.scenarios.config.scenario import Scenario

__all__ = ["check_values"]

PLAIN_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._^=-]{0,63}")  # BRK.B, ^GSPC, ES=F, EURUSD
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

POSITIVE = (
    "run.timeout_seconds",
    "run.heartbeat_seconds",
    "run.restart_window_seconds",
    "broker.starting_cash",
)
POSITIVE_SYNTHETIC = ("data.start_price",)
NOT_NEGATIVE = (
    "run.max_restarts",
    "run.stream_hwm",
    "run.checkpoint_mib",
    "data.timer_seconds",
    "data.bar_seconds",
    "data.volatility",
    "broker.commission_per_share",
    "broker.commission_minimum",
    "broker.slippage_bps",
    "broker.last_minute_seconds",
)


def check_values(scenario: Scenario) -> None:
    """Raise a ``UserError`` naming the first key whose value cannot run."""
    path = scenario.path
    table = msgspec.to_builtins(scenario)
    for key, value in _numbers(table):
        if not math.isfinite(value):
            raise UserError(f"{path}: key '{key}' is {value}; give a finite number")
    for key in POSITIVE + (POSITIVE_SYNTHETIC if scenario.data.source == "synthetic" else ()):
        if _at(table, key) <= 0:
            raise UserError(f"{path}: key '{key}' is {_at(table, key)}; it must be positive")
    costs = [
        (f"broker.{section}.{name}", value)
        for section in ("slippage", "commission")
        for name, value in table["broker"][section].items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    for key, value in [(key, _at(table, key)) for key in NOT_NEGATIVE] + costs:
        if value < 0:
            raise UserError(f"{path}: key '{key}' is {value}; it must not be negative")
    _check_names(scenario)
    shards = scenario.run.instrument_shards
    if shards != "auto" and shards < 1:
        raise UserError(f"{path}: key 'run.instrument_shards' must be at least 1, or \"auto\"")
    if scenario.data.bars_per_symbol < 1:
        raise UserError(f"{path}: key 'data.bars_per_symbol' must be at least 1")
    try:
        scenario.broker.settings()
    except ValueError as error:
        raise UserError(f"{path}: [broker]: {error}") from None


def _check_names(scenario: Scenario) -> None:
    path, symbols = scenario.path, scenario.data.symbols
    if not symbols:
        raise UserError(f"{path}: key 'data.symbols' is empty; list at least one symbol")
    if len(set(symbols)) != len(symbols):
        raise UserError(f"{path}: key 'data.symbols' repeats a symbol; list each once")
    for symbol in symbols:
        if not PLAIN_SYMBOL.fullmatch(symbol):
            raise UserError(
                f"{path}: key 'data.symbols' holds {symbol!r}, not a plain symbol; use "
                "letters, digits and . _ ^ = - (at most 64, not starting with . or -), e.g. "
                "'EURUSD' for 'EUR/USD'"
            )
    if not PLAIN_NAME.fullmatch(scenario.run.name):
        raise UserError(
            f"{path}: key 'run.name' is {scenario.run.name!r}, not a plain name; use letters, "
            "digits and . _ - (it names the run's folder: set run.output to choose where)"
        )


def _numbers(table: Any, key: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(table, dict):
        for name, value in table.items():
            yield from _numbers(value, f"{key}.{name}" if key else str(name))
    elif isinstance(table, list):
        for index, value in enumerate(table):
            yield from _numbers(value, f"{key}[{index}]")
    elif isinstance(table, float):
        yield key, table


def _at(table: dict[str, Any], key: str) -> Any:
    section, name = key.split(".")
    return table[section][name]

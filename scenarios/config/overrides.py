"""``--set key.path=value``: a scenario's keys changed on the command line or by a sweep.

The value is read as TOML (``5``, ``1e6``, ``true``, ``"XNYS"``, ``["AAPL", "MSFT"]``), so
it has the type the file would give it; text that is not TOML is taken as a string
(``--set data.calendar=XTKS``). Overrides change the scenario's table *before* it is
checked, so a wrong key or type is the same one-line error the file would give.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from tradeswarm.scenarios.config.errors import UserError

__all__ = ["apply_overrides", "parse_override"]


def parse_override(text: str) -> tuple[str, Any]:
    """``"strategy.params.fast=5"`` -> ``("strategy.params.fast", 5)``."""
    key, equals, value = text.partition("=")
    key = key.strip()
    if not equals or not key or any(not part for part in key.split(".")):
        raise UserError(f"--set {text!r}: expected KEY=VALUE, e.g. strategy.params.fast=5")
    try:
        return key, tomllib.loads(f"value = {value.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        return key, value.strip()


def apply_overrides(
    table: Mapping[str, Any], overrides: Iterable[tuple[str, Any]]
) -> dict[str, Any]:
    """A deep copy of ``table`` with each ``(dotted key, value)`` set, tables made as needed."""
    result = _copy(table)
    for key, value in overrides:
        *parents, last = key.split(".")
        node = result
        for index, part in enumerate(parents):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parents[: index + 1])
                raise UserError(f"--set {key}: '{where}' is a value, not a table")
            node = child
        node[last] = value
    return result


def _copy(table: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: _copy(value) if isinstance(value, Mapping) else value for key, value in table.items()
    }

"""A sweep's variants: the grid's product, the constraint, an optional random subset, and
each variant's key (the hash of its fully resolved scenario).

The key is what makes a sweep resumable and its ledger independent of the worker count:
the same variant has the same key in every run of the sweep, whatever order it ran in.
A constraint is a small expression (``fast < slow``, ``slow - fast >= 10 and seed != 2``)
over the grid's values, named by the last part of their key (``fast`` for
``strategy.params.fast``) or by the whole key with dots as underscores; it is parsed, not
``eval``-ed, and only arithmetic, comparisons and ``and``/``or``/``not`` are allowed.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import operator
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.overrides import apply_overrides
from tradeswarm.scenarios.config.scenario import Scenario, read_table, scenario_from_table
from tradeswarm.scenarios.sweep.spec import SweepSpec

__all__ = ["Variant", "variants"]


@dataclass(frozen=True)
class Variant:
    key: str
    values: dict[str, Any]  # grid key -> the value this variant takes
    table: dict[str, Any]  # the base scenario's table with the values set
    origin: str  # the base scenario's path: relative data paths are relative to it


def variants(spec: SweepSpec) -> list[Variant]:
    """Every variant to run, in a fixed order (the grid's), each checked as a scenario."""
    base = read_table(Path(spec.scenario))
    allowed = _constraint(spec)
    chosen = [values for values in _product(spec.grid) if allowed(values)]
    if spec.sample and spec.sample < len(chosen):
        picked = sorted(random.Random(spec.seed).sample(range(len(chosen)), spec.sample))
        chosen = [chosen[index] for index in picked]
    made = []
    for values in chosen:
        table = apply_overrides(base, values.items())
        scenario = scenario_from_table(table, Path(spec.scenario))
        made.append(Variant(variant_key(scenario), values, table, spec.scenario))
    return made


def variant_key(scenario: Scenario) -> str:
    """16 hex digits of the SHA-256 of the scenario as run (its data paths absolute)."""
    table = msgspec.to_builtins(scenario)
    table.pop("path")
    table["data"]["path"] = str((scenario.folder / scenario.data.path).resolve())
    text = json.dumps(table, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _product(grid: Mapping[str, list[Any]]) -> Iterator[dict[str, Any]]:
    keys = list(grid)
    for combination in itertools.product(*(grid[key] for key in keys)):
        yield dict(zip(keys, combination, strict=True))


_OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.USub: operator.neg,
    ast.Not: operator.not_,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _constraint(spec: SweepSpec) -> Callable[[dict[str, Any]], bool]:
    if not spec.constraint:
        return lambda values: True
    try:
        tree = ast.parse(spec.constraint, mode="eval")
    except SyntaxError as error:
        raise UserError(f"{spec.path}: key 'sweep.constraint': {error.msg}") from None

    def holds(values: dict[str, Any]) -> bool:
        names = {key.replace(".", "_"): value for key, value in values.items()}
        names |= {key.rsplit(".", 1)[-1]: value for key, value in values.items()}
        try:
            return bool(_evaluate(tree.body, names))
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
            raise UserError(f"{spec.path}: key 'sweep.constraint': {error}") from None

    return holds


def _evaluate(node: ast.AST, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise KeyError(f"{node.id!r} is no grid key; the names are {', '.join(names)}")
        return names[node.id]
    if isinstance(node, ast.BoolOp):
        results = (_evaluate(value, names) for value in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand, names))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left, names), _evaluate(node.right, names))
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, names)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _OPERATORS:
                raise ValueError(f"{type(op).__name__} is not allowed in a constraint")
            right = _evaluate(comparator, names)
            if not _OPERATORS[type(op)](left, right):
                return False
            left = right
        return True
    raise ValueError(f"{ast.unparse(node)!r} is not allowed in a constraint")

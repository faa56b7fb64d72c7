"""A sweep file (TOML): a base scenario, a grid of keys to vary, and how to run the variants.

    [sweep]
    name = "sma-grid"
    scenario = "sma_demo.toml"        # the base scenario, relative to this file
    constraint = "fast < slow"        # optional: variants for which it holds
    sample = 20                        # optional: a random subset of the grid, drawn with seed
    seed = 1
    ledger = "sweeps/{name}/ledger.csv"   # or .parquet; relative to the working directory
    run_folders = false                # keep a run folder per variant (beside the ledger)
    metric = "sharpe"                  # the sweep report's heatmap

    [grid]
    "strategy.params.fast" = [5, 10, 20]
    "strategy.params.slow" = [30, 50]
    "run.seed" = [1, 2, 3]

Grid keys are scenario keys, as ``--set`` takes them; each list holds the values to try.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

import msgspec

from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.explain import explain

__all__ = ["SweepSpec", "load_sweep", "sweep_from_table"]

METRICS = (
    "total_return",
    "benchmark_return",
    "alpha",
    "beta",
    "sharpe",
    "sortino",
    "annual_volatility",
    "max_drawdown",
)


class SweepSection(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str = "sweep"
    scenario: str
    constraint: str = ""
    sample: int = 0  # 0: the whole grid
    seed: int = 0
    ledger: str = "sweeps/{name}/ledger.csv"
    run_folders: bool = False
    topology: Literal["single", "processes"] = "single"
    metric: str = "sharpe"


class SweepFile(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    sweep: SweepSection
    grid: dict[str, list[Any]]


class SweepSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A sweep, checked: the base scenario's path made absolute, the grid in file order."""

    name: str
    scenario: str
    grid: dict[str, list[Any]]
    constraint: str
    sample: int
    seed: int
    ledger: str
    run_folders: bool
    topology: str
    metric: str
    path: str


def load_sweep(path: Path) -> SweepSpec:
    try:
        raw = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UserError(f"{path}: no such sweep file") from None
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot read the sweep file: {error}") from None
    return sweep_from_table(raw, path)


def sweep_from_table(raw: dict[str, Any], path: Path) -> SweepSpec:
    """A sweep from its table; ``path`` names it in errors and anchors its relative
    ``scenario`` (a table made in code passes the working directory plus a file name)."""
    try:
        parsed = msgspec.convert(raw, SweepFile)
    except msgspec.ValidationError as error:
        raise UserError(f"{path}: {explain(error, SweepFile)}") from None
    section, grid = parsed.sweep, parsed.grid
    if not grid or any(not values for values in grid.values()):
        raise UserError(f"{path}: [grid] needs at least one key with at least one value")
    if section.sample < 0:
        raise UserError(f"{path}: key 'sweep.sample' must be 0 (the whole grid) or more")
    if section.metric not in METRICS:
        raise UserError(
            f"{path}: key 'sweep.metric' is {section.metric!r}; use one of {', '.join(METRICS)}"
        )
    base = Path(section.scenario)
    base = base if base.is_absolute() else Path(path).parent / base
    return SweepSpec(
        name=section.name,
        scenario=str(base.resolve()),
        grid=grid,
        constraint=section.constraint,
        sample=section.sample,
        seed=section.seed,
        ledger=section.ledger.format(name=section.name),
        run_folders=section.run_folders,
        topology=section.topology,
        metric=section.metric,
        path=str(path),
    )

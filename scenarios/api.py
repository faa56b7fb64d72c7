"""The Python API: run a scenario from a notebook or a script and get pandas objects back.

    from tradeswarm.scenarios.api import run
    result = run("scenarios/sma_demo.toml", set={"strategy.params.fast": 5})
    result.fills, result.trades, result.equity, result.metrics["tear_sheet"]["sharpe"]
    run(table, data={"AAPL": frame})     # bars from pandas instead of files
    sweep("sma_grid.toml", workers=4).ledger   # a sweep, its ledger as a DataFrame

The command line is a thin shell over the same calls. A scenario is a file, a table (a
dict, as the file would hold it; its relative paths are relative to the working
directory) or a ``Scenario``; a strategy may be given by name or as a ``Strategy`` object
(one defined in an importable module runs in every topology; one defined in a notebook
runs in the ``single`` topology). A run folder is written only when ``out`` is given.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.actors.runtime.config import register_in_process
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.overrides import apply_overrides
from tradeswarm.scenarios.config.scenario import Scenario, read_table, scenario_from_table
from tradeswarm.scenarios.report.run_data import from_results
from tradeswarm.scenarios.report.run_metrics import compute_metrics, trip_rows
from tradeswarm.scenarios.run.frames import Frames, frames_as_files
from tradeswarm.scenarios.run.runner import output_dir, run_prepared
from tradeswarm.scenarios.run.validate import prepare
from tradeswarm.scenarios.sweep.ledger import read_ledger
from tradeswarm.scenarios.sweep.report import write_sweep_report
from tradeswarm.scenarios.sweep.runner import run_sweep
from tradeswarm.scenarios.sweep.spec import load_sweep, sweep_from_table

__all__ = ["Result", "SweepResult", "load", "run", "sweep"]

ScenarioLike = str | Path | Mapping[str, Any] | Scenario


@dataclass(frozen=True)
class Result:
    """A finished run as pandas objects; ``folder`` is None when no run folder was kept."""

    summary: dict[str, Any]
    metrics: dict[str, Any]  # the tear sheet, trade statistics, rolling windows
    fills: pd.DataFrame  # ts, symbol, side, quantity, price, commission, order_id
    trades: pd.DataFrame  # symbol, opened, closed, days, pnl: one row per round trip
    equity: pd.Series  # the broker's equity at each session's close
    positions: pd.DataFrame  # session dates x symbols
    timeline: pd.DataFrame  # ts, symbol, from, event, to: every FSM transition
    folder: Path | None


def load(
    scenario: ScenarioLike,
    *,
    strategy: str | Strategy | None = None,
    set: Mapping[str, Any] | None = None,  # the name the command line uses
    topology: str | None = None,
) -> Scenario:
    """The checked ``Scenario`` that ``run`` would run."""
    if isinstance(scenario, Scenario):
        table: dict[str, Any] = msgspec.to_builtins(scenario)
        origin = Path(table.pop("path") or Path.cwd() / "scenario.toml")
    elif isinstance(scenario, Mapping):
        table, origin = dict(scenario), Path.cwd() / "scenario.toml"
    else:
        table, origin = read_table(Path(scenario)), Path(scenario)
    overrides = list((set or {}).items())
    if strategy is not None:
        overrides.append(("strategy.name", _reference(strategy, topology or "single")))
    if topology is not None:
        overrides.append(("run.topology", topology))
    return scenario_from_table(apply_overrides(table, overrides), origin)


def run(
    scenario: ScenarioLike,
    *,
    strategy: str | Strategy | None = None,
    set: Mapping[str, Any] | None = None,
    data: Frames | None = None,
    topology: str = "single",
    out: str | Path | None = None,
    force: bool = False,
) -> Result:
    """Run ``scenario`` and return its results (see the module docstring); ``out`` keeps a
    run folder there (a folder holding an earlier run only with ``force``).

    ``data``: bars as pandas DataFrames instead of the scenario's files, a dict of one frame
    per symbol or one frame with a ``symbol`` column; columns and timestamps as a file's
    (``[data]`` options such as ``adjust`` and ``timezone`` apply). They are written as
    Parquet into the run folder's ``data/`` (so the folder can be reported again later).
    """
    with tempfile.TemporaryDirectory(prefix="tradeswarm-") as scratch:
        folder = Path(scratch) / "run"
        if out is not None:
            folder = output_dir(load(scenario, set=set), str(out), force=force)
        overrides = dict(set or {})
        if data is not None:
            overrides.update(frames_as_files(data, folder / "data"))
        checked = load(scenario, strategy=strategy, set=overrides, topology=topology)
        return _run_into(prepare(checked), folder, keep=out is not None)


def _run_into(prepared: Any, folder: Path, *, keep: bool) -> Result:
    finished = run_prepared(prepared, out_dir=folder)
    data = from_results(
        folder,
        finished.scenario,
        finished.summary,
        finished.fills,
        finished.statements,
        finished.transitions,
    )
    fills = pd.DataFrame(
        {
            "ts": pd.to_datetime([fill.ts_ns for fill in finished.fills], unit="ns", utc=True),
            "symbol": [fill.symbol for fill in finished.fills],
            "side": [fill.side.value for fill in finished.fills],
            "quantity": [fill.quantity for fill in finished.fills],
            "price": [fill.price for fill in finished.fills],
            "commission": [fill.commission for fill in finished.fills],
            "order_id": [fill.client_order_id for fill in finished.fills],
        }
    )
    trades = pd.DataFrame(trip_rows(data), columns=["symbol", "opened", "closed", "days", "pnl"])
    return Result(
        summary=finished.summary,
        metrics=compute_metrics(data),
        fills=fills,
        trades=trades,
        equity=data.equity,
        positions=data.positions,
        timeline=data.timeline,
        folder=folder if keep else None,
    )


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: its ledger as a DataFrame (one row per variant, this run's and
    earlier ones'), where the ledger and its HTML page are, and the variants that failed."""

    ledger: pd.DataFrame
    path: Path
    report: Path
    failed: list[tuple[str, str]]  # (variant key, error) of this call's failures
    ran: int
    skipped: int


def sweep(
    spec: str | Path | Mapping[str, Any],
    *,
    workers: int | None = None,
    dask: str | None = None,
) -> SweepResult:
    """Run a sweep given as a file or as its table (``{"sweep": {...}, "grid": {...}}``, a
    relative ``scenario`` then relative to the working directory), as ``tradeswarm sweep``
    does: ``workers`` processes (default the CPU count) or a Dask scheduler's address
    (``"local"`` for a LocalCluster). Variants already in the ledger are not run again."""
    if isinstance(spec, Mapping):
        checked = sweep_from_table(dict(spec), Path.cwd() / "sweep.toml")
    else:
        checked = load_sweep(Path(spec))
    outcome = run_sweep(checked, workers=workers, dask=dask)
    page = write_sweep_report(outcome.ledger, list(checked.grid), checked.metric)
    return SweepResult(
        ledger=read_ledger(outcome.ledger),
        path=outcome.ledger,
        report=page,
        failed=outcome.failed,
        ran=outcome.ran,
        skipped=outcome.skipped,
    )


def _reference(strategy: str | Strategy, topology: str) -> str:
    """A name the scenario can hold: as given, or the ``module:attribute`` that names the
    object, or, for an object no module holds, an in-process name (``single`` only)."""
    if isinstance(strategy, str):
        return strategy
    for name, module in list(sys.modules.items()):
        if name == "__main__" or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if value is strategy:
                return f"{name}:{attribute}"
    if topology != "single":
        raise UserError(
            f"strategy {strategy.name} is defined in no importable module, so other processes "
            "cannot load it; define it in a module, or run with topology='single'"
        )
    return register_in_process(strategy)

"""One variant, run where an executor put it (a local process or a Dask worker): a row.

Everything here happens in the worker. A variant runs in the ``single`` topology (no child
processes to start) in a temporary folder, unless the sweep keeps run folders; its table is
checked once per strategy per worker, since a strategy's checks do not depend on its
parameters (``scenarios.strategies.ensure_checked`` remembers), and data files are cached
per process (``actors.market.sources``). Whatever
goes wrong becomes the row's error: one variant failing never stops the sweep.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradeswarm.scenarios.config.scenario import scenario_from_table
from tradeswarm.scenarios.report.run_data import from_results
from tradeswarm.scenarios.report.run_metrics import compute_metrics
from tradeswarm.scenarios.run.runner import run_prepared
from tradeswarm.scenarios.run.validate import prepare

__all__ = ["VariantTask", "run_variant"]


@dataclass(frozen=True)
class VariantTask:
    key: str
    values: dict[str, Any]
    table: dict[str, Any]
    origin: str
    topology: str
    run_folder: str  # "" for none


def run_variant(task: VariantTask) -> dict[str, Any]:
    started = time.perf_counter()
    row: dict[str, Any] = {"key": task.key, **task.values}
    try:
        row.update(_run(task))
        row["status"] = "ok"
    except Exception as error:  # the variant's error, kept in its row
        row.update(status="failed", error=f"{type(error).__name__}: {error}")
    row["wall_seconds"] = round(time.perf_counter() - started, 4)
    return row


def _run(task: VariantTask) -> dict[str, Any]:
    scenario = scenario_from_table(task.table, Path(task.origin))
    prepared = prepare(scenario)
    if task.run_folder:
        return _measure(prepared, Path(task.run_folder), task.topology)
    with tempfile.TemporaryDirectory(prefix="tradeswarm-variant-") as folder:
        return _measure(prepared, Path(folder), task.topology)


def _measure(prepared: Any, folder: Path, topology: str) -> dict[str, Any]:
    finished = run_prepared(prepared, out_dir=folder, topology=topology)
    data = from_results(
        folder,
        finished.scenario,
        finished.summary,
        finished.fills,
        finished.statements,
        finished.transitions,
    )
    metrics = compute_metrics(data)
    return {
        **{name: _float(value) for name, value in metrics["tear_sheet"].items()},
        **{name: _float(value) for name, value in metrics["trade_stats"].items()},
        "final_equity": finished.summary["final_equity"],
        "fills": finished.summary["fills"],
        "bars": finished.summary["bars_processed"],
        "setup_seconds": finished.summary["setup_seconds"],
    }


def _float(value: Any) -> float:
    try:
        return float(value)  # "NaN" and "Infinity" from metrics.json's conventions
    except (TypeError, ValueError):
        return math.nan

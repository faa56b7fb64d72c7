"""Run a sweep: every variant not yet in the ledger, each a task on an executor.

The executor is a ``concurrent.futures.Executor``: a local process pool by default, or a
Dask cluster's (``dask.distributed``, an optional extra) when one machine is not enough:
``dask="tcp://host:8786"`` joins a running scheduler, ``dask="local"`` starts a
LocalCluster. The parent only submits tasks and appends each finished row to the ledger,
so its memory does not grow with the number of variants, and the ledger does not depend
on the number of workers or the order they finish in (rows are keyed).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tradeswarm.actors.fsm.params import ParamsError
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import scenario_from_table
from tradeswarm.scenarios.strategies import resolve_strategy
from tradeswarm.scenarios.sweep.grid import Variant, variants
from tradeswarm.scenarios.sweep.ledger import Ledger
from tradeswarm.scenarios.sweep.spec import SweepSpec
from tradeswarm.scenarios.sweep.worker import VariantTask, run_variant

__all__ = ["SweepOutcome", "run_sweep"]


@dataclass(frozen=True)
class SweepOutcome:
    ledger: Path
    variants: int  # in the sweep
    skipped: int  # already in the ledger
    ran: int
    failed: list[tuple[str, str]]  # (key, error) of this run's failures
    seconds: float


Progress = Callable[[int, int, int, int], None]  # done, failed, running, total


def run_sweep(
    spec: SweepSpec,
    *,
    workers: int | None = None,
    dask: str | None = None,
    on_progress: Progress | None = None,
) -> SweepOutcome:
    started = time.perf_counter()
    all_variants = variants(spec)
    _check_keys(spec, all_variants)
    ledger = Ledger(Path(spec.ledger), list(spec.grid))
    done = ledger.done()
    todo = [variant for variant in all_variants if variant.key not in done]
    failed: list[tuple[str, str]] = []
    runs = Path(spec.ledger).parent / "runs"
    tasks = [
        VariantTask(
            key=variant.key,
            values=variant.values,
            table=variant.table,
            origin=variant.origin,
            topology=spec.topology,
            run_folder=str(runs / variant.key) if spec.run_folders else "",
        )
        for variant in todo
    ]
    with _executor(workers, dask) as executor:
        pending: set[Future[dict[str, Any]]] = {executor.submit(run_variant, t) for t in tasks}
        finished = 0
        try:
            for future in as_completed(pending):
                row = future.result()
                ledger.append(row)
                finished += 1
                if row["status"] != "ok":
                    failed.append((row["key"], str(row.get("error", ""))))
                if on_progress is not None:
                    running = min(len(tasks) - finished, workers or os.cpu_count() or 1)
                    on_progress(finished, len(failed), running, len(tasks))
        finally:
            for future in pending:
                future.cancel()
    return SweepOutcome(
        ledger=Path(spec.ledger),
        variants=len(all_variants),
        skipped=len(all_variants) - len(todo),
        ran=len(tasks),
        failed=failed,
        seconds=time.perf_counter() - started,
    )


def _check_keys(spec: SweepSpec, swept: list[Variant]) -> None:
    """A parameter the strategy does not know, or of the wrong type, is the sweep file's
    error, found before anything runs; a value the strategy refuses by its own rule is that
    variant's failure, recorded in its row."""
    for variant in swept:
        scenario = scenario_from_table(variant.table, Path(variant.origin))
        strategy = resolve_strategy(scenario.strategy.name, [scenario.folder])
        try:
            strategy.new_context(scenario.data.symbols[0], scenario.strategy.params)
        except ParamsError as error:
            if error.key:
                raise UserError(f"{spec.path}: {error}") from None
        except (ValueError, TypeError):
            pass


@contextmanager
def _executor(workers: int | None, dask: str | None) -> Iterator[Executor]:
    if dask is None:
        # spawn: a worker starts clean, with no sockets or threads of its parent's
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UserError("--dask needs dask.distributed: pip install 'tradeswarm[dask]'") from None
    if dask == "local":
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        cluster, client = None, Client(dask, timeout="10s")
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

"""Run a prepared scenario end to end: start the swarm, wait, write the run folder.

The path is linear: the scenario was validated once (``scenarios.run.validate``), the
broker hands its fills and session statements over at the end (``BrokerResults``), and
what a caller gets back (``RunResult``) holds them, so a report is built from memory
instead of reading the run folder back.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.messages import (
    AccountStatement,
    DecodeError,
    Fill,
    RunProgress,
    TradingState,
    Transition,
)
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario, frozen_copy
from tradeswarm.scenarios.run.chaos import ChaosPlan, chaos_record
from tradeswarm.scenarios.run.errors import SwarmFailed
from tradeswarm.scenarios.run.folder import (
    FAILED,
    FINISHED,
    INTERRUPTED,
    RUNNING,
    RunFolder,
    read_status,
)
from tradeswarm.scenarios.run.output import (
    write_equity,
    write_fills,
    write_positions,
    write_summary,
    write_timeline,
)
from tradeswarm.scenarios.run.plan import INPUT_LOGS, plan_nodes
from tradeswarm.scenarios.run.process_tree import restartable
from tradeswarm.scenarios.run.state_request import write_endpoints
from tradeswarm.scenarios.run.summary import as_builtins, dropped_frames, summarize
from tradeswarm.scenarios.run.swarm import Swarm
from tradeswarm.scenarios.run.validate import PreparedRun, prepare

JOURNAL_NAME = "journal.msgpack"
FINAL_STATE_FILE = "state.json"
STATE_KEY_FILE = "state.key"  # mode 0600: the read-only key of ``tradeswarm state``


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    scenario: Scenario
    summary: dict[str, Any]
    state: TradingState
    fills: list[Fill]
    statements: list[AccountStatement]
    transitions: list[Transition]


def output_dir(scenario: Scenario, override: str | None, *, force: bool = False) -> Path:
    """Where the run writes. A folder holding an earlier run is never silently written over:
    ``--out`` naming one is refused (unless ``force``); the scenario's own ``run.output``
    becomes the first free ``<folder>-2``, ``-3``, ... A folder whose run is still going is
    left to the lock, which names that run."""
    if override is not None:
        folder = Path(override)
        _check_writable(folder, f"--out {folder}")
        if not force and _holds_a_run(folder):
            raise UserError(
                f"--out {folder}: the folder holds an earlier run; choose another folder or "
                "add --force to write over it"
            )
        return folder
    folder = Path(scenario.run.output.format(name=scenario.run.name))
    folder = folder if folder.is_absolute() else Path.cwd() / folder
    if not (force or not _holds_a_run(folder)):
        number = 2
        while _holds_a_run(folder.with_name(f"{folder.name}-{number}")):
            number += 1
        folder = folder.with_name(f"{folder.name}-{number}")
    _check_writable(folder, f"{scenario.path}: key 'run.output' ({folder})")
    return folder


def _check_writable(folder: Path, named: str) -> None:
    """The run can make and write ``folder``: checked without creating anything, so a
    scenario refused later leaves no folder behind."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{named}: a file, not a folder; name a folder for the run")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{named}: {existing} is a file, so the folder cannot be made")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{named}: {existing} is not writable; choose a folder you can write")


def _holds_a_run(folder: Path) -> bool:
    status = read_status(folder)
    if status is not None:
        return bool(status["status"] != RUNNING)
    return (folder / "fills.csv").exists()


def run_scenario(
    scenario: Scenario,
    *,
    out_dir: Path,
    topology: str | None = None,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> RunResult:
    return run_prepared(
        prepare(scenario), out_dir=out_dir, topology=topology, on_progress=on_progress
    )


def run_prepared(
    prepared: PreparedRun,
    *,
    out_dir: Path,
    topology: str | None = None,
    on_progress: Callable[[RunProgress], None] | None = None,
    chaos: int | None = None,
) -> RunResult:
    """``chaos``: a seed; kill instrument hosts and shake the order path on purpose."""
    scenario = prepared.scenario
    topology = topology or scenario.run.topology
    folder = RunFolder(out_dir)
    folder.acquire(f"tradeswarm run {scenario.path}")
    try:
        folder.write_status(RUNNING, scenario=scenario.path, topology=topology)
        result = _run(prepared, out_dir, topology, on_progress, chaos)
    except BaseException as error:
        interrupted = isinstance(error, KeyboardInterrupt)
        salvaged = _salvage(scenario, out_dir)
        reason = _signal_name(error) if interrupted else str(error)
        folder.write_status(INTERRUPTED if interrupted else FAILED, reason=reason, fills=salvaged)
        raise
    else:
        folder.write_status(FINISHED, fills=len(result.fills))
        return result
    finally:
        shutil.rmtree(out_dir / INPUT_LOGS, ignore_errors=True)  # only a live run needs them
        folder.release()


def _run(
    prepared: PreparedRun,
    out_dir: Path,
    topology: str,
    on_progress: Callable[[RunProgress], None] | None,
    chaos_seed: int | None,
) -> RunResult:
    scenario = prepared.scenario
    journal = out_dir / JOURNAL_NAME
    nodes = plan_nodes(scenario, prepared.source, journal, chaos_seed)
    chaos = None
    if chaos_seed is not None:
        processes = sorted(restartable(nodes))
        how = "crash" if topology == "single" else "SIGKILL"
        chaos = ChaosPlan.make(chaos_seed, prepared.bars, processes, scenario.run.max_restarts, how)
    started = time.perf_counter()
    with Swarm(
        nodes,
        topology=topology,
        transport=scenario.run.transport,
        heartbeat_seconds=scenario.run.heartbeat_seconds,
        max_restarts=scenario.run.max_restarts,
        restart_window_seconds=scenario.run.restart_window_seconds,
        chaos=chaos,
    ) as swarm:
        swarm.launch()
        # The key first: a tool that sees the endpoints finds the key beside them.
        swarm.write_state_key(out_dir / STATE_KEY_FILE)
        write_endpoints(out_dir / "endpoints.json", swarm.endpoints)
        swarm.release()
        setup_seconds = time.perf_counter() - started
        swarm.wait(scenario.run.timeout_seconds, on_progress)
        state = swarm.trading_state()
    wall_seconds = time.perf_counter() - started
    if swarm.results is None:
        raise SwarmFailed("the broker finished without handing over its results")
    fills, statements = swarm.results.fills, swarm.results.statements
    write_fills(out_dir / "fills.csv", fills)
    write_timeline(out_dir / "timeline.csv", swarm.transitions)
    write_equity(out_dir / "equity.csv", statements)
    write_positions(out_dir / "positions.csv", statements)
    (out_dir / "scenario.toml").write_text(frozen_copy(scenario))
    summary = summarize(scenario, state, fills, swarm.finished, swarm.stopped, wall_seconds)
    summary["restarts"] = swarm.restarts()
    summary["reconciliations"] = swarm.reconciliations
    if chaos is not None:
        summary["chaos"] = chaos_record(chaos, {**swarm.finished, **swarm.stopped})
    summary["dropped_frames"] = dropped_frames(
        swarm.control_counters, {**swarm.finished, **swarm.stopped}
    )
    summary["topology"] = topology
    summary["setup_seconds"] = round(setup_seconds, 4)  # processes and sockets, before bars
    write_summary(out_dir / "summary.json", summary)
    write_summary(out_dir / FINAL_STATE_FILE, as_builtins(state))
    return RunResult(out_dir, scenario, summary, state, fills, statements, swarm.transitions)


def _salvage(scenario: Scenario, out_dir: Path) -> int:
    """What a run that did not finish leaves: its fills, and its session statements, read
    from the broker's journal up to its last whole message. Returns the fills kept."""
    journal = out_dir / JOURNAL_NAME
    if not journal.exists():
        return 0
    try:
        messages = list(read_journal(journal, whole_only=True))
    except DecodeError:
        return 0
    fills = [message for message in messages if isinstance(message, Fill)]
    statements = [message for message in messages if isinstance(message, AccountStatement)]
    write_fills(out_dir / "fills.csv", fills)
    write_equity(out_dir / "equity.csv", statements)
    write_positions(out_dir / "positions.csv", statements)
    (out_dir / "scenario.toml").write_text(frozen_copy(scenario))
    return len(fills)


def _signal_name(error: BaseException) -> str:
    signum = getattr(error, "signum", signal.SIGINT)
    return signal.Signals(signum).name

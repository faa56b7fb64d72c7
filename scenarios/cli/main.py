"""The ``tradeswarm`` command. Exit codes: 0 success, 2 a user error, 1 an internal failure.

Each command imports what it needs when it runs: ``tradeswarm --help`` or ``check`` should
not pay for numpy, pandas, the calendars and ZeroMQ.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from tradeswarm.scenarios.cli.parser import build_parser
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.run.errors import Interrupted, SwarmFailed

EXIT_OK, EXIT_FAILURE, EXIT_USER_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: list[str] | None = None) -> int:
    args = build_parser(__doc__).parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):  # as Ctrl-C: stop every actor, then exit
        signal.signal(signum, _interrupt)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        handler = {
            "run": _run,
            "check": _check,
            "sweep": _sweep,
            "diagram": _diagram,
            "report": _report,
            "state": _state,
        }
        return handler[args.command](args)
    except UserError as error:
        print(f"tradeswarm: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except SwarmFailed as error:
        print(f"tradeswarm: the run failed: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt as interrupt:
        signum = getattr(interrupt, "signum", signal.SIGINT)
        name = signal.Signals(signum).name
        print(f"tradeswarm: interrupted ({name}); every actor process was stopped", file=sys.stderr)
        return 128 + signum


def _run(args: argparse.Namespace) -> int:
    from tradeswarm.scenarios.cli.progress import make_progress
    from tradeswarm.scenarios.config.overrides import parse_override
    from tradeswarm.scenarios.config.scenario import load_scenario
    from tradeswarm.scenarios.run.runner import output_dir, run_prepared
    from tradeswarm.scenarios.run.validate import prepare

    overrides = [parse_override(text) for text in args.overrides]
    if args.seed is not None:
        overrides.append(("run.seed", args.seed))
    scenario = load_scenario(args.scenario, overrides)
    out_dir = output_dir(scenario, args.out, force=args.force)
    prepared = prepare(scenario)
    if (args.topology or scenario.run.topology) == "processes":
        _import_in_background(REPORT_MODULES)
    progress = make_progress(prepared.bars, quiet=args.quiet)
    try:
        result = run_prepared(
            prepared,
            out_dir=out_dir,
            topology=args.topology,
            on_progress=lambda report: progress.update(report.bars, report.session),
            chaos=args.chaos,
        )
    finally:
        progress.close()
    from tradeswarm.scenarios.report.build import write_report  # ~1 s of imports
    from tradeswarm.scenarios.report.run_data import from_results
    from tradeswarm.scenarios.report.terminal import load_metrics, tear_sheet_table

    run = from_results(
        out_dir,
        scenario,
        result.summary,
        result.fills,
        result.statements,
        result.transitions,
    )
    page = write_report(run)
    if not args.quiet:
        print(format_summary(result.summary, out_dir))
        from tradeswarm.scenarios.report.formatting import recovery_lines

        for line in recovery_lines(result.summary):
            print(line)
        print()
        print(tear_sheet_table(load_metrics(out_dir)))
        print(f"report        {page}")
    return EXIT_OK


def _sweep(args: argparse.Namespace) -> int:
    from tradeswarm.scenarios.cli.sweep_progress import make_sweep_progress
    from tradeswarm.scenarios.sweep.report import write_sweep_report
    from tradeswarm.scenarios.sweep.runner import run_sweep
    from tradeswarm.scenarios.sweep.spec import load_sweep

    if args.report is not None:
        if not args.report.exists():
            raise UserError(f"{args.report}: no such ledger")
        print(f"report        {write_sweep_report(args.report, [], args.metric)}")
        return EXIT_OK
    if args.sweep_file is None:
        raise UserError("tradeswarm sweep: give a sweep file, or --report LEDGER")
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    spec = load_sweep(args.sweep_file)
    progress = make_sweep_progress(args.quiet)
    try:
        outcome = run_sweep(spec, workers=args.workers, dask=args.dask, on_progress=progress.update)
    finally:
        progress.close()
    page = write_sweep_report(outcome.ledger, list(spec.grid), spec.metric)
    if not args.quiet:
        rate = outcome.ran / outcome.seconds if outcome.seconds > 0 else 0.0
        print(
            f"sweep         {spec.name}: {outcome.variants} variants, {outcome.skipped} already "
            f"in the ledger, {outcome.ran} run in {outcome.seconds:.1f} s ({rate:.2f}/s)"
        )
        print(f"ledger        {outcome.ledger}")
        print(f"report        {page}")
    for key, error in outcome.failed:
        print(f"tradeswarm: variant {key} failed: {error}", file=sys.stderr)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


REPORT_MODULES = ("tradeswarm.scenarios.report.build", "tradeswarm.scenarios.report.run_data")


def _import_in_background(modules: tuple[str, ...]) -> None:
    """Import the report's modules (pandas, matplotlib, empyrical: about a second) while the
    actor processes run and this one only waits on its sockets. Python's import lock makes
    the later ``import`` wait for this one rather than import twice."""

    def load() -> None:
        for module in modules:
            importlib.import_module(module)

    threading.Thread(target=load, name="import-report", daemon=True).start()


def _report(args: argparse.Namespace) -> int:
    from tradeswarm.scenarios.report.build import build_report
    from tradeswarm.scenarios.report.terminal import load_metrics, tear_sheet_table
    from tradeswarm.scenarios.run.folder import FINISHED, read_status

    status = read_status(args.run_folder)
    if status is not None and status["status"] != FINISHED and not args.unfinished:
        raise UserError(
            f"{args.run_folder}: the run did not finish ({status['status']}: "
            f"{status.get('reason', '')}); add --unfinished to report what it did"
        )

    page = build_report(args.run_folder)
    print(tear_sheet_table(load_metrics(args.run_folder)))
    print(f"report        {page}")
    return EXIT_OK


def format_summary(summary: dict[str, Any], out_dir: Path) -> str:
    positions: dict[str, float] = summary["positions"] or {}
    held = ", ".join(f"{symbol} {quantity:g}" for symbol, quantity in positions.items())
    lines = [
        f"scenario      {summary['scenario']} ({summary['strategy']}, {summary['topology']})",
        f"bars          {summary['bars_processed']:,} in {summary['wall_seconds']} s "
        f"({summary['bar_events_per_second']:,} bar-events/s)",
        f"fills         {summary['fills']} ({summary['round_trips']} round trips)",
        f"positions     {held or 'none'}",
        f"cash          {summary['final_cash']:,.2f}",
        f"equity        {summary['final_equity']:,.2f}",
        f"return        {summary['return']:+.2%}",
        f"run folder    {out_dir}",
    ]
    return "\n".join(lines)


def _check(args: argparse.Namespace) -> int:
    from tradeswarm.scenarios.cli.strategy_tools import strategy_from_argument
    from tradeswarm.scenarios.strategies import check_report

    strategy = strategy_from_argument(args.strategy)
    if args.table:
        from tradeswarm.actors.fsm.table_text import format_table

        print(format_table(strategy))
    ok, report = check_report(strategy)
    print(report, file=sys.stdout if ok else sys.stderr)
    return EXIT_OK if ok else EXIT_USER_ERROR


def _diagram(args: argparse.Namespace) -> int:
    from tradeswarm.scenarios.cli.strategy_tools import diagram, strategy_from_argument

    picture = diagram(strategy_from_argument(args.strategy), args.format)
    if args.out is None:
        sys.stdout.write(picture.decode())
    else:
        args.out.write_bytes(picture)
    return EXIT_OK


def _state(args: argparse.Namespace) -> int:
    """A live run's trading state; a run that has ended prints the state it ended with."""
    from tradeswarm.messages.link_keys import read_state_key
    from tradeswarm.scenarios.run.folder import RUNNING, read_status
    from tradeswarm.scenarios.run.runner import FINAL_STATE_FILE, STATE_KEY_FILE
    from tradeswarm.scenarios.run.state_request import request_trading_state
    from tradeswarm.scenarios.run.summary import as_builtins

    folder: Path = args.run_folder
    status = read_status(folder)
    if status is not None and status["status"] != RUNNING:
        final = folder / FINAL_STATE_FILE
        if not final.exists():
            raise UserError(
                f"{folder}: the run {status['status']} ({status.get('reason', 'no reason')}) "
                "before it had a final state"
            )
        print(final.read_text(), end="")
        return EXIT_OK
    endpoints_file = folder / "endpoints.json"
    if not endpoints_file.exists():
        raise UserError(f"{endpoints_file}: not found; is a run in progress in {folder}?")
    endpoint = json.loads(endpoints_file.read_text())["state"]
    key_file = folder / STATE_KEY_FILE
    key = read_state_key(key_file) if key_file.exists() else None  # none: a single process
    state = request_trading_state(endpoint, args.timeout, key=key)
    print(json.dumps(as_builtins(state), indent=2, sort_keys=True))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

"""The ``tradeswarm`` command. Exit codes: 0 success, 2 a user error, 1 an internal failure."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from scenarios.config import load_scenario
from scenarios.errors import UserError
from scenarios.runner import output_dir, run_scenario
from scenarios.swarm import SwarmFailed, request_trading_state

EXIT_OK, EXIT_FAILURE, EXIT_USER_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeswarm", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the actors do")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a scenario file end to end")
    run.add_argument("scenario", type=Path)
    run.add_argument("--topology", choices=("single", "processes"))
    run.add_argument("--out", help="run folder (default: the scenario's run.output)")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    state = commands.add_parser("state", help="print the trading state of a running swarm")
    state.add_argument("run_folder", type=Path, help="the folder of a run in progress")
    state.add_argument("--timeout", type=float, default=5.0)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "run":
            return _run(args)
        return _state(args)
    except UserError as error:
        print(f"tradeswarm: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except SwarmFailed as error:
        print(f"tradeswarm: the run failed: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("tradeswarm: interrupted; every actor process was stopped", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    out_dir = output_dir(scenario, args.out)
    result = run_scenario(scenario, out_dir=out_dir, topology=args.topology)
    if not args.quiet:
        print(format_summary(result.summary, out_dir))
    return EXIT_OK


def format_summary(summary: dict[str, object], out_dir: Path) -> str:
    positions = summary["positions"] or {}
    held = ", ".join(f"{symbol} {quantity:g}" for symbol, quantity in positions.items())  # type: ignore[union-attr]
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


def _state(args: argparse.Namespace) -> int:
    endpoints_file = args.run_folder / "endpoints.json"
    if not endpoints_file.exists():
        raise UserError(f"{endpoints_file}: not found; is a run in progress in {args.run_folder}?")
    router = json.loads(endpoints_file.read_text())["router"]
    state = request_trading_state(router, args.timeout)
    import msgspec

    print(msgspec.json.encode(state).decode())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

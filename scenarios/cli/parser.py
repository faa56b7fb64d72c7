"""The ``tradeswarm`` command line: its commands and their options, and nothing else.

Kept apart from what the commands do (``scenarios.cli.main``), so ``--help`` and the
README's usage read from one place, and importing it costs only argparse.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def build_parser(description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeswarm", description=description)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the actors do")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a scenario file end to end")
    run.add_argument("scenario", type=Path)
    run.add_argument("--topology", choices=("single", "processes"))
    run.add_argument("--out", help="run folder (default: the scenario's run.output)")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a scenario key, e.g. strategy.params.fast=5 (repeatable)",
    )
    run.add_argument("--seed", type=int, help="the run's seed (run.seed)")
    run.add_argument("--force", action="store_true", help="write over a folder holding a run")
    run.add_argument(
        "--chaos",
        type=int,
        metavar="SEED",
        help="kill actor processes (threads in single) at random bars and shake the order path",
    )
    sweep = commands.add_parser("sweep", help="run the variants of a sweep file, or report one")
    sweep.add_argument("sweep_file", type=Path, nargs="?", help="a sweep file (TOML)")
    sweep.add_argument("--workers", type=int, help="worker processes (default: the CPU count)")
    sweep.add_argument("--dask", metavar="ADDRESS", help="a Dask scheduler (tcp://...) or 'local'")
    sweep.add_argument("--quiet", action="store_true", help="print nothing but errors")
    sweep.add_argument("--report", type=Path, metavar="LEDGER", help="write a ledger's report")
    sweep.add_argument("--metric", default="sharpe", help="the report's heatmap metric")
    check = commands.add_parser("check", help="check a strategy table before any run")
    check.add_argument("strategy", help="a scenario file, a library name, or module:attribute")
    check.add_argument(
        "--table", action="store_true", help="print every cell of the table, derived ones marked"
    )
    draw = commands.add_parser("diagram", help="write a strategy's state diagram")
    draw.add_argument("strategy", help="a scenario file, a library name, or module:attribute")
    draw.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid")
    draw.add_argument("--out", type=Path, help="write to this file instead of standard output")
    report = commands.add_parser("report", help="rebuild the report of a finished run")
    report.add_argument("run_folder", type=Path)
    report.add_argument(
        "--unfinished", action="store_true", help="report a run that failed or was interrupted"
    )
    state = commands.add_parser("state", help="print the trading state of a running swarm")
    state.add_argument("run_folder", type=Path, help="the folder of a run in progress")
    state.add_argument("--timeout", type=float, default=5.0)
    return parser

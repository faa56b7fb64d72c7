"""End-to-end throughput and peak memory of the swarm, beside a plain-Python loop.

Each swarm measurement is the real ``tradeswarm run`` in a subprocess on a synthetic
scenario written to a temporary folder, so it pays everything a user pays: process start,
bar generation, ZeroMQ, the broker journal. Its bar-events per second come from the run's
own ``summary.json``; its peak memory is the PSS (shared pages divided among their
sharers) of the CLI and every process under it.
The plain loop (``benchmarks.plain_loop``) trades the same bars in this process, which
gives the ratio and, through the number of fills, a check that both computed the same run.

    python -m benchmarks.swarm_throughput [--quick] [--cells 1x100k ...] [--topologies ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.plain_loop import PlainResult, run_plain
from benchmarks.process_memory import PeakTreeRss
from tradeswarm.actors.market.synthetic import synthetic_minute_bars
from tradeswarm.scenarios.config.scenario import DataSection

SEED = 7  # the scenario's run.seed, given to the plain loop's bars as well
FAST, SLOW, QUANTITY = 10, 30, 100
STARTING_CASH = 1e9  # so cash never binds and every signal trades in both runs
TOPOLOGIES = ("single", "processes")
CLI_TIMEOUT_SECONDS = 120.0  # per subprocess, at least; the scenario's own is a bit shorter
SLOWEST_BAR_EVENTS_PER_SECOND = 20_000  # a run slower than this times out
CASH_TOLERANCE = 0.01  # dollars: summation order differs, a different fill would not


@dataclass(frozen=True)
class Cell:
    name: str
    symbols: int
    bars_per_symbol: int


CELLS = {
    cell.name: cell
    for cell in (
        Cell("1x100k", 1, 100_000),
        Cell("10x100k", 10, 100_000),
        Cell("100x10k", 100, 10_000),
        # 1,000 symbols x one month of XNYS minutes (January 2024: 21 sessions of 390):
        # about 8.2 million bars, streamed. Run it by name: --cells 1000x1mo
        Cell("1000x1mo", 1000, 21 * 390),
    )
}
DEFAULT_CELLS = ("1x100k", "10x100k", "100x10k")


@dataclass(frozen=True)
class Target:
    cell: str
    topology: str | None  # None: every topology run
    min_bar_events_per_second: float


THROUGHPUT_TARGETS = (Target("100x10k", "processes", 100_000), Target("1x100k", None, 25_000))
MAX_MIB_PER_MILLION_BARS = 300.0


@dataclass(frozen=True)
class SwarmResult:
    cell: Cell
    topology: str
    summary: dict[str, Any] | None  # None: the run failed
    cli_seconds: float
    peak_mib: float
    error: str = ""

    @property
    def bars(self) -> int:
        return int(self.summary["bars_processed"]) if self.summary else 0

    @property
    def mib_per_million_bars(self) -> float:
        return self.peak_mib / (self.bars / 1e6) if self.bars else float("nan")


def timeout_of(cell: Cell) -> float:
    return max(
        CLI_TIMEOUT_SECONDS, cell.symbols * cell.bars_per_symbol / SLOWEST_BAR_EVENTS_PER_SECOND
    )


def symbols_of(cell: Cell) -> list[str]:
    return [f"S{index:03d}" for index in range(cell.symbols)]


def scaled(cell: Cell, divisor: int) -> Cell:
    return Cell(cell.name, cell.symbols, max(1, cell.bars_per_symbol // divisor))


def scenario_toml(cell: Cell, topology: str, transport: str = "ipc") -> str:
    symbols = ", ".join(f'"{symbol}"' for symbol in symbols_of(cell))
    return f"""\
[run]
name = "bench-{cell.name}-{topology}"
seed = {SEED}
topology = "{topology}"
transport = "{transport}"
timeout_seconds = {timeout_of(cell) - 10:.0f}

[data]
source = "synthetic"
symbols = [{symbols}]
bars_per_symbol = {cell.bars_per_symbol}

[strategy]
name = "sma_crossover"
params = {{ fast = {FAST}, slow = {SLOW}, quantity = {QUANTITY} }}

[broker]
starting_cash = {STARTING_CASH:.1f}
# The plain loop has no sessions: switch the last-minute rule off so both trade alike.
last_minute_seconds = 0
"""


def cli_command() -> list[str]:
    """The installed ``tradeswarm`` beside this interpreter, else the module itself."""
    beside = Path(sys.executable).parent / "tradeswarm"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("tradeswarm")
    return [found] if found else [sys.executable, "-m", "tradeswarm.scenarios.cli.main"]


def run_swarm(cell: Cell, topology: str, folder: Path, transport: str = "ipc") -> SwarmResult:
    """One CLI run, its process tree sampled for memory, killed whole if it overruns."""
    scenario = folder / f"{cell.name}-{topology}.toml"
    scenario.write_text(scenario_toml(cell, topology, transport))
    out_dir = folder / f"{cell.name}-{topology}"
    command = [*cli_command(), "run", str(scenario), "--out", str(out_dir), "--quiet"]
    started = time.perf_counter()
    # A session of its own, so a timeout can kill the actor processes with the CLI.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    with PeakTreeRss(process.pid) as memory:
        try:
            _, stderr = process.communicate(timeout=timeout_of(cell))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            stderr = f"timed out after {timeout_of(cell):.0f} s; killed"
    seconds = time.perf_counter() - started
    summary_path = out_dir / "summary.json"
    if process.returncode != 0 or not summary_path.exists():
        tail = "\n".join(stderr.strip().splitlines()[-8:])
        error = f"exit code {process.returncode}: {tail}"
        return SwarmResult(cell, topology, None, seconds, memory.peak_mib, error)
    summary = json.loads(summary_path.read_text())
    return SwarmResult(cell, topology, summary, seconds, memory.peak_mib)


def run_baseline(cell: Cell) -> PlainResult:
    defaults = DataSection(source="synthetic", symbols=symbols_of(cell))
    bars = synthetic_minute_bars(
        symbols_of(cell),
        cell.bars_per_symbol,
        seed=SEED,
        start=defaults.start,
        start_price=defaults.start_price,
        drift=defaults.drift,
        volatility=defaults.volatility,
    )
    return run_plain(bars, fast=FAST, slow=SLOW, quantity=QUANTITY, starting_cash=STARTING_CASH)


def cross_check(swarm: SwarmResult, plain: PlainResult) -> list[str]:
    """What the swarm and the plain loop disagree on; empty when they agree."""
    if swarm.summary is None:
        return []
    problems = []
    if swarm.bars != plain.bars:
        problems.append(f"bars: swarm {swarm.bars:,}, plain loop {plain.bars:,}")
    if swarm.summary["fills"] != plain.fills:
        problems.append(f"fills: swarm {swarm.summary['fills']:,}, plain loop {plain.fills:,}")
    if abs(swarm.summary["final_cash"] - plain.final_cash) > CASH_TOLERANCE:
        problems.append(
            f"final cash: swarm {swarm.summary['final_cash']:,.2f}, "
            f"plain loop {plain.final_cash:,.2f}"
        )
    return problems


def shout(lines: Sequence[str]) -> None:
    bar = "!" * 78
    print("\n".join([bar, *(f"!! {line}" for line in lines), bar]), flush=True)


def format_table(rows: list[tuple[SwarmResult, PlainResult]]) -> str:
    header = (
        "cell",
        "topology",
        "bars",
        "wall s",
        "bar-events/s",
        "plain-loop bar-events/s",
        "ratio",
        "peak MiB",
        "MiB per 1M bars",
    )
    body = []
    for swarm, plain in rows:
        plain_rate = plain.bar_events_per_second
        if swarm.summary is None:
            body.append((swarm.cell.name, swarm.topology, "FAILED", "", "", f"{plain_rate:,.0f}"))
            continue
        rate = swarm.summary["bar_events_per_second"]
        body.append(
            (
                swarm.cell.name,
                swarm.topology,
                f"{swarm.bars:,}",
                f"{swarm.summary['wall_seconds']:.2f}",
                f"{rate:,.0f}",
                f"{plain_rate:,.0f}",
                f"{rate / plain_rate:.3f}" if plain_rate else "n/a",
                f"{swarm.peak_mib:,.0f}",
                f"{swarm.mib_per_million_bars:,.0f}",
            )
        )
    widths = [max(len(row[i]) for row in (header, *body) if i < len(row)) for i in range(9)]
    lines = []
    for index, row in enumerate((header, *body)):
        cells = [
            text.ljust(widths[i]) if i < 2 else text.rjust(widths[i]) for i, text in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def target_lines(results: list[SwarmResult], quick: bool) -> list[str]:
    lines = []
    for target in THROUGHPUT_TARGETS:
        matching = [
            result
            for result in results
            if result.cell.name == target.cell
            and (target.topology is None or result.topology == target.topology)
        ]
        where = f"{target.cell} {target.topology or '(each topology)'}"
        goal = f">= {target.min_bar_events_per_second:,.0f} bar-events/s"
        if not matching:
            lines.append(f"not run  {goal} on {where}")
        for result in matching:
            if result.summary is None:
                lines.append(f"FAILED   {goal} on {result.cell.name} {result.topology}")
                continue
            rate = result.summary["bar_events_per_second"]
            verdict = "PASS" if rate >= target.min_bar_events_per_second else "MISS"
            lines.append(
                f"{verdict}     {goal} on {result.cell.name} {result.topology}: {rate:,.0f}"
            )
    for result in results:
        if result.summary is None:
            continue
        per_million = result.mib_per_million_bars
        verdict = "PASS" if per_million < MAX_MIB_PER_MILLION_BARS else "MISS"
        lines.append(
            f"{verdict}     < {MAX_MIB_PER_MILLION_BARS:.0f} MiB per 1M bars on "
            f"{result.cell.name} {result.topology}: {per_million:,.0f} "
            f"({result.peak_mib:,.0f} MiB over {result.bars / 1e6:g}M bars)"
        )
    if quick:
        lines.append("(--quick: the targets are for the full-size cells; these are indicative)")
    return lines


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.swarm_throughput", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the bars: a smoke run")
    parser.add_argument(
        "--cells", nargs="+", choices=list(CELLS), default=list(DEFAULT_CELLS), help="cells to run"
    )
    parser.add_argument("--topologies", nargs="+", choices=TOPOLOGIES, default=list(TOPOLOGIES))
    parser.add_argument(
        "--transport", choices=("ipc", "tcp"), default="ipc", help="between processes"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cells = [scaled(CELLS[name], 10) if args.quick else CELLS[name] for name in args.cells]
    print(
        f"swarm throughput: SMA({FAST},{SLOW}) x {QUANTITY}, seed {SEED}, "
        f"{os.cpu_count()} CPUs, load average {load_average()}, {cli_command()[0]}",
        flush=True,
    )
    started = time.perf_counter()
    rows: list[tuple[SwarmResult, PlainResult]] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tradeswarm-bench-") as folder:
        for cell in cells:
            plain = run_baseline(cell)
            print(
                f"{cell.name:8} plain loop  {plain.bars:>9,} bars  {plain.seconds:6.2f} s  "
                f"{plain.bar_events_per_second:>11,.0f}/s  {plain.fills:,} fills",
                flush=True,
            )
            for topology in args.topologies:
                swarm = run_swarm(cell, topology, Path(folder), args.transport)
                rows.append((swarm, plain))
                if swarm.summary is None:
                    problems.append(f"{cell.name} {topology} failed: {swarm.error}")
                    shout([f"{cell.name} {topology}: the run FAILED", *swarm.error.splitlines()])
                    continue
                print(
                    f"{cell.name:8} {topology:11} {swarm.bars:>9,} bars  "
                    f"{swarm.summary['wall_seconds']:6.2f} s  "
                    f"{swarm.summary['bar_events_per_second']:>11,}/s  "
                    f"{swarm.summary['fills']:,} fills  "
                    f"(CLI {swarm.cli_seconds:.2f} s in all, peak {swarm.peak_mib:,.0f} MiB)",
                    flush=True,
                )
                mismatch = cross_check(swarm, plain)
                if mismatch:
                    problems += [f"{cell.name} {topology} {text}" for text in mismatch]
                    shout([f"{cell.name} {topology}: swarm and plain loop DISAGREE", *mismatch])
    print()
    print(format_table(rows))
    print()
    print("targets")
    print("\n".join(f"  {line}" for line in target_lines([row[0] for row in rows], args.quick)))
    print()
    if problems:
        shout(["PROBLEMS:", *problems])
    else:
        print("cross-check: fills and final cash of every run match the plain loop")
    print(
        f"total {time.perf_counter() - started:.1f} s, load average now {load_average()}",
        flush=True,
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

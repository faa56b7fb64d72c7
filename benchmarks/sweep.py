"""A 100-variant SMA grid swept by tradeswarm, backtesting.py and backtrader on the same bars.

The grid is ``benchmarks.sweep_peers.GRID`` (fast 5..50 by 5 x slow 60..240 by 20), the bars
one symbol of seeded synthetic minute bars, the rules those of ``benchmarks/plain_loop.py``
(long only, next-open fills, no costs, cash that never binds, no last-minute rule).

tradeswarm runs as a user runs it: ``tradeswarm sweep`` in a subprocess, a process pool of
``--workers`` (default the CPU count, as both peers use), variants in the ``single``
topology, a CSV ledger written as variants finish. Its seconds are the whole command's,
start-up included; its memory the peak PSS of the command and its workers
(``benchmarks/process_memory.py``), as the peers' ``tree MiB``. The peers run in the same
invocation, after it, on the same bars (``benchmarks/sweep_peers.py``, the ``bench`` extra).

    python -m benchmarks.sweep [--bars 100000] [--seed 3] [--workers 2] [--peers ...]
                               [--profile] [--json PATH]

Round trips are compared with tradeswarm's independent plain loop on a sample of variants:
a mismatch is shouted, since a fast wrong answer is no result.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.plain_loop import run_plain
from benchmarks.process_memory import PeakTreeRss
from benchmarks.swarm_throughput import cli_command
from tradeswarm.actors.market.synthetic import synthetic_minute_bars

QUANTITY = 100
STARTING_CASH = 1e9
FAST = tuple(range(5, 51, 5))  # the same grid as benchmarks.sweep_peers.GRID
SLOW = tuple(range(60, 241, 20))
TIMEOUT_SECONDS = 1800.0


@dataclass(frozen=True)
class OwnResult:
    name: str
    bars: int
    variants: int
    seconds: float  # the whole `tradeswarm sweep` command
    variants_per_second: float
    bar_events_per_second: float
    cpu_seconds: float
    tree_peak_mib: float
    workers: int
    median_setup_ms: float  # a variant's set-up besides its bars (the ledger's setup_seconds)
    median_variant_seconds: float
    trades: dict[tuple[int, int], int]


def scenario_toml(bars: int, seed: int) -> str:
    return f"""\
[run]
name = "sweep-bench"
seed = {seed}

[data]
source = "synthetic"
symbols = ["S"]
bars_per_symbol = {bars}

[strategy]
name = "sma_crossover"
params = {{ fast = 10, slow = 60, quantity = {QUANTITY} }}

[broker]
starting_cash = {STARTING_CASH:.1f}
last_minute_seconds = 0
"""


def sweep_toml(ledger: Path) -> str:
    return f"""\
[sweep]
name = "sweep-bench"
scenario = "base.toml"
ledger = "{ledger}"

[grid]
"strategy.params.fast" = {list(FAST)}
"strategy.params.slow" = {list(SLOW)}
"""


def run_own(bars: int, seed: int, workers: int, folder: Path) -> OwnResult:
    (folder / "base.toml").write_text(scenario_toml(bars, seed))
    ledger = folder / "ledger.csv"
    (folder / "sweep.toml").write_text(sweep_toml(ledger))
    command = [*cli_command(), "sweep", str(folder / "sweep.toml"), "--workers", str(workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--quiet"], cwd=folder, stderr=subprocess.PIPE, text=True)
    with PeakTreeRss(process.pid) as memory:
        _, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"tradeswarm sweep failed ({process.returncode}):\n{stderr}")
    table = pd.read_csv(ledger)
    failed = table[table["status"] != "ok"]
    if len(failed):
        raise RuntimeError(f"{len(failed)} variants failed: {failed['error'].iloc[0]}")
    variants = len(table)
    trades = {
        (int(row["strategy.params.fast"]), int(row["strategy.params.slow"])): int(row["fills"]) // 2
        for _, row in table.iterrows()
    }
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return OwnResult(
        name="tradeswarm",
        bars=bars,
        variants=variants,
        seconds=seconds,
        variants_per_second=variants / seconds,
        bar_events_per_second=variants * bars / seconds,
        cpu_seconds=cpu,
        tree_peak_mib=memory.peak_mib,
        workers=workers,
        median_setup_ms=float(table["setup_seconds"].median()) * 1000,
        median_variant_seconds=float(table["wall_seconds"].median()),
        trades=dict(sorted(trades.items())),
    )


def plain_trades(bars: int, seed: int, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Round trips of the independent plain loop (``benchmarks/plain_loop.py``)."""
    columns = synthetic_minute_bars(["S"], bars, seed=seed)
    return {
        (fast, slow): run_plain(
            columns, fast=fast, slow=slow, quantity=QUANTITY, starting_cash=STARTING_CASH
        ).fills
        // 2
        for fast, slow in pairs
    }


def profile_one_variant(bars: int, seed: int, folder: Path) -> str:
    """Where a variant's CPU goes, over every thread (the actors are threads in the
    ``single`` topology, which cProfile would not see): one variant under yappi, after
    one unprofiled (a worker checks a strategy's table once, then runs many variants)."""
    import yappi

    from tradeswarm.scenarios.api import run

    scenario = folder / "base.toml"
    run(scenario)
    yappi.set_clock_type("cpu")
    yappi.start()
    run(scenario)
    yappi.stop()
    stats = yappi.get_func_stats().sort("tsub")
    total = sum(thread.ttot for thread in yappi.get_thread_stats())
    lines = [f"CPU {total:.2f} s over all threads (yappi's own overhead included)"]
    lines.append(f"{'own s':>7} {'share':>6} {'calls':>8}  function")
    for entry in list(stats)[:20]:
        place = f"{Path(entry.module).name}:{entry.lineno} {entry.name}"
        lines.append(f"{entry.tsub:7.3f} {entry.tsub / total:6.1%} {entry.ncall:8d}  {place}")
    yappi.clear_stats()
    return "\n".join(lines)


def peers(names: list[str], bars: int, seed: int) -> list[Any]:
    os.environ["TQDM_DISABLE"] = "1"  # backtesting.py's progress bars, in its workers too
    try:
        from benchmarks import sweep_peers
    except ImportError as error:
        print(f"peers skipped: {error} (pip install -e '.[test,bench]')", flush=True)
        return []
    frame = sweep_peers.minute_bars(bars, seed)
    results = []
    for name in names:
        results.append(sweep_peers.PEERS[name](frame, sweep_peers.GRID))
        print(f"  {results[-1].name}: {results[-1].seconds:.1f} s", flush=True)
    return results


def table(own: OwnResult, others: list[Any]) -> str:
    header = (
        f"{'engine':<24} {'seconds':>8} {'variants/s':>10} {'bar-events/s':>13} "
        f"{'cpu s':>7} {'tree MiB':>9} {'variants/s ratio':>17}"
    )
    lines = [header, "-" * len(header)]
    rows = [
        (
            own.name,
            own.seconds,
            own.variants_per_second,
            own.bar_events_per_second,
            own.cpu_seconds,
            own.tree_peak_mib,
        )
    ]
    rows += [(p.name, p.seconds, p.variants_per_second, p.bar_events_per_second, p.cpu_seconds,
              p.tree_peak_mib) for p in others]  # fmt: skip
    for name, seconds, per_second, events, cpu, mib in rows:
        ratio = own.variants_per_second / per_second
        lines.append(
            f"{name:<24} {seconds:>8.1f} {per_second:>10.3f} {events:>13,.0f} {cpu:>7.1f} "
            f"{mib:>9.1f} {ratio:>16.2f}x"
        )
    lines.append("(ratio: tradeswarm's variants per second over the row's)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000, help="minute bars (one symbol)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--peers", nargs="*", default=["backtesting", "backtrader"], help="none: ours alone"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile one variant too (needs yappi: bench extra)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    print(
        f"sweep benchmark: {len(FAST) * len(SLOW)} variants x {args.bars:,} bars, seed "
        f"{args.seed}, {args.workers} workers, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tradeswarm-sweep-bench-") as name:
        folder = Path(name)
        own = run_own(args.bars, args.seed, args.workers, folder)
        print(
            f"  tradeswarm: {own.seconds:.1f} s, median variant {own.median_variant_seconds:.3f} s"
            f" (set-up {own.median_setup_ms:.1f} ms)",
            flush=True,
        )
        pairs = list(own.trades)
        sample = [pairs[0], pairs[len(pairs) // 2], pairs[-1]]
        reference = plain_trades(args.bars, args.seed, sample)
        for pair, count in reference.items():
            if own.trades[pair] != count:
                problems.append(f"{pair}: tradeswarm {own.trades[pair]}, plain loop {count}")
        profile = profile_one_variant(args.bars, args.seed, folder) if args.profile else ""
    others = peers(args.peers, args.bars, args.seed)
    print(table(own, others))
    print("round trips, a sample (fast, slow): " + "; ".join(
        f"{pair} tradeswarm {own.trades[pair]}, plain loop {reference[pair]}"
        + "".join(f", {p.name} {p.trades[pair]}" for p in others)
        for pair in sample
    ))  # fmt: skip
    if profile:
        print("\none variant in this process, by own CPU time:\n" + profile)
    if problems:
        print("!! tradeswarm and the plain loop DISAGREE: " + "; ".join(problems))
    print(f"load after: {os.getloadavg()[0]:.2f}")
    if args.json is not None:
        figures = {k: v for k, v in asdict(own).items() if k != "trades"}
        figures["peers"] = [{k: v for k, v in asdict(p).items() if k != "trades"} for p in others]
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

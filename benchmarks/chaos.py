"""Chaos trials: ``tradeswarm run --chaos SEED`` again and again, against one clean run.

Each trial is the real CLI on a 20-symbol minute scenario in the ``processes`` topology
(or ``single``, ``--topology``), with actor processes killed (SIGKILL; in ``single``,
their threads crashed) at bars the seed picks and the order path shaken
(messages duplicated, reversed, held back, dropped). A trial counts as identical when its
``fills.csv`` is byte-identical to the clean run's; an order is lost when the clean run's
broker took it and the trial's did not, duplicated when the trial's broker journal holds
it twice. Recovery time runs from the moment the runner noticed the kill to the moment the
restarted host said it had caught up.

    python -m benchmarks.chaos [--trials 100] [--symbols 20] [--bars 5000] [--first-seed 1]
                               [--topology processes|single]

Goal (issue 11): 100 identical, 0 lost, 0 duplicated, recovery p99 under 2 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.messages import OrderRequest

CLI_TIMEOUT_SECONDS = 600


def scenario_toml(symbols: int, bars: int, topology: str = "processes") -> str:
    listed = ", ".join(f'"S{index:03d}"' for index in range(symbols))
    return f"""\
[run]
name = "chaos"
seed = 5
topology = "{topology}"
instrument_shards = 2
heartbeat_seconds = 2.0
checkpoint_mib = 0.5  # later kills recover from a checkpoint, early ones from the whole log

[data]
source = "synthetic"
symbols = [{listed}]
bars_per_symbol = {bars}

[strategy]
name = "sma_crossover"
params = {{ fast = 5, slow = 20, quantity = 10 }}

[broker]
starting_cash = 10000000.0
"""


def run(scenario: Path, out: Path, chaos: int | None) -> tuple[int, float, str]:
    command = [sys.executable, "-m", "tradeswarm.scenarios.cli.main", "run", str(scenario)]
    command += ["--out", str(out), "--quiet"]
    if chaos is not None:
        command += ["--chaos", str(chaos)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=CLI_TIMEOUT_SECONDS)
    return done.returncode, time.perf_counter() - started, done.stderr


def order_ids(journal: Path) -> Counter[str]:
    return Counter(
        message.client_order_id
        for message in read_journal(journal)
        if isinstance(message, OrderRequest)
    )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=__doc__)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--symbols", type=int, default=20)
    parser.add_argument("--bars", type=int, default=5000, help="minute bars per symbol")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--topology", choices=["processes", "single"], default="processes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tradeswarm-chaos-") as folder:
        root = Path(folder)
        scenario = root / "chaos.toml"
        scenario.write_text(scenario_toml(args.symbols, args.bars, args.topology))
        code, seconds, stderr = run(scenario, root / "clean", None)
        if code != 0:
            print(f"the clean run failed ({code}):\n{stderr}")
            return 1
        clean_fills = (root / "clean" / "fills.csv").read_bytes()
        clean_orders = order_ids(root / "clean" / "journal.msgpack")
        clean_fill_count = clean_fills.count(b"\n") - 1
        print(
            f"chaos: {args.symbols} symbols x {args.bars:,} minute bars, 2 hosts, "
            f"{args.topology}; clean run "
            f"{seconds:.1f} s, {len(clean_orders):,} orders, "
            f"{clean_fill_count:,} fills",
            flush=True,
        )
        identical = failed = kills = restarts = lost = duplicated = reconciled = 0
        from_checkpoint = 0
        order_faults = Counter[str]()
        recovery: list[float] = []
        for seed in range(args.first_seed, args.first_seed + args.trials):
            out = root / f"trial-{seed}"
            code, seconds, stderr = run(scenario, out, seed)
            if code != 0:
                failed += 1
                print(f"seed {seed}: exit {code}: {stderr.strip().splitlines()[-1:]}")
                continue
            summary = json.loads((out / "summary.json").read_text())
            chaos = summary["chaos"]
            kills += sum(kill["at_bar"] is not None for kill in chaos["kills"])
            restarts += len(summary["restarts"])
            recovery += [
                restart["recovery_seconds"]
                for restart in summary["restarts"]
                if restart["recovery_seconds"]
            ]
            for kind in ("duplicated", "reversed", "held", "dropped"):
                order_faults[kind] += chaos[kind]
            reconciled += len(summary["reconciliations"])
            from_checkpoint += sum(restart["from_checkpoint"] for restart in summary["restarts"])
            orders = order_ids(out / "journal.msgpack")
            lost += len(set(clean_orders) - set(orders))
            duplicated += sum(count - 1 for count in orders.values() if count > 1)
            same = (out / "fills.csv").read_bytes() == clean_fills
            identical += same
            print(
                f"seed {seed:3d}: {seconds:5.1f} s, {len(summary['restarts'])} restarts, "
                f"{'identical' if same else 'DIFFERENT'}",
                flush=True,
            )
            for path in out.iterdir():
                if path.suffix in (".html", ".png"):
                    path.unlink()
    print()
    print(f"trials                {args.trials}")
    print(f"failed runs           {failed}")
    print(f"kills                 {kills}")
    print(f"restarts              {restarts} ({from_checkpoint} from a checkpoint)")
    print(f"reconciliations       {reconciled} (a restarted instrument the broker corrected)")
    print(f"identical fills       {identical} of {args.trials}")
    print(f"lost orders           {lost}")
    print(f"duplicate orders      {duplicated}")
    print(
        "order-path faults     "
        + ", ".join(f"{count:,} {kind}" for kind, count in sorted(order_faults.items()))
    )
    if recovery:
        print(
            f"recovery (kill->back) p50 {statistics.median(recovery):.2f} s, "
            f"p99 {percentile(recovery, 0.99):.2f} s, max {max(recovery):.2f} s"
        )
    goal = identical == args.trials and lost == 0 and duplicated == 0
    goal = goal and bool(recovery) and percentile(recovery, 0.99) < 2.0
    print(f"goal (all identical, 0 lost, 0 duplicated, p99 < 2 s): {'MET' if goal else 'MISSED'}")
    return 0 if goal else 1


if __name__ == "__main__":
    sys.exit(main())

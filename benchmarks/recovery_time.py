"""Recovery time against run length, with and without checkpoints.

A restarted actor replays its input log; with checkpoints (``run.checkpoint_mib``) only
the part written since the last one. This measures what that buys: for runs of growing
length, an instrument host and then the broker are killed (SIGKILL) 90% of the way
through, once with checkpoints off and once at the default, and the restart's replayed
inputs, replay time and recovery time (kill noticed to caught up) are printed beside the
clean run's wall time with and without checkpoints (what taking them costs). Every run's
``fills.csv`` must be the clean run's, or the benchmark fails.

    python -m benchmarks.recovery_time [--symbols 4] [--bars 50000 200000] [--mib 4]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import chaos

TIMEOUT_SECONDS = 900.0
KILL_AT = 0.9  # of the clean run's journal


def scenario_toml(symbols: int, bars: int, checkpoint_mib: float) -> str:
    """The chaos benchmark's scenario, with its checkpoints set, its timeout raised, and
    the default heartbeat (a long run's checkpoint can keep an actor busy for a second)."""
    text = chaos.scenario_toml(symbols, bars).replace("heartbeat_seconds = 2.0\n", "")
    settings = f"checkpoint_mib = {checkpoint_mib}\ntimeout_seconds = {TIMEOUT_SECONDS}"
    return re.sub(r"checkpoint_mib = .*", settings, text)


def command(scenario: Path, out: Path) -> list[str]:
    cli = [sys.executable, "-m", "tradeswarm.scenarios.cli.main", "run", str(scenario)]
    return [*cli, "--out", str(out), "--quiet"]


def node_pid(parent: int, node: str) -> int | None:
    """The actor process of ``node`` under the CLI's pid."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and len(words) >= 2 and words[-2] == node.encode():
            return int(entry.name)
    return None


def run(scenario: Path, out: Path, victim: str | None, journal_bytes: int) -> dict[str, Any]:
    started = time.perf_counter()
    process = subprocess.Popen(command(scenario, out), stderr=subprocess.PIPE, text=True)
    if victim is not None:
        journal = out / "journal.msgpack"
        while not (journal.exists() and journal.stat().st_size >= KILL_AT * journal_bytes):
            if process.poll() is not None:
                raise SystemExit(f"the run ended before the kill: {process.stderr}")
            time.sleep(0.01)
        pid = node_pid(process.pid, victim)
        if pid is None:
            raise SystemExit(f"no process {victim} under the run")
        os.kill(pid, signal.SIGKILL)
    _, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{scenario.name}: exit {process.returncode}\n{stderr}")
    summary = json.loads((out / "summary.json").read_text())
    return {"seconds": seconds, "summary": summary, "fills": (out / "fills.csv").read_bytes()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recovery_time")
    parser.add_argument("--symbols", type=int, default=4)
    parser.add_argument("--bars", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--mib", type=float, default=16.0, help="run.checkpoint_mib when on")
    args = parser.parse_args(argv)
    print(
        f"{'bars':>10} {'checkpoints':>11} {'clean s':>8} {'victim':>14} "
        f"{'replayed':>9} {'replay s':>9} {'recovery s':>10}"
    )
    with tempfile.TemporaryDirectory(prefix="tradeswarm-recovery-") as folder:
        root = Path(folder)
        for bars in args.bars:
            reference: bytes | None = None
            for mib in (0.0, args.mib):
                scenario = root / f"r{bars}-{mib}.toml"
                scenario.write_text(scenario_toml(args.symbols, bars, mib))
                clean = run(scenario, root / f"clean-{bars}-{mib}", None, 0)
                journal_bytes = (root / f"clean-{bars}-{mib}" / "journal.msgpack").stat().st_size
                reference = reference or clean["fills"]
                label = f"{mib:g} MiB" if mib else "off"
                for victim in ("instruments-0", "broker"):
                    killed = run(scenario, root / f"{victim}-{bars}-{mib}", victim, journal_bytes)
                    if killed["fills"] != reference:
                        print(f"{bars} bars, {label}: the fills after killing {victim} differ")
                        return 1
                    (restart,) = killed["summary"]["restarts"]
                    print(
                        f"{bars * args.symbols:>10,} {label:>11} {clean['seconds']:>8.1f} "
                        f"{victim:>14} {restart['replayed_inputs']:>9,} "
                        f"{restart['replay_seconds']:>9.3f} {restart['recovery_seconds']:>10.2f}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

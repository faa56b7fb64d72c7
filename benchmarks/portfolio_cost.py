"""What reading the portfolio costs: the same SMA crossover, sized by a fixed quantity and
by a percent of the broker's equity, on the same synthetic minute bars.

A strategy that reads the portfolio (``reads_portfolio=True``) decides on a bar only once
the broker has matched it, so the figures it sizes by are the same in every run: its
instrument cannot run ahead of the broker, and every bar costs a broker -> host -> broker
round trip. This measures that price.

    python -m benchmarks.portfolio_cost [--symbols 10] [--bars 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.swarm_throughput import cli_command
from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import When
from tradeswarm.scenarios.strategies import sma_crossover as sma

REPO = Path(__file__).resolve().parents[1]


def buy_percent(ctx: fsm.Context, bar: fsm.Bar) -> list[fsm.Intent]:
    """A twentieth of the broker's equity (1,000,000 / 20 symbols' worth at most)."""
    return fsm.order_percent(ctx, 0.05)


SMA_PERCENT = replace(
    sma.STRATEGY,
    name="sma_percent",
    reads_portfolio=True,
    table={
        **sma.STRATEGY.table,
        (sma.FLAT, fsm.BAR): (When(sma.ENTRY_PENDING, sma.crosses_up, buy_percent), When(sma.FLAT)),
    },
)


def scenario(folder: Path, strategy: str, symbols: int, bars: int, topology: str) -> Path:
    listed = ", ".join(f'"S{index:03d}"' for index in range(symbols))
    path = folder / f"{strategy.split(':')[-1]}-{topology}.toml"
    path.write_text(
        f"""
[run]
name = "cost"
seed = 5
topology = "{topology}"
[data]
source = "synthetic"
symbols = [{listed}]
bars_per_symbol = {bars}
[strategy]
name = "{strategy}"
params = {{ fast = 5, slow = 20, quantity = 10 }}
[broker]
starting_cash = 1000000.0
"""
    )
    return path


def one_run(path: Path, out: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    command = [*cli_command(), "run", str(path), "--out", str(out), "--quiet"]
    subprocess.run(command, check=True, cwd=REPO)
    seconds = time.perf_counter() - started
    return seconds, json.loads((out / "summary.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--symbols", type=int, default=10)
    parser.add_argument("--bars", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.symbols} symbols x {args.bars:,} bars, processes, median of {args.repeat} runs")
    with tempfile.TemporaryDirectory() as folder:
        rates: dict[str, float] = {}
        for label, strategy in (
            ("fixed quantity", "sma_crossover"),
            ("percent of equity", "benchmarks.portfolio_cost:SMA_PERCENT"),
        ):
            path = scenario(Path(folder), strategy, args.symbols, args.bars, "processes")
            runs = [one_run(path, Path(folder) / f"out-{index}") for index in range(args.repeat)]
            bars = int(runs[0][1]["bars_processed"])  # type: ignore[call-overload]
            seconds = statistics.median(run[0] for run in runs)
            rates[label] = bars / seconds
            fills = runs[0][1]["fills"]
            print(
                f"{label:<20} {seconds:6.2f} s  {rates[label]:>9,.0f} bar-events/s  {fills} fills"
            )
        ratio = rates["percent of equity"] / rates["fixed quantity"]
        print(f"percent of equity / fixed quantity: {ratio:.2f}")


if __name__ == "__main__":
    main()

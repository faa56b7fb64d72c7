"""The peers of the sweep benchmark: one SMA-crossover grid swept by backtesting.py and backtrader.

``benchmarks/sweep.py`` times tradeswarm's own sweep on the same bars and grid and prints
the ratios; this module is the peers' half. It needs the ``bench`` extra
(``pip install -e '.[test,bench]'``), which pins both peers.

The strategy is the one of ``benchmarks/plain_loop.py``: long only, SMA(fast) against
SMA(slow) of the closes; flat and fast crossing above slow buys 100 units, long and fast
crossing below sells them; a market order decided on bar ``i``'s close fills at bar
``i + 1``'s open; an order decided on the last bar never fills; commission 0; cash 1e9 so it
never binds. Each peer keeps its own defaults elsewhere, listed in ``run_backtesting`` and
``run_backtrader``.

Each peer runs in a child process forked for it (the bars are inherited, not pickled), so
one peer's memory never counts in the other's figures:

* **seconds**: wall time of the sweep call alone (``Backtest.optimize`` or
  ``Cerebro.run``), measured inside the child; building the bars, the DataFrame and the
  peer's objects is outside it.
* **cpu_seconds**: user + system CPU time of the child and its pool workers from just
  before the sweep call to its end (workers reaped). On a busy machine the wall time
  stretches and this much less, so ``cpu_seconds / processes`` estimates the wall time the
  sweep would take on idle cores.
* **peak_mib**: the largest resident set (RSS high-water mark) of any one process of the
  peer: ``max(RUSAGE_SELF, RUSAGE_CHILDREN).ru_maxrss`` read in the child once its pool
  workers are reaped. It is per process, not a sum over the workers.
* **tree_peak_mib**: the largest sum, sampled every 0.1 s, of the proportional set size of
  the child and all its descendants (``benchmarks/process_memory.py``, the measure of the
  swarm benchmark), so a pool of workers counts in full and shared pages once.
* **processes**: the most worker processes seen at once under the child by the same
  sampler (multiprocessing's resource tracker, a bookkeeping process, is not counted).
* **trades**: closed round trips per (fast, slow); a position still open at the end is not
  counted. In tradeswarm's terms that is ``fills // 2``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.connection
import os
import resource
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from itertools import product
from pathlib import Path

import backtesting
import backtesting.lib
import backtrader as bt
import numpy as np
import pandas as pd

from benchmarks.process_memory import MIB, PeakTreeRss
from tradeswarm.actors.market.synthetic import synthetic_minute_bars

QUANTITY = 100
STARTING_CASH = 1e9

# What a sweep returns in the peer's child: wall seconds of the sweep call, the CPU reading
# taken just before it (see _cpu_seconds) and the closed round trips per (fast, slow).
SweepOutcome = tuple[float, float, dict[tuple[int, int], int]]


@dataclass(frozen=True)
class Grid:
    """The sweep's parameters: every (fast, slow) of the product, all with fast < slow."""

    fast: tuple[int, ...]
    slow: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.fast or not self.slow:
            raise ValueError("the grid needs at least one fast and one slow value")
        if max(self.fast) >= min(self.slow):
            raise ValueError("every fast must be below every slow, so that all variants run")

    def pairs(self) -> list[tuple[int, int]]:
        return list(product(self.fast, self.slow))

    @property
    def variants(self) -> int:
        return len(self.fast) * len(self.slow)


GRID = Grid(fast=tuple(range(5, 51, 5)), slow=tuple(range(60, 241, 20)))


@dataclass(frozen=True)
class PeerResult:
    name: str  # the peer and its version, e.g. "backtesting.py 0.6.6"
    bars: int
    variants: int
    seconds: float
    variants_per_second: float
    bar_events_per_second: float  # variants * bars / seconds
    peak_mib: float  # largest RSS high-water mark of any one process of the peer
    tree_peak_mib: float  # largest sampled PSS sum of the peer's process tree
    cpu_seconds: float  # user + system CPU of the peer's processes during the sweep
    processes: int  # most worker processes seen at once (0: the sweep ran in one process)
    trades: dict[tuple[int, int], int] = field(repr=False)  # closed round trips per (fast, slow)


def minute_bars(count: int, seed: int) -> pd.DataFrame:
    """One symbol of tradeswarm's synthetic minute bars, as the peers take them.

    The index is the bars' close time, UTC but tz-naive (neither peer needs a zone).
    """
    columns = synthetic_minute_bars(("S",), count, seed=seed)["S"]
    index = pd.DatetimeIndex(pd.to_datetime(columns.ts_ns, unit="ns"), name="time")
    return pd.DataFrame(
        {
            "Open": columns.open,
            "High": columns.high,
            "Low": columns.low,
            "Close": columns.close,
            "Volume": columns.volume,
        },
        index=index,
    )


# --- backtesting.py -------------------------------------------------------------------------


def _sma(values: np.ndarray, period: int) -> np.ndarray:
    return pd.Series(values).rolling(period).mean().to_numpy()


class BacktestingSmaCross(backtesting.Strategy):
    fast = 10
    slow = 30

    def init(self) -> None:
        self.sma_fast = self.I(_sma, self.data.Close, self.fast)
        self.sma_slow = self.I(_sma, self.data.Close, self.slow)

    def next(self) -> None:
        if not self.position:
            if backtesting.lib.crossover(self.sma_fast, self.sma_slow):
                self.buy(size=QUANTITY)
        elif backtesting.lib.crossover(self.sma_slow, self.sma_fast):
            self.position.close()


def _sweep_backtesting(bars: pd.DataFrame, grid: Grid) -> SweepOutcome:
    sweep = backtesting.Backtest(
        bars,
        BacktestingSmaCross,
        cash=STARTING_CASH,
        commission=0.0,
        trade_on_close=False,  # the default: a market order fills at the next bar's open
        exclusive_orders=False,  # the default; the strategy never holds two trades anyway
        finalize_trades=False,  # the default: a trade open at the end is not a closed trade
    )
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    # Maximizing the number of trades changes no work (every variant runs) and leaves it in
    # the heatmap; a variant with no trade is left NaN there.
    _, heatmap = sweep.optimize(
        fast=list(grid.fast),
        slow=list(grid.slow),
        maximize="# Trades",
        return_heatmap=True,
    )
    seconds = time.perf_counter() - started
    trades = {
        (int(fast), int(slow)): 0 if np.isnan(count) else int(count)
        for (fast, slow), count in heatmap.items()
    }
    return seconds, cpu_started, trades


def run_backtesting(bars: pd.DataFrame, grid: Grid = GRID) -> PeerResult:
    """backtesting.py's ``Backtest.optimize`` over ``grid``, with its defaults.

    * Fills: ``trade_on_close=False`` (the default), so a market order placed in ``next``
      fills at the next bar's open; ``exclusive_orders=False`` and ``hedging=False`` (the
      defaults) change nothing for a long-only strategy holding at most one trade.
    * Crossings: ``backtesting.lib.crossover(a, b)`` is ``a[-2] < b[-2] and a[-1] > b[-1]``,
      strict on both bars; tradeswarm and backtrader compare against the last non-zero
      difference instead. They differ where the two averages are exactly equal on a bar,
      which the synthetic closes (whole cents) make happen: a touch followed by a crossing
      is no crossing here, so this peer can count fewer round trips than the others.
    * Workers: ``optimize`` runs the grid in ``backtesting.Pool()``, a ``multiprocessing.Pool``
      of ``os.cpu_count()`` forked processes (the default, kept), fed batches of
      ``len(grid) // cpu_count`` variants, with the bars in shared memory. It then runs the
      best variant once more in the parent to return its statistics: 101 runs for 100
      variants, all inside the timing.
    * SMAs are float rolling means (pandas); warm-up: ``next`` starts on the bar where the
      slow SMA has its second value, as tradeswarm's first possible crossing.
    """
    name = f"backtesting.py {version('backtesting')}"
    return _in_child(name, bars, grid, _sweep_backtesting)


# --- backtrader -----------------------------------------------------------------------------


class RoundTrips(bt.Analyzer):
    """Counts closed trades; the only analyzer, so the sweep's results carry little."""

    def start(self) -> None:
        self.closed = 0

    def notify_trade(self, trade: bt.Trade) -> None:
        if trade.isclosed:
            self.closed += 1

    def get_analysis(self) -> dict[str, int]:
        return {"closed": self.closed}


class BacktraderSmaCross(bt.Strategy):
    params = (("fast", 10), ("slow", 30))

    def __init__(self) -> None:
        fast = bt.ind.SMA(self.data.close, period=self.p.fast)
        slow = bt.ind.SMA(self.data.close, period=self.p.slow)
        self.cross = bt.ind.CrossOver(fast, slow)

    def next(self) -> None:
        if not self.position:
            if self.cross[0] > 0:
                self.buy(size=QUANTITY)
        elif self.cross[0] < 0:
            self.close()


def _sweep_backtrader(bars: pd.DataFrame, grid: Grid) -> SweepOutcome:
    cerebro = bt.Cerebro(stdstats=False, maxcpus=os.cpu_count())
    cerebro.adddata(bt.feeds.PandasData(dataname=bars))
    cerebro.broker.setcash(STARTING_CASH)
    cerebro.addanalyzer(RoundTrips, _name="round_trips")
    cerebro.optstrategy(BacktraderSmaCross, fast=list(grid.fast), slow=list(grid.slow))
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    results = cerebro.run()
    seconds = time.perf_counter() - started
    trades: dict[tuple[int, int], int] = {}
    for strategies in results:
        (result,) = strategies  # one strategy class per run
        key = (int(result.params.fast), int(result.params.slow))
        trades[key] = int(result.analyzers.round_trips.get_analysis()["closed"])
    return seconds, cpu_started, trades


def run_backtrader(bars: pd.DataFrame, grid: Grid = GRID) -> PeerResult:
    """backtrader's ``Cerebro.optstrategy`` over ``grid``.

    * ``Cerebro(stdstats=False, maxcpus=os.cpu_count())``: no broker/trades/buy-sell
      observers (they only feed plots), and a ``multiprocessing.Pool`` of one process per CPU.
    * ``optdatas=True`` and ``optreturn=True`` (the defaults, kept): the feed is preloaded
      once in the parent, inside ``Cerebro.run`` and so inside the timing, and each run
      returns only its parameters and analyzers. The pool gets one variant per task, and
      multiprocessing pickles the Cerebro, preloaded bars included, with every task.
    * ``preload=True``, ``runonce=True`` (defaults): indicators are computed in vectorised
      passes before the strategy's ``next`` loop.
    * Fills: the default broker fills a market order at the next bar's open (no
      cheat-on-open, no slippage, commission 0); an order left from the last bar never fills.
    * Crossings: ``bt.ind.CrossOver`` compares against the last non-zero difference, as
      tradeswarm does; the SMAs are floats, tradeswarm's exact integer micro-dollar sums.
    """
    name = f"backtrader {version('backtrader')}"
    return _in_child(name, bars, grid, _sweep_backtrader)


# --- running a peer in its own process ------------------------------------------------------

Sweep = Callable[[pd.DataFrame, Grid], SweepOutcome]


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its children reaped so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _child(
    sweep: Sweep, bars: pd.DataFrame, grid: Grid, conn: multiprocessing.connection.Connection
) -> None:
    try:
        # backtesting.py warns once per run that a trade is still open at the end (as
        # intended: such a trade is not counted); the forked workers inherit the filter.
        warnings.filterwarnings("ignore", message="Some trades remain open", category=UserWarning)
        seconds, cpu_started, trades = sweep(bars, grid)
        # Reap the pool's workers so that RUSAGE_CHILDREN covers them.
        deadline = time.monotonic() + 10.0
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        peak_kib = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        cpu = _cpu_seconds() - cpu_started
        conn.send(("ok", seconds, cpu, trades, peak_kib))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def _in_child(name: str, bars: pd.DataFrame, grid: Grid, sweep: Sweep) -> PeerResult:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sweep, bars, grid, sender), name=name)
    child.start()
    sender.close()
    with TreeSampler(child.pid or 0) as sampler:
        try:
            message = receiver.recv()
        except EOFError:
            message = ("error", "the child ended without a result")
        child.join()
    if message[0] != "ok":
        raise RuntimeError(f"{name} failed:\n{message[1]}")
    _, seconds, cpu, trades, peak_kib = message
    missing = set(grid.pairs()) - set(trades)
    if missing:
        raise RuntimeError(f"{name} returned no result for {sorted(missing)}")
    events = grid.variants * len(bars)
    return PeerResult(
        name=name,
        bars=len(bars),
        variants=grid.variants,
        seconds=seconds,
        variants_per_second=grid.variants / seconds,
        bar_events_per_second=events / seconds,
        peak_mib=peak_kib / 1024,
        tree_peak_mib=sampler.peak_bytes / MIB,
        cpu_seconds=cpu,
        processes=sampler.most_workers,
        trades=dict(sorted(trades.items())),
    )


def _descendants(root: int) -> Iterator[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(text[text.rfind(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    stack = list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        yield pid
        stack.extend(children.get(pid, ()))


def _is_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"resource_tracker" not in command


class TreeSampler(PeakTreeRss):
    """Every ``interval`` s: the PSS sum of ``root``'s tree and how many workers it has."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        super().__init__(root, interval)
        self.most_workers = 0

    def on_sample(self) -> None:
        workers = sum(1 for pid in _descendants(self.root) if _is_worker(pid))
        self.most_workers = max(self.most_workers, workers)


# --- command line ---------------------------------------------------------------------------

PEERS: dict[str, Callable[[pd.DataFrame, Grid], PeerResult]] = {
    "backtesting": run_backtesting,
    "backtrader": run_backtrader,
}


def _table(results: list[PeerResult]) -> str:
    header = (
        f"{'peer':<24} {'bars':>9} {'variants':>8} {'seconds':>9} {'variants/s':>10} "
        f"{'bar-events/s':>13} {'cpu s':>8} {'peak MiB':>9} {'tree MiB':>9} {'processes':>9}"
    )
    rows = [header, "-" * len(header)]
    for r in results:
        rows.append(
            f"{r.name:<24} {r.bars:>9,} {r.variants:>8} {r.seconds:>9.2f} "
            f"{r.variants_per_second:>10.3f} {r.bar_events_per_second:>13,.0f} "
            f"{r.cpu_seconds:>8.1f} {r.peak_mib:>9.1f} {r.tree_peak_mib:>9.1f} {r.processes:>9}"
        )
    return "\n".join(rows)


def _trade_lines(results: list[PeerResult], grid: Grid) -> list[str]:
    pairs = grid.pairs()
    samples = [pairs[0], pairs[len(pairs) // 2], pairs[-1]]
    lines = ["closed round trips per (fast, slow), a sample:"]
    for pair in samples:
        counts = ", ".join(f"{r.name}: {r.trades[pair]}" for r in results)
        lines.append(f"  {pair}: {counts}")
    lines.append(
        "  all variants: " + ", ".join(f"{r.name}: {sum(r.trades.values())}" for r in results)
    )
    if len(results) == 2:
        first, second = results
        differ = [pair for pair in pairs if first.trades[pair] != second.trades[pair]]
        lines.append(f"  variants whose counts differ between the peers: {len(differ)}")
        lines.extend(
            f"    {pair}: {first.trades[pair]} against {second.trades[pair]}"
            for pair in differ[:10]
        )
    return lines


def _as_json(result: PeerResult) -> dict[str, object]:
    fields = {k: v for k, v in asdict(result).items() if k != "trades"}
    fields["trades"] = [[fast, slow, count] for (fast, slow), count in result.trades.items()]
    return fields


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bars", type=int, default=100_000, help="minute bars (one symbol)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--peers", nargs="+", choices=sorted(PEERS), default=list(PEERS))
    parser.add_argument("--json", type=Path, help="also write the results, trades included, here")
    args = parser.parse_args(argv)
    print(
        f"sweep peers: {args.bars:,} bars, seed {args.seed}, {GRID.variants} variants "
        f"(fast {GRID.fast[0]}..{GRID.fast[-1]}, slow {GRID.slow[0]}..{GRID.slow[-1]}), "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    bars = minute_bars(args.bars, args.seed)
    results = []
    for peer in args.peers:
        results.append(PEERS[peer](bars, GRID))
        print(f"  {results[-1].name}: {results[-1].seconds:.1f} s", file=sys.stderr, flush=True)
    print(_table(results))
    print("\n".join(_trade_lines(results, GRID)))
    print(f"load after: {os.getloadavg()[0]:.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps([_as_json(r) for r in results], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

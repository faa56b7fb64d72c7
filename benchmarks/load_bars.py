"""What reading bar files costs: rows per second and peak memory of ``scan_bars`` and
``read_bars`` on minute bars of one symbol, as CSV and as Parquet, against pyarrow reading
the same file alone (the ceiling) measured in the same run.

The files hold a seeded random walk in cents on XNYS trading minutes from 1990 on
(``session_minute_timestamps``), stamped at their close in UTC (``...T14:31:00Z``), with an
adj_close column at half the close, so the default ``adjust = "back"`` does its work. Each
measurement runs in a fresh process, so its peak RSS (VmHWM) is its own; "base MiB" is that
process's RSS once everything is imported, before it reads. The same measurements on a
file a tenth as long show whether memory grows with the file (it should not).

    python -m benchmarks.load_bars [--rows 10000000] [--small 1000000] [--folder DIR]

Measured: ``pyarrow`` (open_csv with the reader's column types, or iter_batches: every
column, nothing else), ``scan`` (validate every row, keep nothing), ``read`` (read_bars
called bare: for CSV a first pass for the final adj_close ratio, then the read; for Parquet
the last row group, then the read), ``read+ratio`` (read_bars given the scan's final ratio,
as the runner calls it: one pass). A missed target is printed, not an error.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
TARGET_ROWS_PER_SECOND = 1_000_000
CALENDAR = "XNYS"
MODES = ("pyarrow", "scan", "read", "read+ratio")


def write_files(folder: Path, rows: int, seed: int = 7) -> tuple[Path, Path]:
    """A CSV and a Parquet file of ``rows`` minute bars (the same bars in both)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from tradeswarm.actors.market.synthetic import session_minute_timestamps

    rng = np.random.default_rng(seed)
    closes = np.maximum(10_000 + np.cumsum(rng.integers(-5, 6, rows)), 100)
    opens = np.concatenate([[10_000], closes[:-1]])
    highs = np.maximum(opens, closes) + rng.integers(0, 4, rows)
    lows = np.maximum(np.minimum(opens, closes) - rng.integers(0, 4, rows), 50)
    ts_ns = session_minute_timestamps("1990-01-02", rows, CALENDAR)
    columns = {
        "open": opens / 100,
        "high": highs / 100,
        "low": lows / 100,
        "close": closes / 100,
        "volume": rng.integers(100, 10_000, rows),
        "adj_close": closes / 200,
    }
    seconds = pa.array(ts_ns // 10**9, pa.timestamp("s"))
    text = pc.replace_substring(pc.cast(seconds, pa.string()), " ", "T")
    csv_path, parquet_path = folder / f"bars-{rows}.csv", folder / f"bars-{rows}.parquet"
    pa_csv.write_csv(
        pa.table({"timestamp": pc.binary_join_element_wise(text, "Z", ""), **columns}),
        csv_path,
        pa_csv.WriteOptions(quoting_style="none"),
    )
    stamps = pa.array(ts_ns, pa.timestamp("ns", "UTC"))
    pq.write_table(pa.table({"timestamp": stamps, **columns}), parquet_path)
    return csv_path, parquet_path


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pyarrow_alone(path: Path) -> int:
    """Rows read by pyarrow alone, every column converted to the types the reader asks for."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        batches = pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=65_536)
        return sum(batch.num_rows for batch in batches)
    types = {"timestamp": pa.timestamp("ns", "UTC"), "volume": pa.float64()}
    types |= {name: pa.float64() for name in ("open", "high", "low", "close", "adj_close")}
    options = pa_csv.ConvertOptions(column_types=types)
    return sum(
        b.num_rows for b in pa_csv.open_csv(pa.input_stream(str(path)), convert_options=options)
    )


def measure(path: Path, mode: str, final_ratio: float | None) -> dict[str, float | None]:
    """One measurement, in this process: rows, seconds, peak and base MiB (and the scan's
    final ratio, for a later ``read+ratio``)."""
    from tradeswarm.actors.market.layout import Layout
    from tradeswarm.actors.market.readers import read_bars
    from tradeswarm.actors.market.scan import scan_bars
    from tradeswarm.actors.market.sessions import session_table

    session_table(CALENDAR)  # built before the clock starts: a one-off 0.1 s per process
    layout = Layout(stamp="close")
    found: dict[str, float | None] = {"final_ratio": None}

    def scan() -> int:
        figures = scan_bars(path, "X", layout, CALENDAR).symbols["X"]
        found["final_ratio"] = figures.final_ratio
        return figures.rows

    def read() -> int:
        chunks = read_bars(path, "X", layout, CALENDAR, final_ratio=final_ratio)
        return sum(len(chunk) for chunk in chunks)

    runs: dict[str, Callable[[], int]] = {
        "pyarrow": lambda: _pyarrow_alone(path),
        "scan": scan,
        "read": read,
        "read+ratio": read,
    }
    base = _rss_mib()
    started = time.perf_counter()
    rows = runs[mode]()
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mib": _peak_mib(), "base_mib": base, **found}


def _in_child(path: Path, mode: str, final_ratio: float | None) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.load_bars", "--measure", str(path), mode]
    command += ["--ratio", repr(final_ratio)] if final_ratio is not None else []
    done = subprocess.run(command, check=True, cwd=REPO, capture_output=True, text=True)
    return dict(json.loads(done.stdout))


def report(paths: list[Path]) -> bool:
    """Print one line per file and mode; True when every scan and read met the target."""
    print(
        f"{'file':<22} {'mode':<11} {'rows':>11} {'s':>7} {'rows/s':>11} {'vs pyarrow':>10} "
        f"{'peak MiB':>9} {'base MiB':>9}"
    )
    met = True
    for path in paths:
        ceiling, final_ratio = 0.0, None
        for mode in MODES:
            figures = _in_child(path, mode, final_ratio if mode == "read+ratio" else None)
            final_ratio = figures["final_ratio"] if mode == "scan" else final_ratio
            rate = figures["rows"] / figures["seconds"]
            ceiling = ceiling or rate
            if mode != "pyarrow":
                met &= rate >= TARGET_ROWS_PER_SECOND
            print(
                f"{path.name:<22} {mode:<11} {int(figures['rows']):>11,} "
                f"{figures['seconds']:>7.2f} {rate:>11,.0f} {rate / ceiling:>10.2f} "
                f"{figures['peak_mib']:>9.0f} {figures['base_mib']:>9.0f}"
            )
    return met


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, help="keep the files here (default: a temp dir)")
    parser.add_argument("--measure", nargs=2, metavar=("PATH", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--ratio", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1], args.ratio)))
        return
    print(f"load average {_load()} (2 idle cores give steady figures)")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.folder or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        for rows in (args.small, args.rows):
            started = time.perf_counter()
            paths.extend(write_files(folder, rows))
            print(
                f"wrote {rows:,} rows as CSV and Parquet in {time.perf_counter() - started:.1f} s"
            )
        met = report(paths)
    verdict = "met" if met else "MISSED"
    print(f"target {TARGET_ROWS_PER_SECOND:,} rows/s for scan and read: {verdict}")
    print(f"load average {_load()}")


if __name__ == "__main__":
    main()

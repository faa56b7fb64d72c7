"""Which file ``[report] benchmark`` names, found and checked before the run, not after it.

A benchmark is only used by the report, at the end; a typo found there would cost the
whole run. So the setting is resolved up front, and a file's header is checked for the
columns the report reads.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from tradeswarm.scenarios.config.errors import UserError

if TYPE_CHECKING:
    from tradeswarm.scenarios.config.scenario import Scenario

__all__ = ["DATA_FOLDER", "DEFAULT_BENCHMARK", "benchmark_file", "check_benchmark"]

DATA_FOLDER = Path(__file__).resolve().parents[1] / "data"
DEFAULT_BENCHMARK = "SPX"  # scenarios/data/SPX.csv, the S&P 500 1999-2018


def benchmark_file(scenario: Scenario) -> Path | None:
    """The benchmark's CSV file; None when the setting is unset or names a symbol of the
    data. A setting that is neither is a ``UserError`` naming the key."""
    setting = scenario.report.benchmark
    if not setting or setting in scenario.data.symbols:
        return None
    path = Path(setting)
    candidates = [path if path.is_absolute() else scenario.folder / path]
    if path.suffix == "" and len(path.parts) == 1:
        candidates.append(DATA_FOLDER / f"{setting}.csv")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise UserError(
        f"{scenario.path}: key 'report.benchmark': {setting!r} is neither a symbol of "
        f"'data.symbols' nor a CSV file; name one of {', '.join(scenario.data.symbols)}, "
        "a date,...,close file, or a file of scenarios/data such as 'SPX'"
    )


def check_benchmark(scenario: Scenario) -> None:
    """The benchmark file, if any, is readable text with ``date`` and ``close`` columns."""
    path = benchmark_file(scenario)
    if path is None:
        return
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot read the benchmark file ({error})") from None
    missing = [name for name in ("date", "close") if name not in header]
    if missing:
        raise UserError(
            f"{path}: not a benchmark price file: no {', '.join(missing)} column (key "
            "'report.benchmark'); give a date,...,close CSV"
        )

"""The long/short strategy flips through zero in one order, the same in every topology."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.integration.harness import SCENARIOS, run_cli


def test_long_short_goes_short_and_flips_identically_in_both_topologies(tmp_path: Path) -> None:
    for topology in ("single", "processes"):
        result = run_cli(
            "run",
            str(SCENARIOS / "long_short_demo.toml"),
            "--topology",
            topology,
            "--out",
            topology,
            "--quiet",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
    single = (tmp_path / "single" / "fills.csv").read_bytes()
    assert single == (tmp_path / "processes" / "fills.csv").read_bytes()
    with (tmp_path / "single" / "fills.csv").open() as handle:
        rows = [row for row in csv.DictReader(handle) if row["symbol"] == "AAPL"]
    position, lowest, flips = 0.0, 0.0, 0
    for row in rows:
        before = position
        position += float(row["quantity"]) * (1 if row["side"] == "buy" else -1)
        lowest = min(lowest, position)
        flips += before * position < 0
    assert lowest == -100
    assert flips > 10

"""Two instrument actors trade a pair by sending each other their closes through the
broker's clock: the legs trade opposite sides together, the same in every topology."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from tests.integration.harness import SCENARIOS, run_cli


def test_pair_legs_trade_opposite_sides_together_identically_in_both_topologies(
    tmp_path: Path,
) -> None:
    for topology in ("single", "processes"):
        result = run_cli(
            "run",
            str(SCENARIOS / "pairs_demo.toml"),
            "--topology",
            topology,
            "--out",
            topology,
            "--quiet",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
    fills = (tmp_path / "single" / "fills.csv").read_bytes()
    assert fills == (tmp_path / "processes" / "fills.csv").read_bytes()

    sides_by_time: dict[str, dict[str, str]] = defaultdict(dict)
    with (tmp_path / "single" / "fills.csv").open() as handle:
        for row in csv.DictReader(handle):
            sides_by_time[row["ts"]][row["symbol"]] = row["side"]
    assert len(sides_by_time) > 10
    for sides in sides_by_time.values():
        assert sorted(sides) == ["IBM", "MSFT"]
        assert sides["IBM"] != sides["MSFT"]

"""Timer events: a table that trades on timers alone sees one every period of every
session, at the same bar times in every topology."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from tests.integration.harness import run_cli

SCENARIO = """
[run]
name = "timers"
topology = "{topology}"

[data]
source = "synthetic"
symbols = ["TMR"]
bars_per_symbol = 1170   # 07-01 and 07-02 whole, the early close of 07-03, half of 07-05
start = "2024-07-01"
timer_seconds = 1800

[strategy]
name = "tests.integration.timer_strategy:TIMED"

[broker]
starting_cash = 1000000.0
"""


def _timer_times(folder: Path) -> list[str]:
    with (folder / "timeline.csv").open() as handle:
        return [row["ts"] for row in csv.DictReader(handle) if row["event"] == "timer"]


def test_timers_fire_every_period_of_every_session_in_both_topologies(tmp_path: Path) -> None:
    for topology in ("single", "processes"):
        path = tmp_path / f"{topology}.toml"
        path.write_text(SCENARIO.format(topology=topology))
        result = run_cli("run", str(path), "--out", topology, "--quiet", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    single, processes = _timer_times(tmp_path / "single"), _timer_times(tmp_path / "processes")
    assert single == processes
    per_day = Counter(ts[:10] for ts in single)
    # 09:31 opens; ticks at 10:01, 10:31, ... within the session: 12 in a 6.5 h session,
    # 6 in the 3.5 h session of the early close (its last at 12:31 New York), 5 in the
    # 180 bars of 07-05 (07-04 is a holiday).
    assert per_day == {"2024-07-01": 12, "2024-07-02": 12, "2024-07-03": 6, "2024-07-05": 5}
    assert single[0] == "2024-07-01T14:01:00Z"
    assert (tmp_path / "single" / "fills.csv").read_bytes() == (
        tmp_path / "processes" / "fills.csv"
    ).read_bytes()

"""Same scenario and seed give byte-identical fills, whatever the process topology."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from tests.integration.harness import (
    finish_cli,
    run_cli,
    start_cli,
    write_synthetic_scenario,
)

REPETITIONS = 4  # per topology: 8 runs through the CLI, ~18 s on 2 CPUs (the report is most of it)
TOPOLOGIES = ("single", "processes")


def _fills(folder: Path) -> bytes:
    return (folder / "fills.csv").read_bytes()


def test_demo_fills_are_identical_in_single_and_processes_topologies(scenario_dir: Path) -> None:
    for topology in ("single", "processes"):
        result = run_cli(
            "run",
            "sma_demo.toml",
            "--topology",
            topology,
            "--out",
            topology,
            "--quiet",
            cwd=scenario_dir,
        )
        assert result.returncode == 0, result.stderr
    single, processes = _fills(scenario_dir / "single"), _fills(scenario_dir / "processes")
    assert single.count(b"\n") > 100
    assert single == processes


def test_a_scenario_run_twice_gives_identical_fills(tmp_path: Path) -> None:
    scenario = write_synthetic_scenario(tmp_path, symbols=4, bars=3000, topology="processes")
    for out in ("first", "second"):
        result = run_cli("run", str(scenario), "--out", out, "--quiet", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert _fills(tmp_path / "first").count(b"\n") > 50
    assert _fills(tmp_path / "first") == _fills(tmp_path / "second")


def test_synthetic_fills_are_identical_over_tcp_and_in_one_process(tmp_path: Path) -> None:
    scenario = write_synthetic_scenario(tmp_path, symbols=3, bars=2000)
    scenario.write_text(
        scenario.read_text().replace(
            'topology = "processes"', 'topology = "processes"\ntransport = "tcp"'
        )
    )
    tcp = run_cli("run", str(scenario), "--out", "tcp", "--quiet", cwd=tmp_path)
    single = run_cli(
        "run", str(scenario), "--topology", "single", "--out", "one", "--quiet", cwd=tmp_path
    )
    assert tcp.returncode == 0, tcp.stderr
    assert single.returncode == 0, single.stderr
    assert _fills(tmp_path / "tcp") == _fills(tmp_path / "one")


def test_fills_are_identical_whatever_the_instruments_sharding(tmp_path: Path) -> None:
    """One host for all instruments, three hosts, a host per instrument: the same fills."""
    outputs = []
    for shards in (1, 3, 5):
        scenario = write_synthetic_scenario(
            tmp_path, symbols=5, bars=3000, shards=shards, name=f"shards{shards}"
        )
        result = run_cli("run", str(scenario), "--out", str(shards), "--quiet", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        outputs.append(_fills(tmp_path / str(shards)))
    assert outputs[0].count(b"\n") > 50
    assert outputs[0] == outputs[1] == outputs[2]


def test_repeated_runs_in_both_topologies_give_one_fills_digest(tmp_path: Path) -> None:
    """Trio's determinism test: the same seeded program, many times, one result. Each
    repetition runs both topologies at once, so the runs compete for the CPUs and every
    one meets a different schedule."""
    scenario = write_synthetic_scenario(tmp_path, symbols=4, bars=400)
    runs_by_digest: dict[str, list[str]] = defaultdict(list)
    for repetition in range(REPETITIONS):
        started = {
            f"{topology}-{repetition}": start_cli(
                "run",
                str(scenario),
                "--topology",
                topology,
                "--out",
                f"{topology}-{repetition}",
                "--quiet",
                cwd=tmp_path,
            )
            for topology in TOPOLOGIES
        }
        finished = {out: finish_cli(process) for out, process in started.items()}
        for out, result in finished.items():
            assert result.returncode == 0, f"{out}: {result.stderr}"
            fills = (tmp_path / out / "fills.csv").read_bytes()
            assert fills.count(b"\n") > 50, f"{out}: too few fills to prove anything"
            runs_by_digest[hashlib.sha256(fills).hexdigest()].append(out)
    assert len(runs_by_digest) == 1, dict(runs_by_digest)
    (runs,) = runs_by_digest.values()
    assert len(runs) == REPETITIONS * len(TOPOLOGIES)

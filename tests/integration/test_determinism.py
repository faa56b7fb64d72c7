"""Same scenario and seed give byte-identical fills, whatever the process topology."""

from __future__ import annotations

from pathlib import Path

from tests.integration.harness import run_cli, write_synthetic_scenario


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

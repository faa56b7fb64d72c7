"""Kill any actor process at a random bar (the market data, the broker with the router, an
instrument host), or freeze a host: it comes back and the fills do not change. Run as a
user runs it, ``tradeswarm run`` in the ``processes`` topology, on a multi-symbol minute
scenario; the clean run's ``fills.csv`` (and the broker's journal) are the reference."""

from __future__ import annotations

import json
import os
import pickle
import random
import re
import signal
import subprocess
import uuid
from pathlib import Path

import msgspec
import pytest

from tests.integration.harness import (
    CLI_TIMEOUT_SECONDS,
    cli_command,
    processes_tagged,
    run_cli,
    tagged_env,
    write_synthetic_scenario,
)
from tests.integration.test_no_leaks import _wait_for
from tradeswarm.actors.runtime.checkpoint import write_checkpoint
from tradeswarm.actors.runtime.input_log import BROKER, InputLog, read_whole_input_log
from tradeswarm.actors.runtime.instrument_host import TELL_LOGGED_EVERY
from tradeswarm.messages import Fill, decode, encode

BARS = 25_000


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, int]:
    """The scenario, its clean run's fills, and the size of its journal."""
    folder = tmp_path_factory.mktemp("recovery")
    scenario = write_synthetic_scenario(folder, symbols=4, bars=BARS, shards=2)
    text = scenario.read_text()
    # A checkpoint every 0.1 MiB of input log: a few per host before the earliest kill.
    run_keys = "heartbeat_seconds = 2.0\ncheckpoint_mib = 0.1\n"
    scenario.write_text(text.replace("[data]", run_keys + "[data]", 1))
    result = run_cli("run", str(scenario), "--out", "clean", "--quiet", cwd=folder)
    assert result.returncode == 0, result.stderr
    fills = (folder / "clean" / "fills.csv").read_bytes()
    assert fills.count(b"\n") > 100
    return scenario, fills, (folder / "clean" / "journal.msgpack").stat().st_size


def _start(scenario: Path, out: Path, tag: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_command("run", str(scenario), "--out", str(out), "--quiet"),
        cwd=scenario.parent,
        env=tagged_env(tag),
        stderr=subprocess.PIPE,
        text=True,
    )


def _node_pids(tag: str) -> dict[str, int]:
    """Each actor process of the run by its node's name."""
    nodes = {}
    for pid in processes_tagged(tag):
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"tradeswarm.actors.runtime.node" in words:
            nodes[words[-2].decode()] = pid
    return nodes


def _host_pids(tag: str) -> dict[str, int]:
    return {name: pid for name, pid in _node_pids(tag).items() if name.startswith("instruments-")}


def _at_a_random_bar(journal: Path, clean_size: int, rng: random.Random) -> int:
    """Wait until the run is a random part of the way through; returns the journal size."""
    target = int(clean_size * rng.uniform(0.1, 0.8))
    _wait_for(lambda: journal.exists() and journal.stat().st_size >= target, "the run to get on")
    return target


def _stop_a_host_past_a_checkpoint(
    scenario: Path, out: Path, clean_size: int, tag: str
) -> tuple[subprocess.Popen[str], int, Path]:
    """A run whose first host is frozen (it writes nothing more) a third of the way
    through, with a checkpoint taken: the process, the host's pid, its checkpoint."""
    process = _start(scenario, out, tag)
    journal = out / "journal.msgpack"
    checkpoint = out / "inputs" / "instruments-0.log.checkpoint"
    _wait_for(
        lambda: checkpoint.exists() and journal.stat().st_size >= clean_size * 0.3,
        "a checkpoint a third of the way through",
    )
    host = _node_pids(tag)["instruments-0"]
    os.kill(host, signal.SIGSTOP)
    return process, host, checkpoint


def test_a_host_whose_checkpoint_the_broker_contradicts_replays_its_whole_log(
    clean_run: tuple[Path, bytes, int], tmp_path: Path
) -> None:
    """A damaged checkpoint (an instrument's position off by 7): the restarted host sees
    the broker's snapshot contradict it, throws the checkpoint away and rebuilds its
    instruments from its whole input log, which agrees with the broker. Nothing needs
    reconciling and the fills are the clean run's."""
    scenario, clean_fills, clean_size = clean_run
    tag = uuid.uuid4().hex
    out = tmp_path / "out"
    process, host, checkpoint = _stop_a_host_past_a_checkpoint(scenario, out, clean_size, tag)
    _, log_offset, state = pickle.loads(checkpoint.read_bytes())
    instruments = state["instruments"]
    idle = [symbol for symbol, held in instruments.items() if not held["context"].open_orders]
    symbol = (idle or sorted(instruments))[0]
    instruments[symbol]["context"].position += 7
    write_checkpoint(checkpoint, log_offset, state)
    os.kill(host, signal.SIGKILL)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    (restart,) = summary["restarts"]
    assert restart["process"] == "instruments-0"
    assert summary["actor_counters"]["instruments-0"]["checkpoints_refuted"] == 1
    assert summary["reconciliations"] == []
    assert (out / "fills.csv").read_bytes() == clean_fills
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


def test_a_host_whose_log_disagrees_with_the_broker_takes_the_brokers_word(
    clean_run: tuple[Path, bytes, int], tmp_path: Path
) -> None:
    """A damaged input log (a fill it holds made 7 larger) and no checkpoint: the replay
    is wrong and nothing better is left, so the broker wins. A reconciliation record says
    what differed and the run completes. What the wrong replay decided after the broker's
    last request is voided, so the fills are not asserted."""
    scenario, _, clean_size = clean_run
    tag = uuid.uuid4().hex
    out = tmp_path / "out"
    process, host, checkpoint = _stop_a_host_past_a_checkpoint(scenario, out, clean_size, tag)
    checkpoint.unlink()
    input_log = out / "inputs" / "instruments-0.log"
    records = read_whole_input_log(input_log)
    index, fill = next(
        (index, message)
        for index, (kind, frame) in enumerate(records)
        if kind == BROKER and isinstance(message := decode(frame), Fill)
    )
    records[index] = (BROKER, encode(msgspec.structs.replace(fill, quantity=fill.quantity + 7)))
    input_log.unlink()
    rewritten = InputLog(input_log)
    for kind, frame in records:
        rewritten.append(kind, frame)
    rewritten.close()
    os.kill(host, signal.SIGKILL)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert [restart["process"] for restart in summary["restarts"]] == ["instruments-0"]
    assert "checkpoints_refuted" not in summary["actor_counters"]["instruments-0"]
    (record,) = summary["reconciliations"]
    assert record["actor"] == f"instrument/{fill.symbol}"
    here, there = re.fullmatch(
        r"position (\S+) here, (\S+) at the broker", record["differences"][0]
    ).groups()  # type: ignore[union-attr]
    assert float(here) - float(there) == 7
    assert (out / "fills.csv").read_bytes().count(b"\n") > 100
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


@pytest.mark.parametrize(
    ("victim", "signum"),
    [
        ("a host", signal.SIGKILL),
        ("a host", signal.SIGSTOP),
        ("broker", signal.SIGKILL),
        ("market-data", signal.SIGKILL),
    ],
    ids=["host-SIGKILL", "host-SIGSTOP", "broker-SIGKILL", "market-data-SIGKILL"],
)
def test_an_actor_process_killed_or_frozen_at_a_random_bar_comes_back_with_the_same_fills(
    clean_run: tuple[Path, bytes, int], tmp_path: Path, victim: str, signum: int
) -> None:
    scenario, clean_fills, clean_size = clean_run
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    tag = uuid.uuid4().hex
    out = tmp_path / "out"
    process = _start(scenario, out, tag)
    target = _at_a_random_bar(out / "journal.msgpack", clean_size, rng)
    nodes = _node_pids(tag)
    assert sorted(nodes) == ["broker", "instruments-0", "instruments-1", "market-data"]
    if victim == "a host":
        victim = rng.choice(["instruments-0", "instruments-1"])
    os.kill(nodes[victim], signum)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    where = f"seed {seed}: {signal.Signals(signum).name} of {victim} at journal byte {target}"
    assert process.returncode == 0, f"{where}\n{stderr}"
    assert (out / "fills.csv").read_bytes() == clean_fills, where
    if victim == "broker":  # rewritten from its replayed input log
        journal = (out / "journal.msgpack").read_bytes()
        assert journal == (scenario.parent / "clean" / "journal.msgpack").read_bytes(), where
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reconciliations"] == [], where  # it came back as the broker knew it
    restarts = summary["restarts"]
    cause = "died with signal 9" if signum == signal.SIGKILL else "was frozen (silent for"
    assert [restart["process"] for restart in restarts] == [victim], where
    assert restarts[0]["cause"].startswith(cause), where
    if victim != "market-data":  # it replayed only the log after its checkpoint
        assert restarts[0]["from_checkpoint"], where
    assert not (out / "inputs").exists()  # a finished run keeps no input log
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


def test_a_host_that_keeps_dying_ends_the_run_naming_it_and_the_limit(
    clean_run: tuple[Path, bytes, int], tmp_path: Path
) -> None:
    scenario, _, clean_size = clean_run
    limited = tmp_path / "limited.toml"
    limited.write_text(scenario.read_text().replace("[data]", "max_restarts = 1\n[data]", 1))
    tag = uuid.uuid4().hex
    out = tmp_path / "out"
    process = _start(limited, out, tag)
    journal = out / "journal.msgpack"
    _wait_for(lambda: journal.exists() and journal.stat().st_size > clean_size // 10, "bars")
    first = _host_pids(tag)["instruments-0"]
    os.kill(first, signal.SIGKILL)
    _wait_for(
        lambda: _host_pids(tag).get("instruments-0", first) != first, "the host to be restarted"
    )
    second = _host_pids(tag)["instruments-0"]
    os.kill(second, signal.SIGKILL)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 1, stderr
    assert (
        f"process instruments-0 (pid {second}) died with signal 9, and it was restarted 1 "
        "times in 60 s already (run.max_restarts, run.restart_window_seconds)" in stderr
    )
    assert json.loads((out / "status.json").read_text())["status"] == "failed"
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")


def test_chaos_kills_hosts_and_shakes_the_order_path_and_the_fills_do_not_change(
    clean_run: tuple[Path, bytes, int], tmp_path: Path
) -> None:
    """Duplicated, reversed, held-back and dropped messages on the order path, and processes
    killed at bars the seed picks: no duplicate order, no lost one, the same fills."""
    scenario, clean_fills, _ = clean_run
    # Seed 26 aims at the market data (bar 16,761), instruments-0 (26,576) and the broker
    # (56,684) of 100,000.
    result = run_cli("run", str(scenario), "--out", "chaos", "--chaos", "26", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "chaos"
    assert (out / "fills.csv").read_bytes() == clean_fills
    summary = json.loads((out / "summary.json").read_text())
    chaos = summary["chaos"]
    kills = chaos["kills"]
    assert [kill["process"] for kill in kills] == ["market-data", "instruments-0", "broker"]
    assert all(kill["at_bar"] >= kill["aimed_at_bar"] for kill in kills)
    assert chaos["duplicated"] > 0 and chaos["reversed"] > 0 and chaos["held"] > 0
    assert chaos["dropped"] > 0  # each a wait of the broker's clock, then a resend
    assert summary["reconciliations"] == []
    assert [restart["process"] for restart in summary["restarts"]] == [
        kill["process"] for kill in kills
    ]
    broker = summary["actor_counters"]["broker"]
    assert broker["duplicate_requests"] > 0  # sent twice, taken once
    for kill in kills:
        assert f"chaos         SIGKILL {kill['process']} at bar {kill['at_bar']:,}" in result.stdout
    assert f"{chaos['dropped']} dropped (seed 26)" in result.stdout


def test_subscribers_behind_a_high_water_mark_see_the_gap_and_take_a_snapshot(
    clean_run: tuple[Path, bytes, int], tmp_path: Path
) -> None:
    """``run.stream_hwm = 1``: one message queued per subscriber, so the market data's
    window (two chunks of a batch per symbol and a clock mark, 1.5 MB, beyond what the
    kernel's socket buffers hold) overflows it and frames are dropped. Each subscriber
    sees the gap (at the next frame, or at the market data's heartbeat when the last ones
    were dropped), takes a snapshot, and the fills are the clean run's."""
    scenario, clean_fills, _ = clean_run
    result = run_cli(
        "run",
        str(scenario),
        "--out",
        "hwm",
        "--quiet",
        "--set",
        "run.stream_hwm=1",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "hwm" / "fills.csv").read_bytes() == clean_fills
    counters = json.loads((tmp_path / "hwm" / "summary.json").read_text())["actor_counters"]
    subscribers = {name: counters[name] for name in ("broker", "instruments-0", "instruments-1")}
    assert sum(actor["gaps"] for actor in subscribers.values()) > 0, subscribers
    for name, actor in subscribers.items():
        assert actor["snapshots"] >= 1 if actor["gaps"] else actor["snapshots"] == 0, name


def test_in_single_chaos_crashes_each_kind_of_actor_thread_and_the_fills_do_not_change(
    clean_run: tuple[Path, bytes, int], tmp_path: Path
) -> None:
    """The ``single`` topology: the same seed crashes the market data's thread, a host's
    and the broker's (with the router). The nodes linked to a crashed one over inproc come
    back with it, each from its own log; the fills are the clean run's."""
    scenario, clean_fills, _ = clean_run
    result = run_cli(
        "run",
        str(scenario),
        "--out",
        "chaos",
        "--chaos",
        "26",
        "--set",
        "run.topology=single",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "chaos"
    assert (out / "fills.csv").read_bytes() == clean_fills
    summary = json.loads((out / "summary.json").read_text())
    assert summary["topology"] == "single"
    kills = summary["chaos"]["kills"]
    assert [kill["process"] for kill in kills] == ["market-data", "instruments-0", "broker"]
    assert {kill["signal"] for kill in kills} == {"crash"}
    restarts = summary["restarts"]
    crashed = [restart["process"] for restart in restarts if restart["cause"].startswith("crash")]
    assert crashed == ["market-data", "instruments-0", "broker"]
    with_market = {r["process"] for r in restarts if r["cause"] == "restarted with market-data"}
    assert with_market == {"broker", "instruments-0", "instruments-1"}
    assert all(restart["recovery_seconds"] is not None for restart in restarts), restarts
    assert "chaos         crash market-data at bar" in result.stdout


def test_the_broker_forgets_the_replies_each_host_has_logged(
    clean_run: tuple[Path, bytes, int],
) -> None:
    """Its reply history stays bounded however long the run: each host says how many
    replies its log holds, every 1,024, and the broker keeps only what follows."""
    scenario, _, _ = clean_run
    summary = json.loads((scenario.parent / "clean" / "summary.json").read_text())
    broker = summary["actor_counters"]["broker"]
    hosts = 2
    assert broker["replies_forgotten"] > 10 * TELL_LOGGED_EVERY
    assert broker["replies_kept"] < 2 * TELL_LOGGED_EVERY * hosts + 100


def test_a_host_whose_log_lost_what_it_told_the_broker_fails_naming_its_log(
    clean_run: tuple[Path, bytes, int], tmp_path: Path
) -> None:
    """The broker forgets the replies a host said its log holds. A log cut short after
    that (and no checkpoint) cannot rebuild the host: the run fails and says so, instead
    of the host taking replies it never saw as the ones that follow its log."""
    scenario, _, clean_size = clean_run
    tag = uuid.uuid4().hex
    out = tmp_path / "out"
    process, host, checkpoint = _stop_a_host_past_a_checkpoint(scenario, out, clean_size, tag)
    checkpoint.unlink()
    input_log = out / "inputs" / "instruments-0.log"
    records = read_whole_input_log(input_log)
    replies = sum(kind == BROKER for kind, _ in records)
    assert replies > 2 * TELL_LOGGED_EVERY  # it has told the broker at least once
    kept = records[: len(records) // 20]
    input_log.unlink()
    rewritten = InputLog(input_log)
    for kind, frame in kept:
        rewritten.append(kind, frame)
    rewritten.close()
    os.kill(host, signal.SIGKILL)
    _, stderr = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
    assert process.returncode == 1, stderr
    assert "instruments-0: its input log holds" in stderr
    assert "the log was cut or replaced" in stderr
    _wait_for(lambda: not processes_tagged(tag), "no process of the run")

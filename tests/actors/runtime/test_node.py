"""Launching a child process whose interpreter is gone before it reads its launch."""

from __future__ import annotations

import subprocess
import threading
from typing import Any

import pytest

from tradeswarm.actors.runtime import node as node_module
from tradeswarm.actors.runtime.node import NodeConfig, launch_node
from tradeswarm.messages import Endpoints


def test_a_child_killed_before_it_reads_its_launch_is_returned_dead_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A chaos kill can land between the fork and the write of the launch: the runner must
    see a dead process to restart, not die of a broken pipe itself."""
    real_popen = subprocess.Popen

    def exits_at_once(_args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = real_popen(["python3", "-c", "import os; os.close(0)"], **kwargs)
        process.wait(timeout=30)
        return process

    monkeypatch.setattr(node_module.subprocess, "Popen", exits_at_once)
    endpoints = Endpoints(
        market_data="ipc:///tmp/x-md",
        market_credit="ipc:///tmp/x-mc",
        router="ipc:///tmp/x-r",
        broker="ipc:///tmp/x-b",
        control="ipc:///tmp/x-c",
        state="ipc:///tmp/x-s",
    )
    process = launch_node(NodeConfig(name="instruments-0", actors=[]), endpoints, log_level=30)
    assert process.poll() == 0
    assert process.stdin is not None and process.stdin.closed


def test_a_node_waits_for_its_actors_daemon_threads_before_it_ends_the_context() -> None:
    """pykka says an actor stopped before its ``on_stop`` has closed its sockets; a node
    that terminated its ZeroMQ context then made that ``on_stop`` fail (a traceback on a
    run's stderr, seen under load). The actors' threads are daemons: they are joined."""
    from tradeswarm.actors.runtime import socket_actor

    release = threading.Event()
    finished = threading.Event()

    def on_stop_still_running() -> None:
        release.wait(30)
        finished.set()

    thread = threading.Thread(target=on_stop_still_running, daemon=True)
    thread.start()
    socket_actor._actor_threads.add(thread)
    threading.Timer(0.2, release.set).start()  # the on_stop ends after the join has begun
    node_module._join_actor_threads(timeout_seconds=30)
    assert finished.is_set()

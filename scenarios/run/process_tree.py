"""The runner's child processes: started, watched, restarted, and in the end reaped.

A process that exits, or whose actor has gone silent, is either restarted (an instrument
host, within the supervisor's limits: it replays its input log and catches up) or ends
the run with a message naming it and the cause. A frozen process is killed (SIGKILL)
before its replacement starts, so two copies of one host never run at once.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import time

import msgspec

from tradeswarm.actors.broker.config import BrokerConfig
from tradeswarm.actors.market.config import MarketDataConfig
from tradeswarm.actors.runtime.config import InstrumentHostConfig, RouterConfig
from tradeswarm.actors.runtime.node import NodeConfig, launch_node
from tradeswarm.messages import Endpoints
from tradeswarm.messages.link_keys import RunKeys
from tradeswarm.scenarios.run.errors import SwarmFailed
from tradeswarm.scenarios.run.liveness import Liveness
from tradeswarm.scenarios.run.supervisor import Supervisor

log = logging.getLogger(__name__)

KILL_WAIT_SECONDS = 2.0


def restartable(nodes: list[NodeConfig]) -> frozenset[str]:
    """The processes that can rejoin a running swarm: instrument hosts and the broker (with
    the router, which keeps no state), when they keep an input log."""
    return frozenset(node.name for node in nodes if node.actors and all(map(_rejoins, node.actors)))


def _rejoins(config: object) -> bool:
    if isinstance(config, InstrumentHostConfig | BrokerConfig):
        return bool(config.input_log)
    return isinstance(config, RouterConfig | MarketDataConfig)


def node_of(nodes: list[NodeConfig], actor: str) -> int | None:
    """The index of the node that runs ``actor``, in either topology."""
    for index, node in enumerate(nodes):
        if any(config.name == actor for config in node.actors):
            return index
    return None


def recovering(node: NodeConfig) -> NodeConfig:
    actors = [
        msgspec.structs.replace(config, recover=True)
        if isinstance(config, InstrumentHostConfig | BrokerConfig | MarketDataConfig)
        else config
        for config in node.actors
    ]
    return NodeConfig(name=node.name, actors=actors)


class ProcessTree:
    def __init__(
        self,
        nodes: list[NodeConfig],
        endpoints: Endpoints,
        keys: RunKeys,
        supervisor: Supervisor,
        liveness: Liveness,
    ) -> None:
        self.nodes = nodes
        self.processes: list[subprocess.Popen[bytes]] = []
        self._endpoints = endpoints
        self._keys = keys
        self._supervisor = supervisor
        self._liveness = liveness
        self._level = logging.WARNING
        self._relaunch_at: dict[int, float] = {}  # node index -> when (monotonic)

    def launch(self, log_level: int) -> None:
        self._level = log_level
        self.processes = [self._start(node) for node in self.nodes]

    def _start(self, node: NodeConfig) -> subprocess.Popen[bytes]:
        return launch_node(node, self._endpoints, self._level, self._keys.for_node(node.name))

    def node_of(self, actor: str) -> int | None:
        return node_of(self.nodes, actor)

    def where(self, actor: str) -> str:
        """`` (process broker, pid 123)``, or '' for an actor of no child process."""
        index = self.node_of(actor)
        if index is None or index >= len(self.processes):
            return ""
        return f" (process {self.nodes[index].name}, pid {self.processes[index].pid})"

    def check(self, restart: bool) -> None:
        """Restart what is due; a newly dead process is restarted or ends the run."""
        now = time.monotonic()
        for index, process in enumerate(self.processes):
            due = self._relaunch_at.get(index)
            if due is not None:
                if now >= due:
                    self._relaunch(index)
                continue
            code = process.poll()
            if code is not None:
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                self._down(index, f"died with {how}", restart)

    def kill(self, process_name: str) -> None:
        """SIGKILL, on purpose (chaos): the next check finds it dead and restarts it."""
        for index, node in enumerate(self.nodes):
            if node.name == process_name and index not in self._relaunch_at:
                self.processes[index].kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.processes[index].wait(KILL_WAIT_SECONDS)

    def frozen(self, actor: str, silent_seconds: float) -> bool:
        """Kill the process of a silent actor and have it restarted; False when it is no
        process of ours or may not be restarted (the caller fails the run)."""
        index = self.node_of(actor)
        if index is None or index in self._relaunch_at:
            return False
        if not self._supervisor.may_restart(self.nodes[index].name):
            return False
        process = self.processes[index]
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(KILL_WAIT_SECONDS)
        self._down(index, f"was frozen (silent for {silent_seconds:.1f} s)", restart=True)
        return True

    def _down(self, index: int, cause: str, restart: bool) -> None:
        node, process = self.nodes[index], self.processes[index]
        supervisor = self._supervisor
        what = f"process {node.name} (pid {process.pid})"
        if not restart:  # still starting: nothing to come back to
            raise SwarmFailed(f"{what} {cause}")
        if not supervisor.may_restart(node.name):
            raise SwarmFailed(supervisor.give_up_reason(what, node.name, cause))
        delay = supervisor.back_off_seconds(node.name)
        supervisor.down(node.name, cause)
        self._relaunch_at[index] = time.monotonic() + delay
        self._liveness.pause([config.name for config in node.actors])
        log.warning("runner: process %s (pid %d) %s; restarting it", node.name, process.pid, cause)

    def _relaunch(self, index: int) -> None:
        del self._relaunch_at[index]
        node = recovering(self.nodes[index])
        self.processes[index] = self._start(node)
        for restart in reversed(self._supervisor.restarts):
            if restart.process == node.name:
                restart.relaunched_at = time.monotonic()
                break

    def alive_actors(self) -> list[str]:
        """The actors of the processes still running."""
        return [
            config.name
            for node, process in zip(self.nodes, self.processes, strict=False)  # launched
            if process.poll() is None
            for config in node.actors
        ]

    def stop(self, failed: set[str], timeout_seconds: float) -> None:
        """After the actors were asked to stop: wait for each process, then terminate, then
        kill what is left, so no child outlives the run whatever it was doing."""
        del failed  # a process that failed is waited for like any other: it exits by itself
        deadline = time.monotonic() + timeout_seconds
        for process in self.processes:
            _wait_for_exit(process, deadline - time.monotonic())
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                _wait_for_exit(process, 1.0)
            if process.poll() is None:
                process.kill()
                _wait_for_exit(process, 1.0)


def _wait_for_exit(process: subprocess.Popen[bytes], timeout_seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(max(0.0, timeout_seconds))

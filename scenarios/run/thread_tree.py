"""The ``single`` topology's actor threads: started by node, watched, restarted, stopped.

The same nodes as the ``processes`` topology (the market data; the broker with the router;
each instrument host), each a set of pykka actor threads in the runner's process, on
inproc sockets. A node whose threads have stopped without being asked is restarted as a
process would be: it replays its input log and catches up, within the supervisor's limits.
Chaos crashes a node's threads as a SIGKILL ends a process: at once, with no goodbye and
nothing they had queued delivered.

One difference from processes, and OTP's ``rest_for_one`` answer to it: an inproc link
does not reconnect when the socket it was connected to is bound again, and a send on a
link whose peer is gone can block. So the nodes that connect to a node's sockets (the
broker and the hosts to the market data; the hosts to the router) are crashed with it,
before it (nothing then sends into a dead link), and restarted after it, each from its own
log. A frozen thread cannot be killed in Python: it ends the run, naming it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import pykka
import zmq

from tradeswarm.actors.broker.config import BrokerConfig
from tradeswarm.actors.market.config import MarketDataConfig
from tradeswarm.actors.runtime.config import InstrumentHostConfig
from tradeswarm.actors.runtime.node import NodeConfig, as_sent, start_actors
from tradeswarm.actors.runtime.socket_actor import CRASH
from tradeswarm.messages import Endpoints
from tradeswarm.scenarios.run.errors import SwarmFailed
from tradeswarm.scenarios.run.liveness import Liveness
from tradeswarm.scenarios.run.process_tree import node_of, recovering
from tradeswarm.scenarios.run.supervisor import Supervisor

log = logging.getLogger(__name__)

CRASH_WAIT_SECONDS = 5.0
BIND_WAIT_SECONDS = 60.0  # a restarted broker replays its log before it binds
BOUND_PROBE = object()  # any message an actor ignores: its answer comes after on_start


def dependents(nodes: list[NodeConfig], index: int) -> list[int]:
    """The nodes holding inproc links to node ``index``'s sockets, in start order."""
    kinds = {type(config) for config in nodes[index].actors}
    if MarketDataConfig in kinds:
        return [other for other in range(len(nodes)) if other != index]
    if BrokerConfig in kinds:
        return [
            other
            for other, node in enumerate(nodes)
            if any(isinstance(config, InstrumentHostConfig) for config in node.actors)
        ]
    return []


class ThreadTree:
    def __init__(
        self,
        nodes: list[NodeConfig],
        endpoints: Endpoints,
        context: zmq.Context,
        supervisor: Supervisor,
        liveness: Liveness,
    ) -> None:
        self.nodes = nodes
        self.refs: list[list[pykka.ActorRef[Any]]] = []
        self._endpoints = endpoints
        self._context = context
        self._supervisor = supervisor
        self._liveness = liveness
        self._relaunch_at: dict[int, float] = {}  # node index -> when (monotonic)

    def named_refs(self) -> list[tuple[str, pykka.ActorRef[Any]]]:
        """Each actor's ref with its name (a node starts its actors in its configs' order)."""
        return [
            (config.name, ref)
            for node, refs in zip(self.nodes, self.refs, strict=False)  # launched so far
            for config, ref in zip(node.actors, refs, strict=True)
        ]

    def launch(self, log_level: int) -> None:
        del log_level  # the threads log as the runner does
        self.refs = [self._start(node) for node in self.nodes]

    def _start(self, node: NodeConfig) -> list[pykka.ActorRef[Any]]:
        return start_actors(as_sent(node), self._endpoints, self._context)

    def node_of(self, actor: str) -> int | None:
        return node_of(self.nodes, actor)

    def where(self, actor: str) -> str:
        """`` (thread of node broker)``, or '' for an actor of no node."""
        index = self.node_of(actor)
        return "" if index is None else f" (thread of node {self.nodes[index].name})"

    def alive(self, index: int) -> bool:
        return all(ref.is_alive() for ref in self.refs[index])

    def check(self, restart: bool) -> None:
        """Restart what is due; a node whose threads stopped is restarted or ends the run."""
        now = time.monotonic()
        for index in range(len(self.refs)):
            due = self._relaunch_at.get(index)
            if due is not None:
                if now >= due:
                    self._relaunch(index)
            elif not self.alive(index):
                self._down(index, "crashed (its threads stopped)", restart)

    def kill(self, node_name: str) -> None:
        """Chaos: crash the node's threads, after those of the nodes linked to it (a
        send into a dead inproc link blocks); the next check finds them stopped."""
        for index, node in enumerate(self.nodes):
            if node.name == node_name and index not in self._relaunch_at:
                for other in reversed(dependents(self.nodes, index)):
                    if other not in self._relaunch_at and self.alive(other):
                        self._crash(other)
                self._crash(index)

    def frozen(self, actor: str, silent_seconds: float) -> bool:
        """A frozen thread cannot be stopped from outside: the caller fails the run."""
        return False

    def _crash(self, index: int) -> None:
        for ref in self.refs[index]:
            with contextlib.suppress(pykka.ActorDeadError):  # stopped already: as good
                ref.tell(CRASH)
        for ref in self.refs[index]:
            if not ref.actor_stopped.wait(CRASH_WAIT_SECONDS):
                raise SwarmFailed(f"node {self.nodes[index].name} did not stop when crashed")

    def _down(self, index: int, cause: str, restart: bool) -> None:
        """``index`` and every node linked to it are restarted together, at its back-off."""
        supervisor = self._supervisor
        name = self.nodes[index].name
        linked = [node for node in dependents(self.nodes, index) if node not in self._relaunch_at]
        if not restart:  # still starting: nothing to come back to
            raise SwarmFailed(f"the threads of node {name} {cause}")
        for node in [index, *linked]:
            if not supervisor.may_restart(self.nodes[node].name):
                what = f"the threads of node {self.nodes[node].name}"
                raise SwarmFailed(supervisor.give_up_reason(what, self.nodes[node].name, cause))
        due = time.monotonic() + supervisor.back_off_seconds(name)
        for other in reversed(linked):  # nothing sends into a dead link
            if self.alive(other):
                self._crash(other)
        for node, why in [(index, cause), *((other, f"restarted with {name}") for other in linked)]:
            node_name = self.nodes[node].name
            supervisor.down(node_name, why)
            self._relaunch_at[node] = due
            self._liveness.pause([config.name for config in self.nodes[node].actors])
        log.warning("runner: the threads of node %s %s; restarting them", name, cause)

    def _relaunch(self, index: int) -> None:
        """A node others connect to has bound its sockets before they are started again:
        an inproc address freed late would otherwise take a connect to the dead socket
        (a send into it blocks for good)."""
        del self._relaunch_at[index]
        node = recovering(self.nodes[index])
        self.refs[index] = self._start(node)
        if dependents(self.nodes, index):
            for ref in self.refs[index]:
                try:  # answered once on_start (binding, replay) is done
                    ref.ask(BOUND_PROBE, timeout=BIND_WAIT_SECONDS)
                except pykka.ActorDeadError:
                    pass  # it failed to start: the next check names it
                except pykka.Timeout:
                    raise SwarmFailed(
                        f"node {node.name} did not start again within {BIND_WAIT_SECONDS:g} s"
                    ) from None
        for restart in reversed(self._supervisor.restarts):
            if restart.process == node.name:
                restart.relaunched_at = time.monotonic()
                break

    def alive_actors(self) -> list[str]:
        """The actors of the nodes whose threads all still run."""
        return [
            config.name
            for index, node in enumerate(self.nodes)
            if self.refs and self.alive(index)
            for config in node.actors
        ]

    def stop(self, failed: set[str], timeout_seconds: float) -> None:
        """Every actor stopped; one that failed is not waited for, and a thread frozen in a
        strategy cannot be stopped: it is left behind (a daemon thread, it does not keep the
        process from exiting)."""
        refs = self.named_refs()
        for _, ref in refs:
            ref.stop(block=False)
        deadline = time.monotonic() + timeout_seconds
        for name, ref in refs:
            if name not in failed:
                ref.actor_stopped.wait(max(0.0, deadline - time.monotonic()))

"""Start a swarm, release it, wait for it, ask it for its state, and take it down.

The runner owns the control ROUTER every actor connects to. It never trusts a child to
stop by itself: after asking politely it terminates, then kills, what is still alive,
and it does so on every way out (success, failure, Ctrl-C).

Between processes every link is authenticated: the runner makes the run's CURVE keys
(``messages.link_keys``), gives each child its share on standard input, and runs a ZAP
handler for its own control socket on a ZeroMQ context of its own (so two runs in one
process, as in a threaded sweep worker, never share one).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import zmq

from tradeswarm.actors.runtime.config import InstrumentHostConfig
from tradeswarm.actors.runtime.node import NodeConfig
from tradeswarm.actors.runtime.zap import RunAuthenticator, start_authenticator
from tradeswarm.messages import (
    BROKER_NAME,
    MARKET_DATA_NAME,
    ActorFailed,
    ActorFinished,
    ActorReady,
    ActorStopped,
    BrokerResults,
    Heartbeat,
    RunProgress,
    ShutdownRequest,
    StartRequest,
    TradingState,
    Transition,
)
from tradeswarm.messages.link_keys import (
    RunKeys,
    new_run_keys,
    write_state_key,
)
from tradeswarm.messages.recovery import ActorRecovered, Reconciled, ResyncRequest
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.run.chaos import ChaosPlan
from tradeswarm.scenarios.run.control_socket import ControlSocket
from tradeswarm.scenarios.run.errors import SwarmFailed
from tradeswarm.scenarios.run.liveness import Liveness
from tradeswarm.scenarios.run.plan import instrument_names, run_endpoints
from tradeswarm.scenarios.run.process_tree import ProcessTree, restartable
from tradeswarm.scenarios.run.state_request import request_trading_state
from tradeswarm.scenarios.run.supervisor import Supervisor
from tradeswarm.scenarios.run.thread_tree import ThreadTree

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 5.0
POLL_MS = 100


class Swarm:
    def __init__(
        self,
        nodes: list[NodeConfig],
        *,
        topology: str,
        transport: str = "ipc",
        heartbeat_seconds: float = 10.0,
        max_restarts: int = 3,
        restart_window_seconds: float = 60.0,
        chaos: ChaosPlan | None = None,
    ) -> None:
        self.nodes = nodes
        self.topology = topology
        self.transport = transport
        self.actor_names = [config.name for node in nodes for config in node.actors]
        self.finished: dict[str, dict[str, int]] = {}
        self.stopped: dict[str, dict[str, int]] = {}
        self._transitions: dict[str, list[Transition]] = {}  # a restarted host resends
        self.results: BrokerResults | None = None
        self.failed: set[str] = set()  # they said so: no stop to wait for
        # restarted instruments the broker corrected
        self.reconciliations: list[dict[str, Any]] = []
        self.supervisor = Supervisor(restartable(nodes), max_restarts, restart_window_seconds)
        self.started_at = time.monotonic()
        self.chaos = chaos
        # Keys wherever a socket leaves its process; ``single`` is all inproc.
        self.keys: RunKeys | None = None
        if topology != "single":
            self.keys = new_run_keys([node.name for node in nodes])
        self._context: zmq.Context[zmq.Socket[bytes]] = (
            zmq.Context.instance() if self.keys is None else zmq.Context()
        )
        self._authenticator: RunAuthenticator | None = None
        self._control: ControlSocket | None = None
        self._control_counters: dict[str, int] = {}
        self._liveness = Liveness(self.actor_names, heartbeat_seconds, self._where)
        self._live = False  # every actor is ready: silence from now on is a failure
        self.endpoints, self._ipc_dir = run_endpoints(topology, transport)
        self._tree: ProcessTree | ThreadTree
        if self.keys is not None:
            self._tree = ProcessTree(
                nodes, self.endpoints, self.keys, self.supervisor, self._liveness
            )
        else:
            self._tree = ThreadTree(
                nodes, self.endpoints, self._context, self.supervisor, self._liveness
            )

    @property
    def transitions(self) -> list[Transition]:
        return [row for rows in self._transitions.values() for row in rows]

    def restarts(self) -> list[dict[str, Any]]:
        return [restart.as_record(self.started_at) for restart in self.supervisor.restarts]

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def control_counters(self) -> dict[str, int]:
        """What the runner's control socket refused or could not decode."""
        if self._control is not None:
            return dict(self._control.counters)
        return dict(self._control_counters)

    def write_state_key(self, path: Path) -> None:
        """For ``tradeswarm state``: read-only access, readable by the owner only."""
        if self.keys is not None:
            write_state_key(path, self.keys.state_reader())

    def launch(self) -> None:
        runner_keys = self.keys.for_runner() if self.keys is not None else None
        if runner_keys is not None:
            self._authenticator = start_authenticator(self._context, runner_keys)
        self._control = ControlSocket(
            self._context, self.endpoints.control, self.nodes, runner_keys
        )
        self._tree.launch(logging.getLogger().getEffectiveLevel())
        ready: set[str] = set()
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while ready != set(self.actor_names):
            message = self._next_control(deadline, "actors to start")
            if isinstance(message, ActorReady):
                ready.add(message.actor)
        self._liveness.restart_clock()
        self._live = True

    def release(self) -> None:
        self._tell(MARKET_DATA_NAME, StartRequest())

    def wait(
        self, timeout_seconds: float, on_progress: Callable[[RunProgress], None] | None = None
    ) -> None:
        """Until the broker and every instrument have seen the end of the data."""
        needed = {*instrument_names(self.nodes), BROKER_NAME}
        deadline = time.monotonic() + timeout_seconds
        while not needed <= self.finished.keys():
            message = self._next_control(deadline, "the run to finish")
            if isinstance(message, ActorFinished):
                self.finished[message.actor] = message.counters
                self._transitions[message.actor] = message.transitions
            elif isinstance(message, BrokerResults):
                self.results = message
            elif isinstance(message, RunProgress):
                if self.chaos is not None:
                    for kill in self.chaos.due(message.bars):
                        self._tree.kill(kill.process)
                if on_progress is not None:
                    on_progress(message)

    def trading_state(self, timeout_seconds: float = 10.0) -> TradingState:
        key = self.keys.state_reader() if self.keys is not None else None
        return request_trading_state(self.endpoints.state, timeout_seconds, self._context, key)

    def shutdown(self) -> None:
        try:
            if self._control is not None:
                self._ask_to_stop()
        finally:
            self._reap()

    def __enter__(self) -> Swarm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # -- internals ------------------------------------------------------------------------

    def _tell(self, actor: str, message: Any) -> None:
        assert self._control is not None
        if not self._control.tell(actor, message):  # mandatory routing: the actor is gone
            log.info("runner: %s is not connected; %s not sent", actor, type(message).__name__)

    def _next_control(self, deadline: float, waiting_for: str) -> Any:
        """The next message for the caller. The children are checked after each receive:
        an actor that says why it failed, then stops, is named as it said."""
        assert self._control is not None
        while True:
            received = self._control.receive(POLL_MS)
            if received is not None:
                message = self._take(received.sender, received.message)
                if message is not None:
                    return message
            self._watch()
            if time.monotonic() > deadline:
                raise SwarmFailed(f"timed out waiting for {waiting_for}")

    def _take(self, sender: str, message: Any) -> Any:
        """What the runner handles itself (None), or the message for the caller."""
        self._liveness.heard(sender)
        if isinstance(message, ActorFailed):
            self.failed.add(message.actor)
            if message.user_error:
                raise UserError(message.reason)
            raise SwarmFailed(f"actor {message.actor} failed: {message.reason}")
        if isinstance(message, ActorStopped):
            self.stopped[message.actor] = message.counters
        elif isinstance(message, ActorRecovered):
            self._recovered(message)
        elif isinstance(message, Reconciled):
            record = msgspec.structs.asdict(message)
            del record["schema_version"]
            self.reconciliations.append(record)
        elif self._live and isinstance(message, ActorReady):
            if message.actor == MARKET_DATA_NAME:  # restarted: how far to skip
                self._tell(BROKER_NAME, ResyncRequest(peer=MARKET_DATA_NAME))
        elif not isinstance(message, Heartbeat):
            return message
        return None

    def _where(self, actor: str) -> str:
        """`` (process broker, pid 123)`` or `` (thread of node broker)``."""
        return self._tree.where(actor)

    def _recovered(self, message: ActorRecovered) -> None:
        """A restarted broker needs every host to send what it may have lost."""
        if message.actor == BROKER_NAME:
            for node in self.nodes:
                for config in node.actors:
                    if isinstance(config, InstrumentHostConfig):
                        self._tell(config.name, ResyncRequest(peer=BROKER_NAME))
        index = self._tree.node_of(message.actor)
        if index is not None:
            name = self.nodes[index].name
            self.supervisor.back(
                name, message.replayed_inputs, message.replay_seconds, message.from_checkpoint
            )

    def _watch(self) -> None:
        """Dead or frozen children: restarted once the swarm is live, else the end."""
        self._tree.check(restart=self._live)
        if not self._live:
            return
        stale = self._liveness.stale()
        if stale is not None and not self._tree.frozen(*stale):
            self.failed.add(stale[0])  # it cannot hear a stop: nobody waits for it to stop
            raise self._liveness.failure(*stale)

    def _ask_to_stop(self) -> None:
        assert self._control is not None
        alive = set(self._tree.alive_actors()) - self.failed  # before they hear: they stop fast
        for name in self.actor_names:
            self._tell(name, ShutdownRequest())
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while not alive <= set(self.stopped) and time.monotonic() < deadline:
            received = self._control.receive(POLL_MS)
            if received is not None and isinstance(received.message, ActorStopped):
                self.stopped[received.message.actor] = received.message.counters

    def _reap(self) -> None:
        self._tree.stop(self.failed, STOP_TIMEOUT_SECONDS)
        if self._control is not None:
            self._control_counters = dict(self._control.counters)
            self._control.close()
            self._control = None
        if self._authenticator is not None:
            self._authenticator.stop()
            self._authenticator = None
        if self.keys is not None:
            self._context.destroy(linger=0)
        if self._ipc_dir is not None:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

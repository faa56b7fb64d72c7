"""A node: a set of actors started together, in this process or in a child process.

The same specs start the same actors in both topologies; only the endpoints and the
process around them differ. A child node dies with its parent (Linux parent-death
signal, and a watch on the parent pid as a fallback) so a killed runner leaves no
orphan behind, and ignores Ctrl-C: the runner owns the shutdown.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import pykka
import zmq

from tradeswarm.messages import Endpoints

# Imported only where a node runs that kind: the market data pulls in the calendars (and
# pandas), which an instrument shard has no use for and would pay for in memory.
ACTOR_KINDS: dict[str, str] = {
    "market_data": "tradeswarm.actors.market.actor:MarketDataActor",
    "router": "tradeswarm.actors.runtime.router:OrderRouterActor",
    "broker": "tradeswarm.actors.broker.actor:BrokerActor",
    "instruments": "tradeswarm.actors.runtime.instrument_host:InstrumentHostActor",
}
PARENT_WATCH_SECONDS = 0.5
# A thread woken by a socket waits for the GIL up to this long while another computes;
# Python's default (5 ms) would put that wait on the clock's critical path.
SWITCH_INTERVAL_SECONDS = 0.0002
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ActorSpec:
    kind: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeSpec:
    name: str
    actors: tuple[ActorSpec, ...]


def start_actors(
    node: NodeSpec, endpoints: Endpoints, zmq_context: zmq.Context | None = None
) -> list[pykka.ActorRef[Any]]:
    return [
        actor_class(spec.kind).start(endpoints=endpoints, zmq_context=zmq_context, **spec.options)
        for spec in node.actors
    ]


def actor_class(kind: str) -> type[pykka.ThreadingActor]:
    module, _, name = ACTOR_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def run_node(node: NodeSpec, endpoints: Endpoints, parent_pid: int, log_level: int) -> None:
    """The body of a child process (``python -m tradeswarm.actors.runtime.node``, the plan on stdin).

    A plain interpreter, not a multiprocessing child: it imports only the actors it runs,
    not the parent's ``__main__`` and everything the command line pulled in."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=log_level, format=f"%(levelname)s {node.name}: %(message)s")
    refs = start_actors(node, endpoints)
    try:
        while any(ref.is_alive() for ref in refs):
            if os.getppid() != parent_pid:
                break
            for ref in refs:
                ref.actor_stopped.wait(PARENT_WATCH_SECONDS / max(1, len(refs)))
    finally:
        pykka.ActorRegistry.stop_all(block=True, timeout=5)
        _join_actor_threads(timeout_seconds=5)
        zmq.Context.instance().term()
    sys.exit(0)


def _join_actor_threads(timeout_seconds: float) -> None:
    """pykka marks an actor stopped before its ``on_stop`` runs; terminating the context
    under an ``on_stop`` that still closes sockets would fail, so wait for the threads."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout_seconds)


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not glibc: the pid watch still works
        pass


def launch_node(node: NodeSpec, endpoints: Endpoints, log_level: int) -> subprocess.Popen[bytes]:
    """Start ``node`` in a new interpreter that sees the modules this one sees."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path and os.path.isdir(path))
    process = subprocess.Popen(
        [sys.executable, "-m", "tradeswarm.actors.runtime.node", node.name],
        stdin=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None
    process.stdin.write(pickle.dumps((node, endpoints, os.getpid(), log_level)))
    process.stdin.close()
    return process


if __name__ == "__main__":
    run_node(*pickle.loads(sys.stdin.buffer.read()))

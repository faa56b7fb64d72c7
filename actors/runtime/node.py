"""A node: a set of actors started together, in this process or in a child process.

The same configs start the same actors in both topologies; only the endpoints and the
process around them differ. A plan is plain msgpack of typed configs (one struct per actor
kind): a child process decodes and validates it before any actor starts, and the
``single`` topology sends its plan through the same encoding, so what runs in one process
runs in many. A child gets its share of the run's keys (``messages.link_keys``) on the
same standard input, and runs the ZAP handler that checks who connects to what it binds.
A child node dies with its parent (Linux parent-death signal, and a watch on
the parent pid as a fallback) so a killed runner leaves no orphan behind, and ignores
Ctrl-C: the runner owns the shutdown.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import msgspec
import pykka
import zmq

from tradeswarm.actors.broker.config import BrokerConfig
from tradeswarm.actors.market.config import MarketDataConfig
from tradeswarm.actors.runtime.config import InstrumentHostConfig, RouterConfig
from tradeswarm.actors.runtime.socket_actor import actor_threads
from tradeswarm.actors.runtime.zap import start_authenticator
from tradeswarm.messages import Endpoints
from tradeswarm.messages.link_keys import LinkKeys

ActorConfig = MarketDataConfig | RouterConfig | BrokerConfig | InstrumentHostConfig
PARENT_WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


class NodeConfig(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    actors: list[ActorConfig]


class Launch(msgspec.Struct, frozen=True, kw_only=True):
    """What a child process reads on its standard input."""

    node: NodeConfig
    endpoints: Endpoints
    parent_pid: int
    log_level: int
    keys: LinkKeys | None = None  # None: every socket is inproc


def actor_class(config: ActorConfig) -> type[pykka.ThreadingActor]:
    """Imported only where a node runs that kind: the market data pulls in the calendars
    (and pandas), which an instrument shard has no use for and would pay for in memory."""
    if isinstance(config, MarketDataConfig):
        from tradeswarm.actors.market.actor import MarketDataActor

        return MarketDataActor
    if isinstance(config, BrokerConfig):
        from tradeswarm.actors.broker.actor import BrokerActor

        return BrokerActor
    if isinstance(config, RouterConfig):
        from tradeswarm.actors.runtime.router import OrderRouterActor

        return OrderRouterActor
    from tradeswarm.actors.runtime.instrument_host import InstrumentHostActor

    return InstrumentHostActor


def as_sent(node: NodeConfig) -> NodeConfig:
    """``node`` as a child process receives it: encoded, decoded and validated."""
    return msgspec.msgpack.decode(msgspec.msgpack.encode(node), type=NodeConfig)


def start_actors(
    node: NodeConfig,
    endpoints: Endpoints,
    zmq_context: zmq.Context | None = None,
    keys: LinkKeys | None = None,
) -> list[pykka.ActorRef[Any]]:
    return [
        actor_class(config).start(config, endpoints=endpoints, zmq_context=zmq_context, keys=keys)
        for config in node.actors
    ]


def run_node(launch: Launch) -> None:
    """The body of a child process (``python -m``, the plan on stdin).

    A plain interpreter, not a multiprocessing child: it imports only the actors it runs,
    not the parent's ``__main__`` and everything the command line pulled in."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    name = launch.node.name
    logging.basicConfig(level=launch.log_level, format=f"%(levelname)s {name}: %(message)s")
    context: zmq.Context[zmq.Socket[bytes]] = zmq.Context.instance()
    authenticator = None if launch.keys is None else start_authenticator(context, launch.keys)
    refs = start_actors(launch.node, launch.endpoints, keys=launch.keys)
    try:
        while any(ref.is_alive() for ref in refs):
            if os.getppid() != launch.parent_pid:
                break
            for ref in refs:
                ref.actor_stopped.wait(PARENT_WATCH_SECONDS / max(1, len(refs)))
    finally:
        pykka.ActorRegistry.stop_all(block=True, timeout=5)
        _join_actor_threads(timeout_seconds=5)
        if authenticator is not None:
            authenticator.stop()
        context.term()
    sys.exit(0)


def _join_actor_threads(timeout_seconds: float) -> None:
    """pykka marks an actor stopped before its ``on_stop`` runs; terminating the context
    under an ``on_stop`` that still sends or closes sockets would fail, so wait for the
    actors' threads (daemons, so they are found by ``actor_threads``) and any other
    non-daemon thread, ``timeout_seconds`` in all: one frozen in a strategy is left."""
    deadline = time.monotonic() + timeout_seconds
    current = threading.current_thread()
    waited = [*actor_threads(), *(t for t in threading.enumerate() if not t.daemon)]
    for thread in waited:
        if thread is not current:
            thread.join(max(0.0, deadline - time.monotonic()))


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not glibc: the pid watch still works
        pass


def launch_node(
    node: NodeConfig, endpoints: Endpoints, log_level: int, keys: LinkKeys | None = None
) -> subprocess.Popen[bytes]:
    """Start ``node`` in a new interpreter that sees the modules this one sees."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path and os.path.isdir(path))
    process = subprocess.Popen(
        [sys.executable, "-m", __name__, node.name],
        stdin=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None
    launch = Launch(
        node=node, endpoints=endpoints, parent_pid=os.getpid(), log_level=log_level, keys=keys
    )
    try:
        process.stdin.write(msgspec.msgpack.encode(launch))
        process.stdin.close()
    except BrokenPipeError:
        # Killed before it read its launch (chaos, a user's kill): it is a dead process
        # like any other, and the supervisor's next poll sees it and decides.
        with contextlib.suppress(OSError):
            process.stdin.close()
    return process


if __name__ == "__main__":
    run_node(msgspec.msgpack.decode(sys.stdin.buffer.read(), type=Launch))

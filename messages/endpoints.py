"""Where each socket binds, for one run.

The same actors run in every topology; only these addresses change: ``inproc://``
inside one process, ``ipc://`` between processes on one host, ``tcp://127.0.0.1``
when a transport over the loopback is wanted.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import msgspec


class Endpoints(msgspec.Struct, frozen=True, kw_only=True):
    market_data: str  # XPUB: bars and the clock
    market_credit: str  # PULL: broker progress, for flow control
    router: str  # ROUTER: instruments and tools send orders and requests here
    broker: str  # ROUTER: the router's DEALER connects here
    control: str  # ROUTER: the runner; every actor connects a DEALER
    state: str  # ROUTER: read-only trading-state requests, for tools (the router's)


_NAMES = ("market_data", "market_credit", "router", "broker", "control", "state")


def inproc_endpoints() -> Endpoints:
    run = uuid.uuid4().hex[:12]
    return Endpoints(**{name: f"inproc://{run}-{name}" for name in _NAMES})


def ipc_endpoints(directory: Path) -> Endpoints:
    """``directory`` must be short: an ipc path is limited to about 100 bytes.

    The router and the broker share a process, so their link stays ``inproc``."""
    endpoints = {name: f"ipc://{directory / name}.sock" for name in _NAMES}
    endpoints["broker"] = f"inproc://{directory.name}-broker"
    return Endpoints(**endpoints)


def tcp_endpoints() -> Endpoints:
    endpoints = {name: f"tcp://127.0.0.1:{_free_port()}" for name in _NAMES}
    endpoints["broker"] = f"inproc://{uuid.uuid4().hex[:12]}-broker"
    return Endpoints(**endpoints)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

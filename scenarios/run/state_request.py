"""Ask a running swarm for its trading state, as any tool would: through the router's
read-only state socket, with the run's state key where the run has keys."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import zmq

from tradeswarm.messages import Endpoints, TradingState, TradingStateRequest, decode, encode
from tradeswarm.messages.link_keys import StateKey, secure_client
from tradeswarm.messages.sockets import open_socket
from tradeswarm.scenarios.run.errors import SwarmFailed

POLL_MS = 100


def request_trading_state(
    state_endpoint: str,
    timeout_seconds: float,
    context: zmq.Context | None = None,
    key: StateKey | None = None,
) -> TradingState:
    """One trading-state round trip through the router's read-only state socket, as any
    tool would do it (``key``: the run's state key, where the run has keys)."""
    context = context or zmq.Context.instance()
    request_id = uuid.uuid4().hex
    sock = open_socket(context, zmq.DEALER, identity=f"tool/{request_id}".encode())
    try:
        if key is not None:
            secure_client(sock, key.server_public, key.public, key.secret)
        sock.connect(state_endpoint)
        sock.send(encode(TradingStateRequest(request_id=request_id)))
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if sock.poll(POLL_MS):
                message = decode(sock.recv())
                if isinstance(message, TradingState) and message.request_id == request_id:
                    return message
        raise SwarmFailed(f"no trading state from {state_endpoint} in {timeout_seconds} s")
    finally:
        sock.close(linger=0)


def write_endpoints(path: Path, endpoints: Endpoints) -> None:
    """Whole or not at all: a tool (or a test) that sees the file reads every endpoint,
    never the empty file a plain write shows for a moment."""
    table = {name: getattr(endpoints, name) for name in endpoints.__struct_fields__}
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(table, indent=2) + "\n")
    os.replace(partial, path)

"""The broker's state as a checkpoint holds it: its long, uniform parts as msgpack.

Why: a checkpoint pickles the broker's whole state, and the parts that grow with the run
(its fills, account statements, closed orders) or with how far the market data is ahead
of it (the bars it has not passed) are long lists of small structs. Pickled one object at
a time they cost 15 to 50 times what msgspec takes to write them as one msgpack string
(measured on a 4-symbol x 50,000-bar run's broker: closed orders 60-118 ms against 3-9 ms,
pending bars 88-154 ms against 2-6 ms), and a checkpoint holds the actor's thread: no
message is taken and no heartbeat leaves while it is written.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tradeswarm.actors.broker.ledger import OrderState
from tradeswarm.messages import AccountStatement, Bar, Fill

# Each compacted attribute, by the type msgspec decodes it back to.
ENGINE_PARTS: dict[str, Any] = {
    "fills": list[Fill],
    "statements": list[AccountStatement],
    "_bars_at": dict[int, dict[str, Bar]],
}
LEDGER_PARTS: dict[str, Any] = {"closed_orders": dict[str, OrderState]}


def compacted(attributes: dict[str, Any], parts: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``attributes`` with each of ``parts`` as one msgpack string."""
    state = dict(attributes)
    for name in parts:
        state[name] = msgspec.msgpack.encode(state[name])
    return state


def expanded(state: dict[str, Any], parts: dict[str, Any]) -> dict[str, Any]:
    """``state`` with each of ``parts`` decoded back, in place; returned for chaining."""
    for name, kind in parts.items():
        state[name] = msgspec.msgpack.decode(state[name], type=kind)
    return state

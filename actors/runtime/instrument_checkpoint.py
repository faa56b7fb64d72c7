"""What of an instrument its host's checkpoint holds (``actors.runtime.checkpoint``).

Why separate: the instrument (``actors.runtime.instrument``) decides; this says which of
its fields change as it runs, and so must come back after a restart. The strategy and the
host's callbacks are not among them: the restarted instrument is given them again. The
bars it has not decided on go as one msgpack string: pickled one struct at a time they
cost a host's checkpoint ten times as much.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

import msgspec

from tradeswarm.messages import Bar, BarsPublished, SessionEvent

CHECKPOINTED = (
    "context",
    "orders",  # pickled with the context it points at
    "state",
    "transitions",
    "counters",
    "_data_ended",
    "_broker_ended",
    "_queue",
    "_decided_through",
    "_reported_through",
    "_broker_through",
    "_next_batch_seq",
    "_order_seq",
    "_broker_waits",
    "_requests_sent",
)

_QUEUED = list[Bar | SessionEvent | BarsPublished]


def instrument_state(instrument: object) -> dict[str, Any]:
    state = {name: getattr(instrument, name) for name in CHECKPOINTED}
    state["_queue"] = msgspec.msgpack.encode(list(state["_queue"]))
    return state


def restore_instrument(instrument: object, state: Mapping[str, Any]) -> None:
    for name, value in state.items():
        setattr(instrument, name, value)
    instrument._queue = deque(  # type: ignore[attr-defined]
        msgspec.msgpack.decode(state["_queue"], type=_QUEUED)
    )

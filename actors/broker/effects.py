"""What the broker engine hands its actor after each ``advance``: the effects in the order
they happened, each with its route (journal and send, journal only, send only), and how
far the clock and the market data's credit have got (``actors.broker.engine``)."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from tradeswarm.messages import Message


class Route(IntEnum):
    EMIT = 0  # journal, and send to the symbol's owner
    JOURNAL = 1  # journal only: a request the broker took
    FORWARD = 2  # send only: a peer signal passing through the clock


class Effect(NamedTuple):
    route: Route
    symbol: str
    message: Message


class Advance(NamedTuple):
    """What one ``advance`` decided (see the module docstring)."""

    effects: list[Effect]
    progress: dict[str, int]
    credit: int | None
    finished: bool

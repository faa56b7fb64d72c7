"""What one of the checker's random walks holds between events (``actors.fsm.driver``):
the strategy's context and state, the orders it has live at the simulated broker, the
requests waiting for the accept phase, the clock, the cash and where the session is."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tradeswarm.actors.fsm.engine import Strategy, Walks
from tradeswarm.actors.fsm.intents import Intent, Submit
from tradeswarm.actors.fsm.orders import OrderTracker

SYMBOL = "SYM"
STARTING_CASH = 1_000_000.0
MINUTE_NS = 60 * 10**9


@dataclass
class LiveOrder:
    order: Submit
    filled: bool = False
    matched: bool = False  # has met a bar since it was accepted


@dataclass
class Walk:
    strategy: Strategy
    rng: random.Random
    spec: Walks
    context: Any = None
    state: str = ""
    tracker: OrderTracker | None = None
    live: dict[str, LiveOrder] = field(default_factory=dict)
    accepting: deque[tuple[str, Intent]] = field(default_factory=deque)
    history: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    ts_ns: int = 0
    sent: int = 0
    cash: float = STARTING_CASH
    in_session: bool = False
    bars_left: int = 0
    last_close: float = 100.0

"""Faults on the order path, injected on purpose (``tradeswarm run --chaos SEED``).

A host's outgoing messages are shaped before they leave: now and then a message is sent
twice (the broker must take each request once: ``actors.broker.resume.RequestFilter``),
its frames are sent in reverse order, or it is held back and leaves with the next one.
Each is a fault a real network or a restart produces, and none may change a fill. What is
never done: dropping a message for good (the protocol has no retransmission outside a
restart, which the process kills test), or letting a later message overtake an earlier
one (the clock's reports would then run ahead of the orders they cover).
"""

from __future__ import annotations

import random

DUPLICATE = 0.05
REVERSE = 0.05
HOLD = 0.02


class OrderPathChaos:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._held: list[bytes] = []
        self.counters = {"duplicated": 0, "reversed": 0, "held": 0}

    def shape(self, frames: list[bytes]) -> list[list[bytes]]:
        """The messages to send now, in order, for ``frames`` about to be sent as one."""
        frames = self._held + frames
        self._held = []
        roll = self._rng.random()
        if roll < HOLD:
            self.counters["held"] += 1
            self._held = frames
            return []
        if roll < HOLD + REVERSE:
            self.counters["reversed"] += 1
            return [frames[::-1]]
        if roll < HOLD + REVERSE + DUPLICATE:
            self.counters["duplicated"] += 1
            return [frames, list(frames)]
        return [frames]

    def held(self) -> list[bytes]:
        """What waits for the next message (sent by the host's next flush)."""
        return self._held

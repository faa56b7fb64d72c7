"""Faults on the order path, injected on purpose (``tradeswarm run --chaos SEED``).

A host's outgoing messages are shaped before they leave: now and then a message is sent
twice (the broker must take each request once: ``actors.broker.resume.RequestFilter``),
its frames are sent in reverse order, it is held back and leaves with the next one, or it
is dropped for good (a clock report counts the requests before it, so the broker holds
the clock rather than pass a lost order, and asks a host it has waited on too long to
send again: ``actors.broker.stall_watch``). Each is a fault a real network or a restart
produces, and none may change a fill. What is never done: letting a later message
overtake an earlier one on a live link, which neither ZeroMQ transport does.
"""

from __future__ import annotations

import random

DUPLICATE = 0.05
REVERSE = 0.05
HOLD = 0.02
DROP = 0.001  # each costs the run a wait of the broker's stall watch (half a second)


class OrderPathChaos:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._held: list[bytes] = []
        self.counters = {"duplicated": 0, "reversed": 0, "held": 0, "dropped": 0}

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
        if roll < HOLD + REVERSE + DUPLICATE + DROP:
            self.counters["dropped"] += 1
            return []
        return [frames]

    def held(self) -> list[bytes]:
        """What waits for the next message (sent by the host's next flush)."""
        return self._held

"""When may the broker act on which bar: the conservative clock, with no I/O.

Theory of operation. Time is the timeline of distinct bar times the market data
announces. For each time ``t`` the broker runs two phases, in this order:

1. *match* ``t``: open orders meet bar ``t`` (fills at the open, stops, limits). Allowed
   once the previous time's accept phase is done.
2. *accept* ``t``: orders decided on ``t`` are taken, in a fixed order, so the cash check
   never depends on which message arrived first. Allowed once every instrument has
   reported ``StepDone`` through ``t``.

An instrument waits for the broker's progress through ``t`` before deciding on ``t``
whenever it has an order open; otherwise it runs ahead. When the book is idle the
broker skips the match phases, so a quiet run costs a few operations per time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from enum import Enum


class Phase(Enum):
    MATCH = "match"
    ACCEPT = "accept"


class BrokerClock:
    def __init__(self, participants: Iterable[str]) -> None:
        self._decided: dict[str, int] = {name: -1 for name in participants}
        self._min_decided = -1 if self._decided else 2**62
        self._timeline: deque[int] = deque()
        self.matched = -1
        self.accepted = -1
        self.published_through = -1
        self.final = False

    def on_step_done(self, participant: str, through_ts_ns: int) -> None:
        if participant not in self._decided:
            raise KeyError(participant)
        if through_ts_ns > self._decided[participant]:
            previous = self._decided[participant]
            self._decided[participant] = through_ts_ns
            if previous == self._min_decided:
                self._min_decided = min(self._decided.values())

    def on_published(self, timestamps: Iterable[int], through_ts_ns: int, final: bool) -> None:
        self._timeline.extend(timestamps)
        self.published_through = through_ts_ns
        self.final = self.final or final

    @property
    def min_decided(self) -> int:
        return self._min_decided

    def next_phase(self) -> tuple[Phase, int] | None:
        """The phase the broker may run now, or ``None`` while it must wait."""
        if self.accepted < self.matched:
            if self._min_decided >= self.matched:
                return (Phase.ACCEPT, self.matched)
            return None
        if self._timeline:
            return (Phase.MATCH, self._timeline[0])
        return None

    def done(self, phase: Phase, ts_ns: int) -> None:
        if phase is Phase.MATCH:
            self._timeline.popleft()
            self.matched = ts_ns
        else:
            self.accepted = ts_ns

    def skip_idle(self) -> list[int]:
        """With no order anywhere, run every phase that is allowed at once; returns the
        times whose accept phase completed, so the caller can mark prices."""
        passed: list[int] = []
        timeline = self._timeline
        limit = self._min_decided
        if self.accepted < self.matched:
            if limit < self.matched:
                return passed
            self.accepted = self.matched
            passed.append(self.matched)
        while timeline and timeline[0] <= limit:
            ts_ns = timeline.popleft()
            self.matched = self.accepted = ts_ns
            passed.append(ts_ns)
        return passed

    def waiting_on(self) -> list[str]:
        """The participants the clock waits for now (none while it waits for bars)."""
        if self.accepted < self.matched:
            needed = self.matched
        elif self.final and not self._timeline:
            needed = self.published_through
        else:
            return []
        return sorted(name for name, decided in self._decided.items() if decided < needed)

    def finished(self) -> bool:
        return (
            self.final
            and not self._timeline
            and self.accepted == self.matched
            and self._min_decided >= self.published_through
        )

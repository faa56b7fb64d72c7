"""Which actors have gone quiet: a frozen process is a failure named within seconds.

Every actor sends a ``Heartbeat`` twice a second from its own poll loop, so silence means
its thread no longer turns: the process was stopped (SIGSTOP), is deadlocked, or its
strategy is stuck in a loop. A dead process is caught faster by its exit; this catches the
living dead, which would otherwise freeze the run until ``timeout_seconds``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

from tradeswarm.scenarios.run.errors import SwarmFailed

CHECK_EVERY_SECONDS = 0.25


class Liveness:
    def __init__(
        self,
        actors: Iterable[str],
        timeout_seconds: float,
        where: Callable[[str], str] = lambda actor: "",
    ) -> None:
        self._timeout = timeout_seconds
        self._where = where
        self._last: dict[str, float] = dict.fromkeys(actors, time.monotonic())
        self._next_check = 0.0

    def heard(self, actor: str) -> None:
        if actor in self._last:
            self._last[actor] = time.monotonic()

    def restart_clock(self) -> None:
        """From now on: the actors have just started (their start-up is timed apart)."""
        now = time.monotonic()
        self._last = dict.fromkeys(self._last, now)

    def pause(self, actors: list[str]) -> None:
        """Not watched until they are heard again: a restarted process replays its log
        before it can say anything."""
        for actor in actors:
            if actor in self._last:
                self._last[actor] = math.inf

    def stale(self) -> tuple[str, float] | None:
        """The first actor silent for longer than the timeout, and for how long."""
        now = time.monotonic()
        if now < self._next_check:
            return None
        self._next_check = now + CHECK_EVERY_SECONDS
        for actor, last in self._last.items():
            if now - last > self._timeout:
                return actor, now - last
        return None

    def failure(self, actor: str, silent_seconds: float) -> SwarmFailed:
        return SwarmFailed(
            f"actor {actor}{self._where(actor)} sent nothing for {silent_seconds:.1f} s: it is "
            f"frozen or stuck (run.heartbeat_seconds = {self._timeout:g})"
        )

    def check(self) -> None:
        stale = self.stale()
        if stale is not None:
            raise self.failure(*stale)

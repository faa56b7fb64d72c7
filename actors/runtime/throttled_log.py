"""Warnings that a flood cannot turn into a flood of lines.

200,000 garbage frames used to print 200,000 warning lines. A ``ThrottledLog`` prints the
first warning of a kind at once and then at most one line per kind per interval, saying
how many of that kind it held back, so stderr stays a few lines per second whatever a
peer sends. Counting is the counters' job; this only decides what reaches the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class ThrottledLog:
    def __init__(
        self,
        logger: logging.Logger,
        interval_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._interval = interval_seconds
        self._clock = clock
        self._next_line: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def warning(self, kind: str, message: str) -> None:
        """``message`` now if no line of ``kind`` went out in the last interval, else
        held back and counted in the next line of that kind."""
        now = self._clock()
        if now < self._next_line.get(kind, 0.0):
            self._held[kind] = self._held.get(kind, 0) + 1
            return
        held = self._held.pop(kind, 0)
        if held:
            message += f" (and {held} more like it since the last such line)"
        self._next_line[kind] = now + self._interval
        self._logger.warning("%s", message)

    def held(self) -> dict[str, int]:
        """What has not been printed yet, by kind (for a last summary line)."""
        return dict(self._held)

"""A sweep's progress: variants done, failed and running, variants per second and the time
left; a bar on a terminal, a plain line every few seconds elsewhere, nothing when quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

LINE_INTERVAL_SECONDS = 2.0


class SweepProgress:
    def __init__(self, stream: TextIO, *, quiet: bool, clock: Callable[[], float] = time.monotonic):
        self._stream = stream
        self._quiet = quiet
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._terminal = not quiet and _is_terminal(stream)
        self._shown = ""

    def update(self, done: int, failed: int, running: int, total: int) -> None:
        if self._quiet or total == 0:
            return
        now = self._clock()
        elapsed = max(now - self._started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 else float("nan")
        text = (
            f"sweep: {done}/{total} variants, {failed} failed, {running} running, "
            f"{rate:.2f} variants/s, {_duration(left)} left"
        )
        if self._terminal:
            self._stream.write("\r" + text.ljust(len(self._shown)))
            self._stream.flush()
            self._shown = text
        elif now - self._last_line >= LINE_INTERVAL_SECONDS or done == total:
            self._stream.write(text + "\n")
            self._last_line = now

    def close(self) -> None:
        if self._terminal and self._shown:
            self._stream.write("\n")
            self._stream.flush()


def _duration(seconds: float) -> str:
    if seconds != seconds:  # NaN: no rate yet
        return "?"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def make_sweep_progress(quiet: bool) -> SweepProgress:
    return SweepProgress(sys.stderr, quiet=quiet)

"""What a person sees while a run goes: a progress bar on a terminal, plain lines elsewhere.

``make_progress(total_bars, quiet=..., stream=...)`` picks the display: nothing when quiet;
a tqdm bar (bars done of the total, bar-events/s, the simulated date) when the stream is a
terminal; otherwise one plain line every ``interval`` seconds, for logs and CI, and a last
one at ``close()`` if any was written. ``update(bars_done, simulated_ts_ns)`` takes the
running totals, not increments, so a caller may skip or repeat reports freely.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

from tqdm import tqdm

LINE_INTERVAL_SECONDS = 2.0
FALLBACK_COLUMNS = 100


class Progress(Protocol):
    def update(self, bars_done: int, session: str) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    """Quiet: shows nothing."""

    def update(self, bars_done: int, session: str) -> None:
        pass

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, total_bars: int, stream: TextIO) -> None:
        sized = _columns(stream) > 0  # a terminal that reports no size gets a fixed width
        self._bar = tqdm(
            total=total_bars or None,
            file=stream,
            desc="bars",
            unit=" bar-events",
            dynamic_ncols=sized,
            ncols=None if sized else FALLBACK_COLUMNS,
            mininterval=0.1,
            leave=False,
            bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
            "[{elapsed}<{remaining}, {rate_fmt}{postfix}]",
        )
        self._done = 0
        self._date = ""

    def update(self, bars_done: int, session: str) -> None:
        date = session
        if date != self._date:
            self._date = date
            self._bar.set_postfix_str(f"at {date}", refresh=False)
        if bars_done > self._done:
            self._bar.update(bars_done - self._done)
            self._done = bars_done

    def close(self) -> None:
        self._bar.close()


class LineProgress:
    """One plain line every ``interval`` seconds: for pipes, log files and CI."""

    def __init__(
        self,
        total_bars: int,
        stream: TextIO,
        interval: float = LINE_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._total = total_bars
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._done = 0
        self._date = ""
        self._printed = 0
        self._shown: tuple[int, str] | None = None

    def update(self, bars_done: int, session: str) -> None:
        self._done = max(self._done, bars_done)
        self._date = session or self._date
        now = self._clock()
        if now - self._last_line >= self._interval:
            self._last_line = now
            self._write(now)

    def close(self) -> None:
        if self._printed and self._shown != (self._done, self._date):
            self._write(self._clock())

    def _write(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        share = f" ({self._done / self._total:.0%})" if self._total else ""
        total = f"/{self._total:,}" if self._total else ""
        line = (
            f"progress: {self._done:,}{total} bars{share}, "
            f"{self._done / elapsed:,.0f} bar-events/s, at {self._date or '-'}, "
            f"{elapsed:.0f} s"
        )
        print(line, file=self._stream, flush=True)
        self._printed += 1
        self._shown = (self._done, self._date)


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def make_progress(total_bars: int, *, quiet: bool, stream: TextIO | None = None) -> Progress:
    """The display for a run of ``total_bars`` bars (0 if unknown) on ``stream``
    (standard error by default)."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        return NoProgress()
    if _is_terminal(stream):
        return BarProgress(total_bars, stream)
    return LineProgress(total_bars, stream)

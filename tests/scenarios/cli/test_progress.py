"""The progress display: a tqdm bar on a terminal, plain lines on a pipe, nothing when quiet."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap
from pathlib import Path

import pytest

from tradeswarm.scenarios.cli.progress import (
    BarProgress,
    LineProgress,
    NoProgress,
    make_progress,
)

REPO = Path(__file__).resolve().parents[3]
DAYS = ["2000-01-03", "2000-01-04", "2000-01-05", "2000-01-06"]  # session labels


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_quiet_shows_nothing_even_on_a_terminal() -> None:
    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    progress = make_progress(100, quiet=True, stream=stream)
    assert isinstance(progress, NoProgress)
    progress.update(50, DAYS[0])
    progress.close()
    assert stream.getvalue() == ""


def test_a_pipe_gets_plain_lines_every_interval() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = LineProgress(1_000, stream, interval=2.0, clock=clock)
    progress.update(100, DAYS[0])  # at 0 s: too early for a line
    clock.now = 2.5
    progress.update(500, DAYS[1])
    clock.now = 3.0
    progress.update(600, DAYS[2])  # 0.5 s after the last line: none
    clock.now = 5.0
    progress.update(1_000, DAYS[3])
    progress.close()  # already shown: no repeat
    assert stream.getvalue().splitlines() == [
        "progress: 500/1,000 bars (50%), 200 bar-events/s, at 2000-01-04, 2 s",
        "progress: 1,000/1,000 bars (100%), 200 bar-events/s, at 2000-01-06, 5 s",
    ]


def test_close_writes_the_final_line_after_earlier_ones() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = LineProgress(0, stream, interval=1.0, clock=clock)
    clock.now = 1.0
    progress.update(10, DAYS[0])
    clock.now = 1.5
    progress.update(20, DAYS[1])
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[-1].startswith("progress: 20 bars, ")  # no total known: no share


def test_a_short_run_on_a_pipe_prints_nothing() -> None:
    stream = io.StringIO()
    progress = make_progress(10, quiet=False, stream=stream)
    assert isinstance(progress, LineProgress)
    progress.update(10, DAYS[0])
    progress.close()
    assert stream.getvalue() == ""


def test_a_closed_or_odd_stream_is_not_a_terminal() -> None:
    closed = io.StringIO()
    closed.close()
    assert isinstance(make_progress(1, quiet=False, stream=closed), LineProgress)


CHILD = textwrap.dedent(
    """
    import sys, time
    from tradeswarm.scenarios.cli.progress import make_progress
    progress = make_progress(3000, quiet=False, stream=sys.stderr)
    print(type(progress).__name__, file=sys.stderr, flush=True)
    for step in range(1, 31):
        progress.update(step * 100, f"2000-01-{step:02d}")
        time.sleep(0.012)
    progress.close()
    """
)


def run_on_terminal(columns: int) -> str:
    """The child's standard error as a terminal shows it, through a pseudo-terminal of
    ``columns`` columns (0: a terminal that reports no size)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm"}
    env.pop("COLUMNS", None)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
        cwd=REPO,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=30) == 0
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("columns", [120, 0])
def test_a_terminal_gets_a_tqdm_bar_with_rate_and_date(columns: int) -> None:
    shown = run_on_terminal(columns)
    assert "BarProgress" in shown
    assert "bar-events/s" in shown
    assert "3000" in shown and "at 2000-01-" in shown
    assert "\r" in shown  # redrawn in place
    assert "progress:" not in shown  # not the plain lines


def test_the_bar_takes_running_totals() -> None:
    stream = io.StringIO()
    progress = BarProgress(100, stream)
    progress.update(40, DAYS[0])
    progress.update(40, DAYS[0])  # repeated: no double count
    progress.update(70, DAYS[1])
    assert progress._bar.n == 70
    progress.close()


def test_an_unknown_total_still_draws() -> None:
    stream = io.StringIO()
    progress = BarProgress(0, stream)
    progress.update(10, DAYS[0])
    progress._bar.refresh()
    progress.close()
    assert "10/?" in stream.getvalue() and "at 2000-01-03" in stream.getvalue()

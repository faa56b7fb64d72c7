"""Errors in a strategy's own code, told as the user's error: where, and in which line.

A guard, an action, an indicator or ``observe`` that raises, or an action that returns
something the engine cannot send, ends a run with exit code 2 and one message: the
strategy, the symbol, the state, the event, the bar time, what failed, and the user's own
line (the innermost frame outside tradeswarm), never a trace through pykka or the engine.
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

_OURS = Path(__file__).resolve().parents[2]  # the folder holding messages/, actors/, ...
_PACKAGES = tuple(str(_OURS / name) for name in ("messages", "actors", "scenarios"))


class StrategyError(Exception):
    """User code failed; ``role`` says which function (``guard crosses_up``).

    ``user_error`` tells an actor shell to end the run as the user's error (exit 2), and
    ``when`` is the bar time the instrument was deciding on, once it knows it."""

    user_error = True
    when = ""

    def __init__(
        self,
        strategy: str,
        symbol: str,
        state: str,
        event: str,
        role: str,
        problem: str,
        where: str = "",
    ) -> None:
        self.strategy, self.symbol, self.state, self.event = strategy, symbol, state, event
        self.role, self.problem, self.where = role, problem, where
        super().__init__(self.describe())

    def __str__(self) -> str:
        return self.describe()

    def describe(self, when: str = "") -> str:
        when = when or self.when
        at = f" at {when}" if when else ""
        line = f" ({self.where})" if self.where else ""
        return (
            f"strategy {self.strategy}: {self.symbol}{at}, in state {self.state} on event "
            f"{self.event}: {self.role} {self.problem}{line}"
        )


def iso_time(ts_ns: int) -> str:
    """A bar time as people read it: ``2004-05-03T20:00:00Z``."""
    stamp = datetime.fromtimestamp(ts_ns // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}Z"


def raised(error: BaseException) -> str:
    """``raised ZeroDivisionError: division by zero``."""
    return f"raised {type(error).__name__}: {error}"


def user_frame(tb: TracebackType | None) -> str:
    """``mystrategy.py:12 in crosses_up: return 1 / 0``: the innermost frame that is not
    tradeswarm's own (the user's line, or the user's call into a library), else ''."""
    frames = [
        frame for frame in traceback.extract_tb(tb) if not frame.filename.startswith(_PACKAGES)
    ]
    mine = [frame for frame in frames if "site-packages" not in frame.filename]
    chosen = mine or frames
    if not chosen:
        return ""
    frame = chosen[-1]
    text = f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
    return f"{text}: {frame.line.strip()}" if frame.line else text

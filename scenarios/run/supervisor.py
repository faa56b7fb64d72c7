"""Which child processes come back when they die or freeze, how often, and what it cost.

Erlang/OTP's rule, for the processes that can rejoin a running swarm (instrument hosts,
which replay their input log): restart one that exits or freezes, after a back-off that
doubles with each restart in the window, at most ``max_restarts`` times in any
``window_seconds``; one more and the run fails, naming the process and the cause. The
broker's clock holds the simulation while a host is down (it cannot pass a time its
instruments have not decided), so nothing moves on without it. Each restart is recorded
with its cause and how long the host took to be back, for ``summary.json``.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

FIRST_BACK_OFF_SECONDS = 0.05
MAX_BACK_OFF_SECONDS = 2.0


@dataclass
class Restart:
    process: str
    cause: str
    down_at: float  # monotonic: noticed dead or frozen
    relaunched_at: float = 0.0
    back_at: float = 0.0  # it said it has caught up (0: not yet)
    replayed_inputs: int = 0
    replay_seconds: float = 0.0
    from_checkpoint: bool = False

    def as_record(self, started_at: float) -> dict[str, Any]:
        record = asdict(self)
        for key in ("down_at", "relaunched_at", "back_at"):
            record[key] = round(record[key] - started_at, 3) if record[key] else None
        record["recovery_seconds"] = round(self.back_at - self.down_at, 3) if self.back_at else None
        return record


@dataclass
class Supervisor:
    restartable: frozenset[str]  # process (node) names
    max_restarts: int
    window_seconds: float
    restarts: list[Restart] = field(default_factory=list)
    _recent: dict[str, deque[float]] = field(default_factory=dict)

    def may_restart(self, process: str, now: float | None = None) -> bool:
        if process not in self.restartable:
            return False
        now = time.monotonic() if now is None else now
        recent = self._recent.setdefault(process, deque())
        while recent and now - recent[0] > self.window_seconds:
            recent.popleft()
        return len(recent) < self.max_restarts

    def back_off_seconds(self, process: str) -> float:
        recent = len(self._recent.get(process, ()))
        return min(MAX_BACK_OFF_SECONDS, FIRST_BACK_OFF_SECONDS * 2**recent)

    def down(self, process: str, cause: str, now: float | None = None) -> Restart:
        now = time.monotonic() if now is None else now
        self._recent.setdefault(process, deque()).append(now)
        restart = Restart(process=process, cause=cause, down_at=now)
        self.restarts.append(restart)
        return restart

    def back(
        self,
        process: str,
        replayed_inputs: int,
        replay_seconds: float,
        from_checkpoint: bool = False,
    ) -> None:
        for restart in reversed(self.restarts):
            if restart.process == process and not restart.back_at:
                restart.back_at = time.monotonic()
                restart.replayed_inputs = replayed_inputs
                restart.replay_seconds = replay_seconds
                restart.from_checkpoint = from_checkpoint
                return

    def give_up_reason(self, what: str, process: str, cause: str) -> str:
        """``what``: how the process is named (``process broker (pid 12)``)."""
        named = f"{what} {cause}"
        if process not in self.restartable:
            return named
        if self.max_restarts == 0:
            return f"{named} (run.max_restarts = 0: no restarts)"
        return (
            f"{named}, and it was restarted {self.max_restarts} times in "
            f"{self.window_seconds:g} s already (run.max_restarts, run.restart_window_seconds)"
        )

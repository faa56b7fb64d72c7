"""A run folder's life: one run writes it at a time, and it always says how the run ended.

``status.json`` is written when the run starts (``running``) and again when it ends:
``finished``, ``failed`` (with the reason) or ``interrupted`` (with the signal). A run that
did not finish still leaves the fills it made, read back from the broker's journal, so a
crash or a Ctrl-C never loses what happened. ``run.lock`` is held (``flock``) for the whole
run: a second run into the same folder is refused, naming the run that holds it; the lock
dies with its process, so a killed run never blocks the next.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import IO, Any

from tradeswarm.scenarios.config.errors import UserError

STATUS_FILE = "status.json"
LOCK_FILE = "run.lock"
RUNNING, FINISHED, FAILED, INTERRUPTED = "running", "finished", "failed", "interrupted"


class RunFolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: IO[str] | None = None
        self._started = time.time()

    def acquire(self, command: str) -> None:
        """Hold the folder for this run, or refuse, naming the run that holds it."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            handle = (self.path / LOCK_FILE).open("a+")
        except OSError as error:
            raise UserError(f"{self.path}: cannot write the run folder: {error.strerror}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another run"
            handle.close()
            raise UserError(
                f"{self.path}: the run folder is in use by {holder}; wait for it to end or "
                "choose another folder (--out)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({command})\n")
        handle.flush()
        self._lock = handle

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def write_status(self, status: str, **details: Any) -> None:
        record = {
            "status": status,
            "pid": os.getpid(),
            "started": _iso(self._started),
            **({} if status == RUNNING else {"ended": _iso(time.time())}),
            **details,
        }
        temporary = self.path / f".{STATUS_FILE}.tmp"
        temporary.write_text(json.dumps(record, indent=2) + "\n")
        temporary.replace(self.path / STATUS_FILE)  # readers never see half a file


def read_status(folder: Path) -> dict[str, Any] | None:
    """The run's ``status.json``, or None for a folder written before runs had one."""
    try:
        return dict(json.loads((Path(folder) / STATUS_FILE).read_text()))
    except (FileNotFoundError, NotADirectoryError):  # no run there, or not even a folder
        return None


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))

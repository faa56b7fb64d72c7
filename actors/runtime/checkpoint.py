"""A restarted actor's starting point: its state at a decision point, and how far into its
input log that was.

Why: a restarted actor replays its input log (``actors.runtime.input_log``) to become the
actor that was killed, so without a checkpoint its recovery time grows with the run. With
one it loads the checkpoint and replays only what the log holds after it: recovery time
is bounded by how much log is written between two checkpoints (``run.checkpoint_mib``).

A checkpoint is taken right after a decision, when the log has been flushed up to that
decision point, so the state it holds is exactly the state a replay of the log up to its
``log_offset`` would rebuild. It is written beside the log and renamed into place, so a
kill while writing leaves the previous one whole. It is a pickle: only the run's own
actors write it, into the run's folder, readable and writable by the run's user alone.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = 3  # bumped when what a checkpoint holds changes: an older one is not loaded
COST_SHARE_INVERSE = 19  # after a checkpoint that took t, none for 19 t: at most 5 %


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be read back as this build writes them."""


def checkpoint_path(input_log: Path) -> Path:
    return input_log.with_name(input_log.name + ".checkpoint")


def write_checkpoint(path: Path, log_offset: int, state: Any) -> int:
    """Replace the checkpoint at ``path``; returns its size in bytes. Raises what pickling
    raises for a state that cannot be pickled (the caller stops taking checkpoints)."""
    data = pickle.dumps((FORMAT, log_offset, state), protocol=pickle.HIGHEST_PROTOCOL)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        written = 0
        with memoryview(data) as view:
            while written < len(data):
                written += os.write(fd, view[written:])
    finally:
        os.close(fd)
    os.replace(partial, path)
    return len(data)


def read_checkpoint(path: Path) -> tuple[int, Any] | None:
    """``(log_offset, state)``, or None where no checkpoint was taken."""
    if not path.exists():
        return None
    try:
        version, log_offset, state = pickle.loads(path.read_bytes())
    except Exception as error:
        raise CheckpointError(f"{path}: unreadable checkpoint ({error})") from error
    if version != FORMAT:
        raise CheckpointError(f"{path}: checkpoint format {version}, this build reads {FORMAT}")
    return log_offset, state


class Checkpoints:
    """An actor's checkpoints: due every ``every_bytes`` of input log, but never more often
    than keeps their cost under 5 % of the actor's time (a checkpoint holds the whole
    state, which grows with the run: the broker's fills and closed orders); given up, with
    one warning, if the state cannot be pickled (recovery then replays the whole log)."""

    def __init__(
        self,
        input_log: Path | None,
        every_bytes: int,
        owner: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = checkpoint_path(input_log) if input_log and every_bytes > 0 else None
        self._every = every_bytes
        self._owner = owner
        self._clock = clock
        self._next_allowed = 0.0  # the clock's time before which none is taken
        self.taken_at = 0  # the log offset of the last one
        self.loaded = False  # this actor started from one (a restart)
        self.counters = {"checkpoints": 0, "checkpoint_bytes": 0, "checkpoint_ms": 0}

    def load(self) -> tuple[int, Any] | None:
        if self.path is None:
            return None
        loaded = read_checkpoint(self.path)
        if loaded is not None:
            self.taken_at = loaded[0]
            self.loaded = True
        return loaded

    def discard(self) -> None:
        """The loaded checkpoint was wrong: deleted, and the next one due at once."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        self.taken_at = 0
        self.loaded = False

    def due(self, log_offset: int) -> bool:
        return (
            self.path is not None
            and log_offset - self.taken_at >= self._every
            and self._clock() >= self._next_allowed
        )

    def take(self, log_offset: int, state: Any) -> None:
        assert self.path is not None
        started = self._clock()
        try:
            size = write_checkpoint(self.path, log_offset, state)
        except Exception as error:  # a user's context that does not pickle, a full disk
            log.warning(
                "%s: checkpoints are off (%s: %s); a restart replays the whole input log",
                self._owner,
                type(error).__name__,
                error,
            )
            self.path = None
            return
        ended = self._clock()
        self._next_allowed = ended + COST_SHARE_INVERSE * (ended - started)
        self.taken_at = log_offset
        self.counters["checkpoints"] += 1
        self.counters["checkpoint_bytes"] = size
        self.counters["checkpoint_ms"] += round((ended - started) * 1000)

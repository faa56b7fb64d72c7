"""Peak memory of a process tree, sampled from /proc without psutil.

The swarm runs its actors in child processes, so the CLI's own memory says little: the
sampler walks every ``/proc/<pid>/stat`` for parent links and sums the proportional set
size (PSS, from ``/proc/<pid>/smaps_rollup``) of the root and all its descendants, keeping
the largest sum. PSS divides a shared page (the interpreter, numpy, libzmq) among the
processes that map it, so the sum is what the tree really holds; a sum of RSS would count
those pages once per process. Where smaps_rollup cannot be read, RSS stands in.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def _stat_fields(pid_dir: Path) -> tuple[int, int] | None:
    """(ppid, rss pages) of one process, or None if it is gone or unreadable."""
    try:
        text = (pid_dir / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses; it ends at the last ')'.
    fields = text[text.rfind(")") + 2 :].split()
    return int(fields[1]), int(fields[21])  # fields 4 (ppid) and 24 (rss) of proc(5)


def tree_rss_bytes(root: int) -> int:
    """Sum of the RSS of ``root`` and every process descended from it, right now."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _stat_fields(entry)
        if found is None:
            continue
        pid = int(entry.name)
        ppid, pages = found
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        pss = _pss_bytes(pid)
        total += pss if pss is not None else rss.get(pid, 0) * PAGE_BYTES
        stack.extend(children.get(pid, ()))
    return total


def _pss_bytes(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return None


class PeakTreeRss:
    """Samples ``tree_rss_bytes(root)`` every ``interval`` seconds in a daemon thread."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root = root
        self.interval = interval
        self.peak_bytes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-rss", daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.root))
            self.samples += 1
            self.on_sample()
            if self._stop.wait(self.interval):
                return

    def on_sample(self) -> None:
        """What a subclass also records at each sample."""

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / MIB

    def __enter__(self) -> PeakTreeRss:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

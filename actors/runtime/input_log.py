"""An instrument host's write-ahead log of its inputs: how a killed host comes back as the
host it was.

An instrument's state is a function of what it took, in the order it took it, and of where
its host paused to decide (a host decides after each poll of its sockets). The log holds
exactly that: every bar frame and every broker frame the host handed its instruments, and
a mark at every decision point. A restarted host replays the log into fresh instruments
and is, decision for decision, the host that was killed (its strategies are deterministic,
as the checker demands). The rule that makes it safe: the log reaches the operating system
before any message the logged inputs caused leaves the host, so the log always holds at
least the causes of everything the rest of the swarm has seen (a SIGKILL loses what is in
a process's buffers, never what is in the kernel's).

Records are ``kind (1 byte) | length (4 bytes, little-endian) | bytes``. A record cut short
by the kill ends the log; the inputs it held had not been processed yet.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

BARS = b"B"  # a frame from the market data (bars, clock marks)
BROKER = b"R"  # a frame from the broker, through the router
DECIDED = b"D"  # the host decided (after a poll): replay decides here too

_HEADER = struct.Struct("<cI")


class InputLog:
    """Appends to ``path``; ``flush`` is one ``write`` system call of everything pending."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._pending = bytearray()
        self._since_decision = False
        self.offset = os.fstat(self._fd).st_size  # bytes in the file, once flushed

    def append(self, kind: bytes, record: bytes) -> None:
        """An input (``kind``: one byte, ``BARS``, ``BROKER`` or the owner's own)."""
        self._pending += _HEADER.pack(kind, len(record))
        self._pending += record
        self._since_decision = True

    def decided(self) -> None:
        """A decision point, logged only when an input came since the last one (a host
        that polls idly decides nothing new)."""
        if self._since_decision:
            self._pending += _HEADER.pack(DECIDED, 0)
            self._since_decision = False

    def flush(self) -> None:
        """Before anything the pending inputs caused is sent."""
        pending = self._pending
        if pending:
            written = 0
            with memoryview(pending) as view:
                while written < len(pending):
                    written += os.write(self._fd, view[written:])
            self.offset += written
            pending.clear()

    def close(self) -> None:
        self.flush()
        os.close(self._fd)


def read_input_log(path: Path, start: int = 0) -> Iterator[tuple[bytes, bytes]]:
    """``(kind, frame)`` for every record of the log from byte ``start`` (a checkpoint's
    offset) up to its last decision point, in order; the file is cut there first, so what
    the restarted owner appends follows it.

    Inputs after the last decision point were taken but never decided on (a kill cut
    them short, or a stop or a thread crash flushed them): no peer has seen an effect of
    theirs, and the peers send them again, to be logged again where they are taken. Kept,
    they would be taken twice, and the restarted owner would decide where the killed one
    did not (an instrument decides on what it holds at each decision point)."""
    data = path.read_bytes() if path.exists() else b""
    if start > len(data):
        raise ValueError(f"{path}: {len(data)} bytes, but a checkpoint was taken at {start}")
    records, decided_end, decided_records = _records(data, start)
    if decided_end < len(data):
        os.truncate(path, decided_end)
    yield from records[:decided_records]


def read_whole_input_log(path: Path) -> list[tuple[bytes, bytes]]:
    """Every whole record of a log its owner is still writing (and has flushed), the
    inputs taken since its last decision point included: a restarted host whose
    checkpoint the broker contradicts rebuilds itself from this, to stand where it
    stands now (``actors.runtime.host_rejoin``). Nothing is cut."""
    data = path.read_bytes() if path.exists() else b""
    return _records(data, 0)[0]


def _records(data: bytes, start: int) -> tuple[list[tuple[bytes, bytes]], int, int]:
    """The whole records from ``start``, and the byte offset and count of records at
    the last decision point (``start`` and 0 where there is none)."""
    records: list[tuple[bytes, bytes]] = []
    decided_end, decided_records = start, 0
    offset, end = start, len(data)
    while offset + _HEADER.size <= end:
        kind, length = _HEADER.unpack_from(data, offset)
        body = offset + _HEADER.size
        if body + length > end:
            break  # cut short by the kill
        records.append((kind, data[body : body + length]))
        offset = body + length
        if kind == DECIDED:
            decided_end, decided_records = offset, len(records)
    return records, decided_end, decided_records

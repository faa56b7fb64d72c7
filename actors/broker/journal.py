"""An append-only journal of messages: msgpack values, one after another, in one file.

Any msgpack reader can stream it; ``read_journal`` turns it back into typed messages.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import msgpack

from tradeswarm.messages import AnyMessage, DecodeError, Message, decode, encode


class Journal:
    """``append=True`` continues a journal (a restarted broker); otherwise it starts anew."""

    def __init__(self, path: Path, *, append: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = path.open("ab" if append else "wb", buffering=1 << 16)

    def append(self, message: Message) -> None:
        self._file.write(encode(message))

    def append_bytes(self, data: bytes) -> None:
        """A message already encoded (for the socket): a journal entry is its wire bytes."""
        self._file.write(data)

    def flush(self) -> None:
        self._file.flush()

    def flushed_size(self) -> int:
        """Its size once flushed: where a checkpoint of the broker says it ends."""
        self._file.flush()
        return os.fstat(self._file.fileno()).st_size

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def read_journal(path: Path, *, whole_only: bool = False) -> Iterator[AnyMessage]:
    """Any msgpack reader finds the boundaries; the typed decoder validates each message.

    ``whole_only``: stop quietly at a message cut short (a broker killed while writing),
    instead of raising: what a crashed run's journal holds, up to its last whole message."""
    data = path.read_bytes()
    # The default buffer limit (100 MiB) would refuse a long run's journal.
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=len(data))
    unpacker.feed(data)
    start = 0
    while start < len(data):
        try:
            unpacker.skip()
        except (msgpack.UnpackException, ValueError) as error:  # e.g. cut short by a crash
            if whole_only and isinstance(error, msgpack.OutOfData):
                return
            raise DecodeError(f"{path}: no whole message at byte {start}: {error!r}") from None
        end = unpacker.tell()
        yield decode(data[start:end])
        start = end

"""What lets an instrument host be killed and rejoin without a lost or doubled order.

``ReplyHistory``: every frame the broker sent each host, in order, so a restarted host
that has replayed the first ``n`` from its own log gets exactly the rest again (what it
missed while it was down, and what was lost in its buffers when it died).

``RequestFilter``: a restarted host sends again every request its replay produced, since
it cannot know which of them left before the kill. Each instrument numbers its requests
(orders, cancels, replaces, signals share one sequence), so ``(symbol, seq)`` names a
request once and for all: the broker takes the first copy and drops the others.
"""

from __future__ import annotations


class ReplyHistory:
    def __init__(self) -> None:
        self._sent: dict[bytes, list[bytes]] = {}

    def record(self, host: bytes, frames: list[bytes]) -> None:
        self._sent.setdefault(host, []).extend(frames)

    def since(self, host: bytes, index: int) -> list[bytes]:
        return self._sent.get(host, [])[max(0, index) :]

    def count(self, host: bytes) -> int:
        return len(self._sent.get(host, []))


class RequestFilter:
    def __init__(self) -> None:
        self._taken: set[tuple[str, int]] = set()
        self.duplicates = 0

    def first_time(self, symbol: str, seq: int) -> bool:
        key = (symbol, seq)
        if key in self._taken:
            self.duplicates += 1
            return False
        self._taken.add(key)
        return True

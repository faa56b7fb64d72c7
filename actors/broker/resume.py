"""What lets an instrument host be killed and rejoin without a lost or doubled order.

``ReplyHistory``: every frame the broker sent each host, in order, so a restarted host
that has replayed the first ``n`` from its own log gets exactly the rest again (what it
missed while it was down, and what was lost in its buffers when it died).

``RequestFilter``: a restarted host sends again every request its replay produced, since
it cannot know which of them left before the kill. Each instrument numbers its requests
(orders, cancels, replaces, signals share one sequence), so ``(symbol, seq)`` names a
request once and for all: the broker takes the first copy and drops the others. Counted
per symbol, they also show a request lost on the way: a clock report says how many
requests preceded it (``StepDone.requests``).
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
    """Which ``(symbol, seq)`` have come. Only those past a hole are kept one by one: below
    ``taken_through`` every number has come, so memory stays bounded by the holes."""

    def __init__(self) -> None:
        self._taken: set[tuple[str, int]] = set()  # past a hole of their symbol
        self._through: dict[str, int] = {}
        self._last: dict[str, int] = {}
        self.duplicates = 0

    def first_time(self, symbol: str, seq: int) -> bool:
        key = (symbol, seq)
        through = self._through.get(symbol, 0)
        if seq <= through or key in self._taken:
            self.duplicates += 1
            return False
        self._last[symbol] = max(self._last.get(symbol, 0), seq)
        if seq != through + 1:
            self._taken.add(key)
            return True
        through = seq
        while (symbol, through + 1) in self._taken:
            through += 1
            self._taken.discard((symbol, through))
        self._through[symbol] = through
        return True

    def taken_through(self, symbol: str) -> int:
        """The ``n`` such that every request of ``symbol`` numbered 1 to ``n`` has come."""
        return self._through.get(symbol, 0)

    def last_taken(self, symbol: str) -> int:
        """The highest request number of ``symbol`` that has come (0: none)."""
        return self._last.get(symbol, 0)

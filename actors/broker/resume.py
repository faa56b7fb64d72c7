"""What lets an instrument host be killed and rejoin without a lost or doubled order.

``ReplyHistory``: every frame the broker sent each host, in order, so a restarted host
that has replayed the first ``n`` from its own log gets exactly the rest again (what it
missed while it was down, and what was lost in its buffers when it died). What a host says
its log holds (``RepliesLogged``) is forgotten: no restart of it asks for that again.

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
        self._forgotten: dict[bytes, int] = {}  # per host, the frames no longer kept

    def record(self, host: bytes, frames: list[bytes]) -> None:
        self._sent.setdefault(host, []).extend(frames)

    def since(self, host: bytes, index: int) -> tuple[int, list[bytes]]:
        """The frames from number ``index`` on, and the number of the first of them:
        later than ``index`` only when the host asks for what it said it had logged."""
        first = max(index, self.forgotten(host), 0)
        return first, self._sent.get(host, [])[first - self.forgotten(host) :]

    def forget(self, host: bytes, logged: int) -> None:
        """The host's log holds its first ``logged`` frames: they are dropped."""
        forgotten = self.forgotten(host)
        sent = self._sent.get(host, [])
        drop = min(logged - forgotten, len(sent))
        if drop > 0:
            del sent[:drop]
            self._forgotten[host] = forgotten + drop

    def forgotten(self, host: bytes) -> int:
        return self._forgotten.get(host, 0)

    def kept(self) -> int:
        """Frames held for all hosts together."""
        return sum(len(frames) for frames in self._sent.values())

    def count(self, host: bytes) -> int:
        """Every frame ever sent the host, kept or forgotten."""
        return self.forgotten(host) + len(self._sent.get(host, []))


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

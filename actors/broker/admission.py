"""Which request messages reach the broker's engine, without sockets.

Only the host that runs a symbol may decide for it: its clock reports, orders, cancels,
replaces and signals. Anything else never reaches the engine (a forged report could race
the clock ahead; a forged order would trade). And each request is taken once: a restarted
host sends again every request it ever made, since it cannot know which of them left
before the kill (``actors.broker.resume.RequestFilter``). A clock report waits until
the requests it covers are in (``report``, ``released``): one lost on the way is sent
again. The actor counts and reports what is turned away.
"""

from __future__ import annotations

from enum import Enum

from tradeswarm.actors.broker.resume import RequestFilter
from tradeswarm.messages import CancelRequest, OrderRequest, PeerSignal, ReplaceRequest, StepDone

Request = OrderRequest | CancelRequest | ReplaceRequest | PeerSignal


class Verdict(Enum):
    TAKE = "take"
    NOT_ENTITLED = "not entitled"  # not from the host that runs the symbol
    DUPLICATE = "duplicate"  # a request taken already


class Admission:
    def __init__(self, identities: dict[str, bytes]) -> None:
        """``identities``: each symbol's host, as the router names it."""
        self._identities = identities
        self._taken = RequestFilter()
        self._waiting: dict[str, list[StepDone]] = {}  # reports ahead of their requests
        self.reports_held = 0

    @property
    def duplicates(self) -> int:
        return self._taken.duplicates

    def last_taken(self, symbol: str) -> int:
        return self._taken.last_taken(symbol)

    def entitled(self, origin: bytes, symbol: str) -> bool:
        return self._identities.get(symbol) == origin

    def request(self, origin: bytes, request: Request) -> Verdict:
        if not self.entitled(origin, request.symbol):
            return Verdict.NOT_ENTITLED
        if not self._taken.first_time(request.symbol, request.seq):
            return Verdict.DUPLICATE
        return Verdict.TAKE

    def report(self, step: StepDone) -> int | None:
        """The time an entitled clock report lets the clock pass for its sender, or None
        while a request it covers has not come: the report waits for it (``released``)."""
        if self._taken.taken_through(step.sender) >= step.requests:
            return step.through_ts_ns
        self.reports_held += 1
        self._waiting.setdefault(step.sender, []).append(step)
        return None

    def released(self, symbol: str) -> int | None:
        """After a request of ``symbol`` is taken: the latest time a waiting report of
        its may now pass, if any."""
        waiting = self._waiting.get(symbol)
        if not waiting:
            return None
        taken = self._taken.taken_through(symbol)
        ready = [step.through_ts_ns for step in waiting if step.requests <= taken]
        if not ready:
            return None
        self._waiting[symbol] = [step for step in waiting if step.requests > taken]
        return max(ready)

"""Which request messages reach the broker's engine, without sockets.

Only the host that runs a symbol may decide for it: its clock reports, orders, cancels,
replaces and signals. Anything else never reaches the engine (a forged report could race
the clock ahead; a forged order would trade). And each request is taken once: a restarted
host sends again every request it ever made, since it cannot know which of them left
before the kill (``actors.broker.resume.RequestFilter``). The actor counts and reports
what is turned away.
"""

from __future__ import annotations

from enum import Enum

from tradeswarm.actors.broker.resume import RequestFilter
from tradeswarm.messages import CancelRequest, OrderRequest, PeerSignal, ReplaceRequest

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

    @property
    def duplicates(self) -> int:
        return self._taken.duplicates

    def entitled(self, origin: bytes, symbol: str) -> bool:
        return self._identities.get(symbol) == origin

    def request(self, origin: bytes, request: Request) -> Verdict:
        if not self.entitled(origin, request.symbol):
            return Verdict.NOT_ENTITLED
        if not self._taken.first_time(request.symbol, request.seq):
            return Verdict.DUPLICATE
        return Verdict.TAKE

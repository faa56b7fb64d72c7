"""When the broker's clock has waited too long on a host, ask the host to send again.

A host's message can be lost on the way (``tradeswarm run --chaos`` drops some on
purpose; a link that breaks and comes back loses what was in flight). A lost request
shows (the next clock report counts one more than the broker has:
``actors.broker.admission``), a lost clock report does not: in both cases the clock waits
for a report that will not come. So when the clock has not moved for a while and waits
on some hosts, the broker asks them to resume (``ResendRequest``): each sends every
request again and its latest reports, which the broker takes once. A host that is only
slow pays a resend, not a wrong fill. The wait doubles while the clock stays stuck, so a
slow host is not flooded.
"""

from __future__ import annotations

import time
from collections.abc import Callable

FIRST_AFTER_SECONDS = 0.5
LONGEST_SECONDS = 8.0


class StallWatch:
    def __init__(
        self,
        first_after: float = FIRST_AFTER_SECONDS,
        longest: float = LONGEST_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._first_after = first_after
        self._longest = longest
        self._now = clock
        self._position: object = None
        self._wait = first_after
        self._deadline = clock() + first_after

    def stalled(self, position: object) -> bool:
        """``position``: anything that changes when the clock moves. True when it has
        not changed for the current wait (which then doubles)."""
        now = self._now()
        if position != self._position:
            self._position = position
            self._wait = self._first_after
            self._deadline = now + self._wait
            return False
        if now < self._deadline:
            return False
        self._wait = min(self._wait * 2, self._longest)
        self._deadline = now + self._wait
        return True

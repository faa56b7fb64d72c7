"""``tradeswarm run SCENARIO --chaos SEED``: faults injected on purpose, so a user can see
their own strategy survive them.

The seed decides everything: how many actor processes are killed (SIGKILL, one to three,
within the restart limit; in ``single``, their threads crashed), which (an instrument
host, the broker with the router, or the market data), and at which bar of the run (the broker's bar
count, as its progress reports it); and, in every host, which messages on the order path
are duplicated, reversed, held back or dropped (``actors.runtime.order_path_chaos``). A kill lands
at the first progress report past its bar, so the bar is where it is aimed, not to the
bar. Every injected fault is listed in ``summary.json`` and printed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

MAX_KILLS = 3


@dataclass
class Kill:
    at_bars: int
    process: str
    done_at_bars: int = -1  # -1: the run ended before it


@dataclass
class ChaosPlan:
    seed: int
    kills: list[Kill] = field(default_factory=list)
    how: str = "SIGKILL"  # "crash" for threads (single)

    @classmethod
    def make(
        cls,
        seed: int,
        total_bars: int,
        processes: list[str],
        max_restarts: int,
        how: str = "SIGKILL",
    ) -> ChaosPlan:
        rng = random.Random(seed)
        count = min(MAX_KILLS, max_restarts, rng.randint(1, MAX_KILLS)) if processes else 0
        kills = sorted(
            (
                Kill(rng.randrange(1, max(2, total_bars)), rng.choice(processes))
                for _ in range(count)
            ),
            key=lambda kill: kill.at_bars,
        )
        return cls(seed, kills, how)

    def due(self, bars: int) -> list[Kill]:
        """The kills whose bar the run has reached, marked done."""
        due = [kill for kill in self.kills if kill.done_at_bars < 0 and kill.at_bars <= bars]
        for kill in due:
            kill.done_at_bars = bars
        return due

    def host_seed(self, host_index: int) -> int:
        return self.seed * 1009 + host_index

    def as_record(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "kills": [
                {
                    "signal": self.how,
                    "process": kill.process,
                    "aimed_at_bar": kill.at_bars,
                    "at_bar": kill.done_at_bars if kill.done_at_bars >= 0 else None,
                }
                for kill in self.kills
            ],
        }


def chaos_record(plan: ChaosPlan, counters: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The plan's kills as they happened, and the order-path faults every host injected."""
    record = plan.as_record()
    for kind in ("duplicated", "reversed", "held", "dropped"):
        record[kind] = sum(actor.get(f"chaos_{kind}", 0) for actor in counters.values())
    return record

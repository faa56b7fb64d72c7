"""The FSM state timeline: every transition an instrument made, for reports and replays."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class TransitionLog:
    symbol: str
    rows: list[tuple[int, str, str, str]] = field(default_factory=list)

    def record(self, ts_ns: int, before: str, event: str, after: str) -> None:
        self.rows.append((ts_ns, before, event, after))

"""The FSM state timeline: every transition an instrument made, for reports and replays."""

from __future__ import annotations

from dataclasses import dataclass, field

from tradeswarm.messages import Transition


@dataclass(slots=True)
class TransitionLog:
    symbol: str
    rows: list[Transition] = field(default_factory=list)

    def record(self, ts_ns: int, before: str, event: str, after: str) -> None:
        self.rows.append(
            Transition(
                ts_ns=ts_ns, symbol=self.symbol, from_state=before, event=event, to_state=after
            )
        )

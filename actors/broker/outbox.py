"""What the broker owes each recipient in one cycle, and what it has sent each host.

One multipart message per recipient per cycle, its progress report last (after the fills
it covers), built here without sockets; the actor sends each and says so. Everything sent
to a host is kept (``ReplyHistory``) for the host's restart; a restarted broker's replay
"sends" into the history only, since what it replays left before the kill or was lost.
"""

from __future__ import annotations

from tradeswarm.actors.broker.resume import ReplyHistory
from tradeswarm.messages import BrokerProgress, encode

Account = tuple[int, float, float]  # ts_ns, cash, equity


class Outbox:
    def __init__(self, hosts: frozenset[bytes]) -> None:
        self.history = ReplyHistory()
        self._hosts = hosts
        self._frames: dict[bytes, list[bytes]] = {}
        self._progress: dict[bytes, int] = {}

    def add(self, recipient: bytes, data: bytes) -> None:
        self._frames.setdefault(recipient, []).append(data)

    def progress(self, recipient: bytes, ts_ns: int) -> None:
        self._progress[recipient] = max(ts_ns, self._progress.get(recipient, ts_ns))

    def __len__(self) -> int:
        return len(self._frames)

    def due(self, account: Account | None) -> list[tuple[bytes, list[bytes]]]:
        """Every recipient's message, progress last (with cash and equity when the
        account is as of that time); each stays due until ``sent``."""
        for recipient, ts_ns in self._progress.items():
            if account is not None and account[0] == ts_ns:
                _, cash, equity = account
                report = BrokerProgress(
                    through_ts_ns=ts_ns, account_ts_ns=ts_ns, cash=cash, equity=equity
                )
            else:
                report = BrokerProgress(through_ts_ns=ts_ns)
            self.add(recipient, encode(report))
        self._progress.clear()
        return list(self._frames.items())

    def sent(self, recipient: bytes) -> None:
        frames = self._frames.pop(recipient)
        if recipient in self._hosts:
            self.history.record(recipient, frames)

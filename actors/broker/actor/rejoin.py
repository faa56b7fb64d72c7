"""How a broker is killed and comes back as the broker it was: the recovery half of
``BrokerActor`` (``actors.broker.actor.broker_actor``), which builds on it.

As an instrument host does (``actors.runtime.instrument_host``), the broker logs its inputs
and decision points before their effects leave, and checkpoints itself now and then
(``actors.runtime.checkpoint``). A restarted broker loads its checkpoint, cuts its journal
back to where the checkpoint says it ended, and replays the log after it (writing the
journal on the way); without an input log it is the broker its journal says it was. Then it
takes the chunks it missed on its welcome topic, and holds its clock until every host has
resumed: sent every request again (taken once) and taken the replies it had not logged,
with the broker's positions and open orders to check its instruments against.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import msgspec
import zmq

from tradeswarm.actors.broker.admission import Admission
from tradeswarm.actors.broker.engine import BrokerEngine
from tradeswarm.actors.broker.journal import Journal
from tradeswarm.actors.broker.outbox import Outbox
from tradeswarm.actors.broker.replay import restore
from tradeswarm.actors.runtime.catch_up import MarketFeed
from tradeswarm.actors.runtime.checkpoint import Checkpoints
from tradeswarm.actors.runtime.input_log import BARS, InputLog, read_input_log
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import BrokerProgress, JournalHeader, encode, host_identity
from tradeswarm.messages.identities import ROUTER_LINK_IDENTITY
from tradeswarm.messages.printable import printable
from tradeswarm.messages.recovery import ActorRecovered, ResumeReply, ResumeRequest

REQUESTS = b"Q"  # an input-log record: a request message, origin first


class BrokerRecovery(SocketActor):
    """What the recovery half reads and writes; ``BrokerActor`` sets it up."""

    engine: BrokerEngine
    journal: Journal
    _journal_path: Path
    _recover: bool
    _header: JournalHeader
    _identities: dict[str, bytes]
    _hosts: frozenset[bytes]
    _admission: Admission
    _outbox: Outbox
    _feed: MarketFeed
    _log_path: Path | None
    _input_log: InputLog | None
    _replaying: bool
    _rejoining: bool
    _awaiting_hosts: set[bytes]
    _credit_due: int | None
    _replay_seconds: float
    _checkpoints: Checkpoints
    _router_identity: bytes | None
    _credit: zmq.Socket

    def _on_request_message(self, origin: bytes, body: bytes) -> None:
        raise NotImplementedError

    def _advance(self) -> None:
        raise NotImplementedError

    def _send_if_connected(self, frames: list[bytes]) -> None:
        raise NotImplementedError

    def _open_journal(self) -> None:
        """The journal, and the broker it was, before any socket opens: a restart with an
        input log replays it (from its checkpoint), one without restores the journal."""
        rejoining = self._recover and self._log_path is not None
        recovering = self._recover and self._journal_path.exists() and not rejoining
        checkpoint = self._checkpoints.load() if rejoining else None
        if recovering:
            self._restore_from_journal()
        if checkpoint is not None:  # the journal as it stood then, to be written on
            os.truncate(self._journal_path, checkpoint[1]["journal_size"])
        self.journal = Journal(self._journal_path, append=recovering or checkpoint is not None)
        if not recovering and checkpoint is None:
            self.journal.append(self._header)
        if rejoining:
            self._replay(checkpoint)
        if self._log_path is not None:
            self._input_log = InputLog(self._log_path)

    def _start_rejoining(self) -> None:
        """Once the sockets are open: ask for the chunks it missed, and wait for them and
        for every host before the clock moves again."""
        if self._recover and self._log_path is not None:
            self._rejoining = True
            self._feed.ask_snapshot()  # last: the other subscriptions are in force
            self._awaiting_hosts = set(self._hosts)
            self._router_identity = ROUTER_LINK_IDENTITY
            self.on_resync_request()  # a market data restarted with it waits for this

    def on_resync_request(self) -> None:
        """A restarted market data needs to know how far the broker is: it skips that."""
        through = -1 if self._credit_due is None else self._credit_due
        self._credit.send(encode(BrokerProgress(through_ts_ns=through)))

    def _replay(self, checkpoint: tuple[int, dict[str, Any]] | None) -> None:
        """The broker that was killed, rebuilt from its checkpoint and the log after it
        (the journal rewritten on the way); what it would have sent is kept as each host's
        reply history."""
        assert self._log_path is not None
        started = time.perf_counter()
        self._replaying = True
        replayed = 0
        if checkpoint is not None:
            self._restore(checkpoint[1])
        start = 0 if checkpoint is None else checkpoint[0]
        for kind, record in read_input_log(self._log_path, start):
            if kind == BARS:
                self._feed.take(record)
            elif kind == REQUESTS:
                origin, *bodies = msgspec.msgpack.decode(record, type=list[bytes])
                for body in bodies:
                    self._on_request_message(origin, body)
            else:
                self._advance()
            replayed += 1
        self._replaying = False
        self.counters["replayed_inputs"] = replayed
        self._replay_seconds = round(time.perf_counter() - started, 4)

    def _checkpoint_state(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "outbox": self._outbox,
            "admission": self._admission,
            "position": self._feed.position,
            "credit_due": self._credit_due,
            "counters": dict(self.counters),
            "journal_size": self.journal.flushed_size(),
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.engine = state["engine"]
        self._outbox = state["outbox"]
        self._admission = state["admission"]
        self._feed.position = state["position"]
        self._credit_due = state["credit_due"]
        self.counters.update(state["counters"])

    def _restore_from_journal(self) -> None:
        """A restarted broker with no input log is the broker its journal says it was."""
        self.counters["recovered_messages"] = restore(self.engine, self._journal_path)

    def _rejoined(self) -> None:
        """The chunks a restarted broker missed have come: it is back."""
        if self._rejoining:
            self._rejoining = False
            replayed = self.counters.get("replayed_inputs", 0)
            self.send_control(
                ActorRecovered(
                    actor=self.name,
                    replayed_inputs=replayed,
                    replay_seconds=self._replay_seconds,
                    from_checkpoint=self._checkpoints.loaded,
                )
            )

    def _from_host(self, origin: bytes, host: str) -> bool:
        """A host speaks for itself only: a resume or a word on its log names its sender."""
        return origin in self._hosts and origin == host_identity(host)

    def _resume(self, origin: bytes, request: ResumeRequest) -> None:
        """A restarted host gets every frame it has not logged, at once and in one message,
        ahead of anything still waiting for it in the outbox (which is newer), with the
        broker's book and how far it has taken each of the host's instruments' requests."""
        if not self._from_host(origin, request.host):
            self.refuse("broker", f"ResumeRequest for {printable(request.host)}")
            return
        from_index, resent = self._outbox.history.since(origin, request.replies_seen)
        held = self.engine.book.snapshot()  # what its instruments check themselves against
        symbols = {symbol for symbol, identity in self._identities.items() if identity == origin}
        reply = encode(
            ResumeReply(
                host=request.host,
                from_index=from_index,
                positions=[item for item in held.positions if item.symbol in symbols],
                open_orders=[item for item in held.open_orders if item.symbol in symbols],
                requests_taken={
                    symbol: self._admission.last_taken(symbol) for symbol in sorted(symbols)
                },
            )
        )
        assert self._router_identity is not None  # the request came through it
        self._send_if_connected([self._router_identity, origin, reply, *resent])
        self.counters["resumes"] = self.counters.get("resumes", 0) + 1

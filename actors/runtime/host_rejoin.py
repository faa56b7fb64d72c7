"""How an instrument host is killed and comes back as the host it was: the recovery half
of ``InstrumentHostActor`` (``actors.runtime.instrument_host``), which builds on it.

The host logs every input it hands its instruments, and every decision point, to its input
log (``actors.runtime.input_log``) before anything they caused leaves, and checkpoints its
instruments now and then (``actors.runtime.checkpoint``). Started with ``recover``, it
loads the checkpoint, replays the log after it, and catches up on what it missed: the
broker's replies after the ones it logged, and the chunks the broker has not passed,
re-sent by the market data on the host's welcome topic. It decides nothing new until both
have come. The resume is two steps: the request alone; then, with the reply, its
instruments check themselves against the broker's snapshot (``actors.fsm.reconcile``: the
broker wins, and what one decided from facts the broker contradicts is voided,
``actors.runtime.untaken``), and only then does it send again every request the replay
produced (the broker drops what it already took). Then it tells the runner it is back.

A checkpoint is a shortcut, the log is the record: where the broker contradicts a host
that started from a checkpoint, the checkpoint is thrown away and the instruments are
rebuilt from the whole log before anything is reconciled. Only what the log itself gets
wrong is then the broker's to correct, so a damaged checkpoint costs a longer replay and
never a different fill.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import zmq

from tradeswarm.actors.fsm.reconcile import differences
from tradeswarm.actors.runtime.catch_up import MarketFeed, StreamPosition
from tradeswarm.actors.runtime.checkpoint import Checkpoints
from tradeswarm.actors.runtime.input_log import (
    BARS,
    BROKER,
    InputLog,
    read_input_log,
    read_whole_input_log,
)
from tradeswarm.actors.runtime.instrument import Instrument
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import ActorFinished, decode, encode, instrument_name
from tradeswarm.messages.recovery import (
    ActorRecovered,
    Reconciled,
    ResumeReply,
    ResumeRequest,
)

log = logging.getLogger(__name__)

RECONCILED = b"C"  # an input-log record: a resume's reply an instrument was reconciled to


class HostRecovery(SocketActor):
    """What the recovery half reads and writes; ``InstrumentHostActor`` sets it up."""

    instruments: dict[str, Instrument]
    _running: list[Instrument]
    _log_path: Path | None
    _input_log: InputLog | None
    _outbox: list[bytes]
    _unverified_checkpoint: bool
    _recover: bool
    _replaying: bool
    _replies_seen: int
    _feed: MarketFeed
    _awaiting_resume: bool
    _resumes_pending: int
    _replayed: int
    _replay_seconds: float
    _checkpoints: Checkpoints
    _orders: zmq.Socket

    def _take_broker_frame(self, body: bytes) -> None:
        raise NotImplementedError

    def _new_instruments(self) -> dict[str, Instrument]:
        raise NotImplementedError

    def _new_position(self) -> StreamPosition:
        raise NotImplementedError

    def _decide(self) -> None:
        raise NotImplementedError

    def _log(self, kind: bytes, frame: bytes) -> None:
        raise NotImplementedError

    def _report_finished(self, instrument: Instrument) -> None:
        self.send_control(
            ActorFinished(
                actor=instrument.name,
                counters=dict(instrument.counters),
                transitions=instrument.transitions.rows,
            )
        )

    def _resume(self) -> None:
        """Ask the broker for the replies not yet taken; its reply leads to
        ``_take_resume_reply``. Nothing is decided until it comes."""
        self._awaiting_resume = True
        self._resumes_pending += 1
        resume = ResumeRequest(host=self.name, replies_seen=self._replies_seen)
        self._orders.send(encode(resume))

    def _take_resume_reply(self, reply: ResumeReply, frames: list[bytes]) -> None:
        """The replies it had not taken, then its instruments checked against the
        broker's snapshot (which voids what one decided from facts the broker
        contradicts), then every request and the latest clock report of every
        instrument sent again: the broker drops what it has."""
        self._resumes_pending -= 1
        self._awaiting_resume = False
        if self._unverified_checkpoint:
            self._unverified_checkpoint = False
            short = self._replies_seen < reply.from_index  # its count is below what it told
            if not short:
                self._take_missed(reply, frames)
            if short or self._contradicted(reply):
                self._replay_whole_log()
                if self._replies_seen < reply.from_index:
                    self._resume()  # ask again from where the log says
                    return
                self._take_missed(reply, frames)
        else:
            self._take_missed(reply, frames)
        self._reconcile(reply, frames[0])
        resent = [
            frame for instrument in self.instruments.values() for frame in instrument.resend()
        ]
        self._orders.send_multipart(resent)

    def _take_missed(self, reply: ResumeReply, frames: list[bytes]) -> None:
        """The reply's frames from the first this host has not taken. The broker forgot
        what the host said its log holds: a log that holds less lost it, and the host
        cannot be rebuilt (it fails, naming that)."""
        if self._replies_seen < reply.from_index:
            raise RuntimeError(
                f"{self.name}: its input log holds {self._replies_seen} broker replies, but "
                f"it told the broker it held {reply.from_index}; the log was cut or replaced"
            )
        for body in frames[1 + max(0, self._replies_seen - reply.from_index) :]:
            self._take_broker_frame(body)

    def _contradicted(self, reply: ResumeReply) -> bool:
        return any(
            differences(symbol, instrument.orders, reply.positions, reply.open_orders)
            for symbol, instrument in self.instruments.items()
        )

    def _replay_whole_log(self) -> None:
        """The broker contradicts what the checkpoint gave: the instruments are built
        afresh and take every input the host has logged, those taken since it restarted
        included, so they stand where the killed host's did. The checkpoint is deleted
        (the next one is taken at the next decision point)."""
        assert self._log_path is not None and self._input_log is not None
        started = time.perf_counter()
        log.warning("%s: the broker contradicts its checkpoint; replaying its whole log", self.name)
        self.counters["checkpoints_refuted"] = self.counters.get("checkpoints_refuted", 0) + 1
        self.counters.pop("reconciliations", None)  # the whole log's are counted again
        self._checkpoints.discard()
        self._input_log.flush()
        self.instruments = self._new_instruments()
        self._running = list(self.instruments.values())
        self._replies_seen = 0
        self._feed.position = self._new_position()
        self._replay_records(read_whole_input_log(self._log_path))
        self._outbox.clear()  # all in what the resume sends
        self._replay_seconds += time.perf_counter() - started

    def on_resync_request(self) -> None:
        """The broker was restarted: it has what it logged, and needs the rest."""
        self._recover = True
        self._resume()

    def _replay(self) -> None:
        """The host that was killed, rebuilt from its log; what it sends waits in the outbox."""
        assert self._log_path is not None
        started = time.perf_counter()
        loaded = self._checkpoints.load()
        if loaded is not None:
            self._restore(loaded[1])
            self._unverified_checkpoint = True
        start = 0 if loaded is None else loaded[0]
        self._replay_records(read_input_log(self._log_path, start))
        self._replay_seconds = time.perf_counter() - started

    def _replay_records(self, records: Iterable[tuple[bytes, bytes]]) -> None:
        """Each logged input taken again, and a decision wherever the host decided."""
        self._replaying = True
        for kind, frame in records:
            if kind == BARS:
                self._feed.take(frame)
            elif kind == BROKER:
                self._take_broker_frame(frame)
            elif kind == RECONCILED:
                reply = decode(frame)
                assert isinstance(reply, ResumeReply)  # it was logged as one
                self._reconcile(reply, frame)
            else:
                self._decide()
            self._replayed += 1
        self._replaying = False

    def _checkpoint_state(self) -> dict[str, Any]:
        return {
            "replies_seen": self._replies_seen,
            "position": self._feed.position,
            "running": [instrument.symbol for instrument in self._running],
            "instruments": {
                symbol: instrument.checkpoint_state()
                for symbol, instrument in self.instruments.items()
            },
        }

    def _restore(self, state: dict[str, Any]) -> None:
        """The host as its checkpoint holds it; its finished instruments say so again (the
        runner may not have heard before the kill)."""
        self._replies_seen = state["replies_seen"]
        self._feed.position = state["position"]
        for symbol, instrument_state in state["instruments"].items():
            self.instruments[symbol].restore_state(instrument_state)
        self._running = [self.instruments[symbol] for symbol in state["running"]]
        for instrument in self.instruments.values():
            if instrument not in self._running:
                self._report_finished(instrument)

    def _recovered_if_done(self) -> None:
        if self._recover and not (self._feed.awaiting_snapshot or self._awaiting_resume):
            self._recover = False
            self.send_control(
                ActorRecovered(
                    actor=self.name,
                    replayed_inputs=self._replayed,
                    replay_seconds=round(self._replay_seconds, 4),
                    from_checkpoint=self._checkpoints.loaded,
                )
            )

    def _reconcile(self, reply: ResumeReply, frame: bytes) -> None:
        """Every instrument against the broker's snapshot in a resume's reply (``frame``),
        all of whose replies it has taken: where one differs the broker wins, which is
        logged (a replay does it again at the same point) and reported."""
        records = [
            record
            for instrument in self.instruments.values()
            if (
                record := instrument.reconcile(
                    reply.positions,
                    reply.open_orders,
                    reply.requests_taken.get(instrument.symbol, 0),
                )
            )
            is not None
        ]
        if not records:
            return
        self.counters["reconciliations"] = self.counters.get("reconciliations", 0) + len(records)
        self._log(RECONCILED, frame)
        if self._replaying:
            return
        for record in records:
            actor = instrument_name(record.symbol)
            log.warning("%s: %s", actor, "; ".join(record.differences))
            self.send_control(
                Reconciled(
                    actor=actor,
                    differences=list(record.differences),
                    state_before=record.state_before,
                    state_after=record.state_after,
                )
            )

"""The broker-simulator actor: the source of truth for orders, cash and positions.

A thin shell around ``BrokerEngine`` (``actors.broker.engine``), which decides everything:
this actor subscribes to every bar, takes requests through the router, hands both to the
engine, and writes what the engine emits to the journal and the sockets. Each emitted
message is encoded once: the journal takes the bytes the socket sends.

How it takes requests is its base class's part (``actors.broker.actor.intake``), and how a
killed broker comes back that class's own base's (``actors.broker.actor.rejoin``).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import zmq

from tradeswarm.actors.broker.actor.intake import BrokerIntake
from tradeswarm.actors.broker.admission import Admission
from tradeswarm.actors.broker.config import BrokerConfig
from tradeswarm.actors.broker.effects import Route
from tradeswarm.actors.broker.engine import BrokerEngine
from tradeswarm.actors.broker.outbox import Outbox
from tradeswarm.actors.broker.stall_watch import StallWatch
from tradeswarm.actors.runtime.catch_up import MarketFeed, StreamPosition
from tradeswarm.actors.runtime.checkpoint import Checkpoints
from tradeswarm.actors.runtime.input_log import BARS, InputLog
from tradeswarm.messages import (
    ActorFinished,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    BrokerResults,
    Endpoints,
    JournalHeader,
    RunProgress,
    encode,
    host_identity,
)
from tradeswarm.messages.link_keys import LinkKeys
from tradeswarm.messages.recovery import ResendRequest
from tradeswarm.messages.topics import BAR_PREFIX, CLOCK, welcome_topic

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.25
RESEND = encode(ResendRequest())


class BrokerActor(BrokerIntake):
    def __init__(
        self,
        config: BrokerConfig,
        *,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None = None,
        keys: LinkKeys | None = None,
    ) -> None:
        super().__init__(config.name, endpoints, zmq_context, keys)
        self.engine = BrokerEngine(
            config.settings, config.symbols, config.coupled, accounts=config.accounts
        )
        self.counters.update(orders=0, fills=0, step_reports=0, unknown_senders=0)
        self._journal_path = Path(config.journal_path)
        self._recover = config.recover
        self._header = JournalHeader(
            prices=config.prices,
            symbols=list(config.symbols),
            starting_cash=config.settings.starting_cash,
        )
        # Replies go to the host that runs the symbol's instrument (by default, its own).
        self._identities = {
            symbol: host_identity(config.hosts.get(symbol, symbol)) for symbol in config.symbols
        }
        self._hosts = frozenset(self._identities.values())
        self._admission = Admission(self._identities)
        self._router_identity: bytes | None = None
        # It keeps every frame sent to each host for the host's restart, where hosts can be
        # restarted (they log their inputs when the broker does: between processes).
        self._outbox = Outbox(self._hosts if config.input_log else frozenset())
        self._next_progress_report = 0.0
        self._feed = MarketFeed(
            welcome_topic(self.name),
            StreamPosition(),
            decode=lambda frame: self.decode_or_count(frame, "market_data"),
            take_batch=self._take_batch,
            take_mark=self._take_mark,
            snapshot_taken=self._rejoined,
        )
        self._stream_hwm = config.stream_hwm
        self._log_path = Path(config.input_log) if config.input_log else None
        self._input_log: InputLog | None = None
        self._replaying = False
        self._rejoining = False  # until it has the chunks it missed
        self._awaiting_hosts: set[bytes] = set()
        self._credit_due: int | None = None
        self._replay_seconds = 0.0
        self._stall = StallWatch()
        self._checkpoints = Checkpoints(self._log_path, config.checkpoint_bytes, self.name)

    def open_sockets(self) -> None:
        self._open_journal()
        # Mandatory routing: a reply to a router that is not (or no longer) connected raises
        # instead of vanishing; it is kept and sent again once the router is back.
        self._requests = self.open(
            zmq.ROUTER,
            bind=self.endpoints.broker,
            handler=self._on_request,
            options={zmq.ROUTER_MANDATORY: 1},
        )
        self._bars = self.open(
            zmq.SUB,
            connect=self.endpoints.market_data,
            handler=self._feed.on_frames,
            options={zmq.RCVHWM: self._stream_hwm},
        )
        self._feed.attach(self._bars)
        self._bars.setsockopt(zmq.SUBSCRIBE, BAR_PREFIX)
        self._bars.setsockopt(zmq.SUBSCRIBE, CLOCK)
        self._credit = self.open(zmq.PUSH, connect=self.endpoints.market_credit)
        self._start_rejoining()

    def on_stop(self) -> None:
        if self._input_log is not None:
            self._input_log.close()
        self.journal.close()
        super().on_stop()

    # -- inbound --------------------------------------------------------------------------

    def _take_batch(self, batch: BarBatch, frame: bytes) -> None:
        self._log(BARS, frame)
        self.engine.take_bars(batch)

    def _take_mark(self, mark: BarsPublished, frame: bytes) -> None:
        self._log(BARS, frame)
        self.engine.take_clock_mark(mark)

    def _log(self, kind: bytes, record: bytes) -> None:
        if self._input_log is not None and not self._replaying:
            self._input_log.append(kind, record)

    # -- the loop -------------------------------------------------------------------------

    def after_poll(self) -> None:
        """A decision point: logged, the log flushed, then the engine runs (which sends).
        A restarted broker's clock waits for the chunks it missed and for every host."""
        self._feed.retry_if_due()
        if self._feed.awaiting_snapshot or self._awaiting_hosts:
            self._flush()
            return
        input_log = self._input_log
        if input_log is not None:
            input_log.decided()
            input_log.flush()
        self._advance()
        if input_log is not None and self._checkpoints.due(input_log.offset):
            self._checkpoints.take(input_log.offset, self._checkpoint_state())
        self._ask_stalled_hosts()

    def _ask_stalled_hosts(self) -> None:
        """A clock stuck on some hosts: they may have lost a message (``StallWatch``)."""
        clock = self.engine.clock
        if self._router_identity is None or not self._stall.stalled(
            (clock.matched, clock.accepted, clock.min_decided)
        ):
            return
        for identity in sorted({self._identity_of(symbol) for symbol in clock.waiting_on()}):
            self._send_if_connected([self._router_identity, identity, RESEND])
            self.counters["resend_requests"] = self.counters.get("resend_requests", 0) + 1

    def _advance(self) -> None:
        advance = self.engine.advance()
        journal, outbox = self.journal, self._outbox
        for route, symbol, message in advance.effects:
            data = encode(message)
            if route is not Route.FORWARD:
                journal.append_bytes(data)
            if route is not Route.JOURNAL:
                outbox.add(self._identity_of(symbol), data)
        for symbol, ts_ns in advance.progress.items():
            outbox.progress(self._identity_of(symbol), ts_ns)
        if advance.credit is not None:
            self._credit_due = advance.credit
            if not self._replaying:  # else sent once the socket is open
                self._credit.send(encode(BrokerProgress(through_ts_ns=advance.credit)))
        self._report_progress()
        if advance.finished:
            # The last cancels, then a final word to every host, leave before the runner
            # hears the run is over: a host reports its instruments finished only once it
            # has the final word, so their counters count every reply.
            final = encode(BrokerProgress(through_ts_ns=self.engine.accepted_through, final=True))
            for identity in sorted(set(self._identities.values())):
                self._outbox.add(identity, final)
            self._flush()
            self.journal.flush()
            self.counters["fills"] = self.engine.book.fills
            history = self._outbox.history
            self.counters["replies_kept"] = history.kept()
            self.counters["replies_forgotten"] = sum(map(history.forgotten, self._hosts))
            self.counters.update(self._checkpoints.counters)
            if self._admission.reports_held:
                self.counters["reports_held"] = self._admission.reports_held
            self.counters.update(self._feed.counters)
            engine = self.engine
            self.send_control(BrokerResults(fills=engine.fills, statements=engine.statements))
            self.send_control(ActorFinished(actor=self.name, counters=dict(self.counters)))
        self._flush()

    def _report_progress(self) -> None:
        now = time.monotonic()
        if now >= self._next_progress_report:
            self._next_progress_report = now + PROGRESS_EVERY_SECONDS
            through = self.engine.accepted_through
            self.send_control(
                RunProgress(
                    through_ts_ns=through, bars=self.engine.bars_passed, session=self.engine.session
                )
            )

    # -- outbound -------------------------------------------------------------------------

    def _send_if_connected(self, frames: list[bytes]) -> None:
        """Mandatory routing: a reply whose link is gone (a restart) is dropped; what a
        host misses comes back with its resume."""
        try:
            self._requests.send_multipart(frames)
        except zmq.ZMQError as error:
            if error.errno != zmq.EHOSTUNREACH:
                raise

    def _identity_of(self, symbol: str) -> bytes:
        """A peer signal may name a symbol no host runs: the router drops it."""
        return self._identities.get(symbol) or host_identity(symbol)

    def _flush(self) -> None:
        """Until the router has spoken the broker cannot address it: what is due waits (a
        coupled instrument's first progress can come before any request)."""
        due = self._outbox.due(self.engine.account)  # this cycle's progress, as replayed
        if self._router_identity is None and not self._replaying:
            return
        if self._replaying:  # it left before the kill, or it was lost: the history has it
            for recipient, _ in due:
                self._outbox.sent(recipient)
            return
        assert self._router_identity is not None
        try:
            for recipient, frames in due:
                self._requests.send_multipart([self._router_identity, recipient, *frames])
                self._outbox.sent(recipient)
        except zmq.ZMQError as error:
            if error.errno != zmq.EHOSTUNREACH:
                raise
            self.counters["unroutable"] = self.counters.get("unroutable", 0) + 1
            log.warning("broker: the router is not connected; %d replies wait", len(self._outbox))

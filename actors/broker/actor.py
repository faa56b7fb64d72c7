"""The broker-simulator actor: the source of truth for orders, cash and positions.

It subscribes to every bar, takes requests through the router, and answers with acks,
fills, cancels and rejects, journaling everything it accepts and emits. Which bar it may
act on is decided by ``BrokerClock``; what happens on it by ``BrokerBook``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path

import zmq

from tradeswarm.actors.broker.book import BrokerBook, BrokerSettings
from tradeswarm.actors.broker.clock import BrokerClock, Phase
from tradeswarm.actors.broker.journal import Journal, read_journal
from tradeswarm.actors.broker.replay import replay
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import (
    BROKER_NAME,
    ActorFinished,
    Bar,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    CancelReason,
    CancelRequest,
    Endpoints,
    Message,
    OrderRequest,
    PeerSignal,
    ReplaceRequest,
    RunProgress,
    SessionEvent,
    SessionEventKind,
    StepDone,
    TradingStateRequest,
    encode,
    host_identity,
)
from tradeswarm.messages.topics import BAR_PREFIX, CLOCK

log = logging.getLogger(__name__)

BrokerRequest = OrderRequest | CancelRequest | ReplaceRequest
Request = BrokerRequest | PeerSignal
PROGRESS_EVERY_SECONDS = 0.25


class BrokerActor(SocketActor):
    def __init__(
        self,
        *,
        symbols: list[str],
        settings: BrokerSettings,
        journal_path: Path,
        endpoints: Endpoints,
        recover: bool = False,
        coupled: tuple[str, ...] = (),
        hosts: Mapping[str, str] | None = None,
        zmq_context: zmq.Context | None = None,
    ) -> None:
        super().__init__(BROKER_NAME, endpoints, zmq_context)
        self.book = BrokerBook(settings, frozenset(symbols))
        self.clock = BrokerClock(symbols)
        self.counters.update(orders=0, fills=0, step_reports=0, unknown_senders=0)
        self._journal_path = journal_path
        self._recover = recover
        # Replies go to the host that runs the symbol's instrument (by default, its own).
        self._identities = {
            symbol: host_identity((hosts or {}).get(symbol, symbol)) for symbol in symbols
        }
        # Hosts of instruments that wait for the clock at every time (they take signals).
        self._coupled = sorted({self._identities[symbol] for symbol in coupled})
        self._coupled_through = -1
        self._bars_at: dict[int, dict[str, Bar]] = {}
        self._pending: list[tuple[int, str, int, Request]] = []
        self._sessions_at: dict[int, list[SessionEvent]] = {}
        self._session_close_ts_ns: int | None = None
        self._chunk_throughs: list[int] = []
        self._router_identity: bytes | None = None
        self._finished = False
        self._outbox: dict[bytes, list[bytes]] = {}
        self._bars_passed = 0
        self._next_progress_report = 0.0
        self._progress: dict[bytes, int] = {}

    def open_sockets(self) -> None:
        recovering = self._recover and self._journal_path.exists()
        if recovering:
            self._restore_from_journal()
        self.journal = Journal(self._journal_path, append=recovering)
        self._requests = self.open(zmq.ROUTER, bind=self.endpoints.broker, handler=self._on_request)
        self._bars = self.open(zmq.SUB, connect=self.endpoints.market_data, handler=self._on_bars)
        self._bars.setsockopt(zmq.SUBSCRIBE, BAR_PREFIX)
        self._bars.setsockopt(zmq.SUBSCRIBE, CLOCK)
        self._credit = self.open(zmq.PUSH, connect=self.endpoints.market_credit)

    def _restore_from_journal(self) -> None:
        """A restarted broker is the broker it was: the journal holds every event that
        changed its book. Marks come back with the next bars."""
        journaled = list(read_journal(self._journal_path))
        self.book = replay(self.book.settings, self.book.symbols, journaled)
        self.counters["recovered_messages"] = len(journaled)

    def on_stop(self) -> None:
        self.journal.close()
        super().on_stop()

    # -- inbound --------------------------------------------------------------------------

    def _on_bars(self, frames: list[bytes]) -> None:
        message = self.decode_or_count(frames[-1], "market data")
        if isinstance(message, BarBatch):
            symbol = message.symbol
            bars_at = self._bars_at
            for item in message.items:
                if type(item) is Bar:
                    slot = bars_at.get(item.ts_ns)
                    if slot is None:
                        bars_at[item.ts_ns] = {symbol: item}
                    else:
                        slot[symbol] = item
        elif isinstance(message, BarsPublished):
            for event in message.sessions:
                self._sessions_at.setdefault(event.ts_ns, []).append(event)
            self.clock.on_published(message.timestamps, message.through_ts_ns, message.final)
            self._chunk_throughs.append(message.through_ts_ns)

    def _on_request(self, frames: list[bytes]) -> None:
        if len(frames) < 3:
            self.counters["malformed"] += 1
            log.warning("broker: dropped a request with %d frames, expected 3", len(frames))
            return
        self._router_identity = frames[0]
        origin = frames[1]
        for body in frames[2:]:
            self._on_request_message(origin, body)

    def _on_request_message(self, origin: bytes, body: bytes) -> None:
        message = self.decode_or_count(body, origin.decode(errors="replace"))
        if isinstance(message, StepDone):
            self._on_step_done(message)
        elif isinstance(message, OrderRequest | CancelRequest | ReplaceRequest | PeerSignal):
            self._pending.append((message.decided_ts_ns, message.symbol, message.seq, message))
            self.counters["orders"] += isinstance(message, OrderRequest)
        elif isinstance(message, TradingStateRequest):
            self._reply(origin, self.book.snapshot(message.request_id))
        elif message is not None:
            self.counters["malformed"] += 1
            log.warning("broker: unexpected %s", type(message).__name__)

    def _on_step_done(self, message: StepDone) -> None:
        self.counters["step_reports"] += 1
        try:
            self.clock.on_step_done(message.sender, message.through_ts_ns)
        except KeyError:
            self.counters["unknown_senders"] += 1
            log.warning("broker: StepDone from unknown participant %r", message.sender)

    # -- the clock ------------------------------------------------------------------------

    def after_poll(self) -> None:
        clock = self.clock
        while True:
            if self._idle():
                for ts_ns in clock.skip_idle():
                    self._skip_sessions(ts_ns)
                    self._pass(ts_ns)
            phase = clock.next_phase()
            if phase is None:
                break
            kind, ts_ns = phase
            if kind is Phase.MATCH:
                self._match(ts_ns)
            else:
                self._accept(ts_ns)
                self._close_sessions(ts_ns)
                self._pass(ts_ns)
            clock.done(kind, ts_ns)
        self._tell_coupled()
        self._grant_credit()
        self._report_progress()
        if not self._finished and clock.finished():
            self._finish()
        self._flush()

    def _tell_coupled(self) -> None:
        """A coupled instrument waits for the clock even with no order open, and the idle
        skip sends no progress: tell it how far the broker has matched."""
        if self._coupled and self.clock.matched > self._coupled_through:
            self._coupled_through = self.clock.matched
            for identity in self._coupled:
                self._progress[identity] = self.clock.matched

    def _idle(self) -> bool:
        """Nothing can happen at any time: no order open, none pending, none to re-submit."""
        resubmitting = self.book.settings.resubmit_next_session and self.book.last_minute_cancelled
        return not (self._pending or self.book.has_open_orders() or resubmitting)

    def _match(self, ts_ns: int) -> None:
        for event in self._sessions_at.get(ts_ns, ()):
            if event.kind is SessionEventKind.SESSION_OPEN:
                self._open_session(event)
        waiting = self.book.symbols_with_open_orders()
        if not waiting and not any(entry[0] <= ts_ns for entry in self._pending):
            return
        bars = self._bars_at.get(ts_ns, {})
        for symbol in sorted(waiting):
            bar = bars.get(symbol)
            if bar is not None:
                self._emit_all(self.book.match(bar))
        # The owner of an order decided at or before this time but not accepted yet (sent in
        # reaction to a reject or a cancel) waits for this time too; one that ran ahead
        # does not, and is not woken for every time until its order is due.
        due = {symbol for decided, symbol, _, _ in self._pending if decided <= ts_ns}
        for symbol in waiting | due | self.book.symbols_with_open_orders():
            self._progress[self._identity_of(symbol)] = ts_ns

    def _open_session(self, event: SessionEvent) -> None:
        """The last minute is an intraday notion: with one bar a session (daily bars, the
        bar stamped at the close) every order would fall in it."""
        intraday = event.close_ts_ns > event.ts_ns
        self._session_close_ts_ns = event.close_ts_ns if intraday else None
        self._emit_all(self.book.start_of_session(event.ts_ns))

    def _accept(self, ts_ns: int) -> None:
        if not self._pending:
            return
        due = sorted((entry for entry in self._pending if entry[0] <= ts_ns), key=lambda e: e[:3])
        if not due:
            return
        self._pending = [entry for entry in self._pending if entry[0] > ts_ns]
        bars = self._bars_at.get(ts_ns, {})
        for _, symbol, _, request in due:
            if isinstance(request, PeerSignal):  # not the broker's business: pass it on
                self._reply(self._identity_of(request.target), request)
                continue
            self.journal.append(request)
            self._emit_all(self._take(request, ts_ns, bars.get(symbol)))

    def _take(self, request: BrokerRequest, ts_ns: int, bar: Bar | None) -> list[Message]:
        if isinstance(request, OrderRequest):
            return self.book.accept(
                request, ts_ns, bar, session_close_ts_ns=self._session_close_ts_ns
            )
        if isinstance(request, CancelRequest):
            return self.book.cancel(request, ts_ns)
        return self.book.replace(
            request.client_order_id,
            quantity=request.quantity,
            limit_price=request.limit_price,
            stop_price=request.stop_price,
            ts_ns=ts_ns,
        )

    def _skip_sessions(self, ts_ns: int) -> None:
        """No order is open: a session boundary only moves the last-minute window, unless
        last-minute cancels wait to be re-submitted at this open."""
        for event in self._sessions_at.get(ts_ns, ()):
            if event.kind is SessionEventKind.SESSION_OPEN:
                self._open_session(event)
        self._close_sessions(ts_ns)

    def _close_sessions(self, ts_ns: int) -> None:
        for event in self._sessions_at.pop(ts_ns, ()):
            if event.kind is SessionEventKind.SESSION_CLOSE:
                self._emit_all(self.book.end_of_session(ts_ns))
                self._session_close_ts_ns = None

    def _pass(self, ts_ns: int) -> None:
        """The accept phase of ``ts_ns`` is over: its bars only mark prices now."""
        bars = self._bars_at.pop(ts_ns, None)
        if bars:
            self._bars_passed += len(bars)
            self.book.mark_all(bars, ts_ns)

    def _grant_credit(self) -> None:
        throughs = self._chunk_throughs
        granted = 0
        while granted < len(throughs) and throughs[granted] <= self.clock.accepted:
            granted += 1
        if granted:
            del throughs[:granted]
            self._credit.send(encode(BrokerProgress(through_ts_ns=self.clock.accepted)))

    def _report_progress(self) -> None:
        now = time.monotonic()
        if now >= self._next_progress_report:
            self._next_progress_report = now + PROGRESS_EVERY_SECONDS
            self.send_control(
                RunProgress(through_ts_ns=self.clock.accepted, bars=self._bars_passed)
            )

    def _finish(self) -> None:
        self._finished = True
        self._emit_all(self.book.cancel_all(CancelReason.END_OF_DATA, self.clock.accepted))
        self._flush()  # the last cancels leave before the runner hears the run is over
        self.journal.flush()
        self.counters["fills"] = self.book.fills
        self.send_control(ActorFinished(actor=self.name, counters=dict(self.counters)))

    # -- outbound -------------------------------------------------------------------------

    def _emit_all(self, messages: list[Message]) -> None:
        for message in messages:
            self.journal.append(message)
            self._send_to(message.symbol, message)  # type: ignore[attr-defined]

    def _send_to(self, symbol: str, message: Message) -> None:
        self._reply(self._identity_of(symbol), message)

    def _identity_of(self, symbol: str) -> bytes:
        """A peer signal may name a symbol no host runs: the router drops it."""
        return self._identities.get(symbol) or host_identity(symbol)

    def _reply(self, origin: bytes, message: Message) -> None:
        self._outbox.setdefault(origin, []).append(encode(message))

    def _flush(self) -> None:
        """One multipart message per recipient per cycle; progress last, after its fills.

        Until the router has spoken the broker cannot address it: what is due waits (a
        coupled instrument's first progress can come before any request)."""
        if self._router_identity is None:
            return
        for origin, ts_ns in self._progress.items():
            self._reply(origin, BrokerProgress(through_ts_ns=ts_ns))
        self._progress.clear()
        for origin, bodies in self._outbox.items():
            self._requests.send_multipart([self._router_identity, origin, *bodies])
        self._outbox.clear()

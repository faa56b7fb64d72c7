"""The broker's run loop without sockets: which phase runs when, and what it emits.

Theory of operation. The engine is told what arrived (bars, the market data's clock marks,
requests, instruments' step reports) and, on ``advance``, runs every phase the clock
allows: for each bar time ``t``, *match* (open orders meet bar ``t``, sessions open) then
*accept* (the requests decided on ``t``, in (time, symbol, seq) order, sessions close, the
bars of ``t`` mark prices). What it decides comes back as data, in the order it happened:

* ``effects``: ``(route, symbol, message)``: ``EMIT`` is journaled and sent to the owner
  of ``symbol``; ``JOURNAL`` (an accepted request) is journaled only; ``FORWARD`` (a peer
  signal) is sent to ``symbol``'s owner, never journaled, since it is not the broker's;
* ``progress``: symbol -> the time through which the broker has matched, for owners that
  wait on it;
* ``credit``: how far the market data may be told the broker has accepted;
* ``finished``: the data ended and every phase ran; the end-of-data cancels are among the
  effects.

It also keeps the run's record for the runner: every fill, and an ``AccountStatement`` at
each session's close (journaled too), the broker's own equity rule.

The actor (``actors.broker.actor``) encodes each message once, writes it to the journal
and the socket, and maps symbols to the identities of the hosts that run them. Keeping the
loop here lets tests drive a whole run's timing without a socket, and makes "what the
broker did" a pure function of what it was told.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tradeswarm.actors.broker.book import BrokerBook
from tradeswarm.actors.broker.clock import BrokerClock, Phase
from tradeswarm.actors.broker.compact_state import ENGINE_PARTS, compacted, expanded
from tradeswarm.actors.broker.effects import Advance, Effect, Route
from tradeswarm.actors.broker.settings import BrokerSettings
from tradeswarm.messages import (
    AccountStatement,
    Bar,
    BarBatch,
    BarsPublished,
    CancelReason,
    CancelRequest,
    Fill,
    Message,
    OrderRequest,
    PeerSignal,
    ReplaceRequest,
    SessionEvent,
    SessionEventKind,
)

BrokerRequest = OrderRequest | CancelRequest | ReplaceRequest
Request = BrokerRequest | PeerSignal


class BrokerEngine:
    def __init__(
        self,
        settings: BrokerSettings,
        symbols: Iterable[str],
        coupled: Iterable[str] = (),
        *,
        accounts: bool = False,
    ) -> None:
        symbols = sorted(symbols)
        self.book = BrokerBook(settings, frozenset(symbols))
        self.clock = BrokerClock(symbols)
        # Symbols whose instruments wait for the clock at every time (they take signals).
        self._coupled = sorted(coupled)
        self._coupled_through = -1
        self._bars_at: dict[int, dict[str, Bar]] = {}
        self._pending: list[tuple[int, str, int, Request]] = []
        self._sessions_at: dict[int, list[SessionEvent]] = {}
        self._session_close_ts_ns: int | None = None
        self._chunk_throughs: list[int] = []
        self._finished = False
        self._effects: list[Effect] = []
        self._progress: dict[str, int] = {}
        self.bars_passed = 0
        self.session = ""  # the label of the last session opened: the progress display's date
        self.fills: list[Fill] = []
        self.statements: list[AccountStatement] = []
        # (ts, cash, equity) as of the last match: what portfolio-sizing strategies see at
        # that bar. Kept only when some strategy reads it: the sum costs a pass over positions.
        self._accounts = accounts
        self.account: tuple[int, float, float] | None = None

    # -- a checkpoint ----------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Its long parts as msgpack (``actors.broker.compact_state``)."""
        return compacted(self.__dict__, ENGINE_PARTS)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(expanded(state, ENGINE_PARTS))

    # -- what arrived ---------------------------------------------------------------------

    def take_bars(self, batch: BarBatch) -> None:
        symbol = batch.symbol
        bars_at = self._bars_at
        for item in batch.items:
            if type(item) is Bar:
                slot = bars_at.get(item.ts_ns)
                if slot is None:
                    bars_at[item.ts_ns] = {symbol: item}
                else:
                    slot[symbol] = item

    def take_clock_mark(self, mark: BarsPublished) -> None:
        for event in mark.sessions:
            self._sessions_at.setdefault(event.ts_ns, []).append(event)
        self.clock.on_published(mark.timestamps, mark.through_ts_ns, mark.final)
        self._chunk_throughs.append(mark.through_ts_ns)

    def take_request(self, request: Request) -> None:
        self._pending.append((request.decided_ts_ns, request.symbol, request.seq, request))

    def take_step_done(self, sender: str, through_ts_ns: int) -> bool:
        """False when ``sender`` is no participant of this run (the caller counts it)."""
        try:
            self.clock.on_step_done(sender, through_ts_ns)
        except KeyError:
            return False
        return True

    # -- the loop -------------------------------------------------------------------------

    def advance(self) -> Advance:
        """Run every phase the clock allows now."""
        clock = self.clock
        while True:
            if self._idle():
                for ts_ns in clock.skip_idle():
                    self._open_sessions(ts_ns)
                    self._note_account(ts_ns)
                    closing = self._close_sessions(ts_ns)
                    self._pass(ts_ns)
                    self._state_accounts(closing, ts_ns)
            phase = clock.next_phase()
            if phase is None:
                break
            kind, ts_ns = phase
            if kind is Phase.MATCH:
                self._match(ts_ns)
            else:
                self._accept(ts_ns)
                closing = self._close_sessions(ts_ns)
                self._pass(ts_ns)
                self._state_accounts(closing, ts_ns)
            clock.done(kind, ts_ns)
        self._tell_coupled()
        finished = not self._finished and clock.finished()
        if finished:
            self._finished = True
            self._emit_all(self.book.cancel_all(CancelReason.END_OF_DATA, clock.accepted))
        effects, self._effects = self._effects, []
        progress, self._progress = self._progress, {}
        return Advance(effects, progress, self._take_credit(), finished)

    @property
    def accepted_through(self) -> int:
        return self.clock.accepted

    def _idle(self) -> bool:
        """Nothing can happen at any time: no order open, none pending, none to re-submit."""
        resubmitting = self.book.settings.resubmit_next_session and self.book.last_minute_cancelled
        return not (self._pending or self.book.has_open_orders() or resubmitting)

    def _note_account(self, ts_ns: int) -> None:
        if self._accounts:
            self.account = (ts_ns, self.book.cash, self.book.equity())

    def _match(self, ts_ns: int) -> None:
        self._open_sessions(ts_ns)
        waiting = self.book.symbols_with_open_orders()
        if not waiting and not any(entry[0] <= ts_ns for entry in self._pending):
            self._note_account(ts_ns)
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
            self._progress[symbol] = ts_ns
        self._note_account(ts_ns)

    def _open_sessions(self, ts_ns: int) -> None:
        for event in self._sessions_at.get(ts_ns, ()):
            if event.kind is SessionEventKind.SESSION_OPEN:
                self._open_session(event)

    def _open_session(self, event: SessionEvent) -> None:
        """The last minute is an intraday notion: with one bar a session (daily bars, the
        bar stamped at the close) every order would fall in it."""
        self.session = event.session
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
                self._effects.append(Effect(Route.FORWARD, request.target, request))
                continue
            self._effects.append(Effect(Route.JOURNAL, symbol, request))
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

    def _close_sessions(self, ts_ns: int) -> list[SessionEvent]:
        """Expire the DAY orders of the sessions closing at ``ts_ns``; returns those."""
        closing = [
            event
            for event in self._sessions_at.pop(ts_ns, ())
            if event.kind is SessionEventKind.SESSION_CLOSE
        ]
        for _ in closing:
            self._emit_all(self.book.end_of_session(ts_ns))
            self._session_close_ts_ns = None
        return closing

    def _state_accounts(self, closing: list[SessionEvent], ts_ns: int) -> None:
        """A statement per closing session, once its last bar has marked the book."""
        for event in closing:
            statement = self.book.statement(event.session, ts_ns)
            self.statements.append(statement)
            self._effects.append(Effect(Route.JOURNAL, "", statement))

    def _pass(self, ts_ns: int) -> None:
        """The accept phase of ``ts_ns`` is over: its bars only mark prices now."""
        bars = self._bars_at.pop(ts_ns, None)
        if bars:
            self.bars_passed += len(bars)
            self.book.mark_all(bars, ts_ns)

    def _tell_coupled(self) -> None:
        """A coupled instrument waits for the clock even with no order open, and the idle
        skip sends no progress: tell it how far the broker has matched."""
        if self._coupled and self.clock.matched > self._coupled_through:
            self._coupled_through = self.clock.matched
            for symbol in self._coupled:
                self._progress[symbol] = self.clock.matched

    def _take_credit(self) -> int | None:
        throughs = self._chunk_throughs
        granted = 0
        while granted < len(throughs) and throughs[granted] <= self.clock.accepted:
            granted += 1
        if not granted:
            return None
        del throughs[:granted]
        return self.clock.accepted

    def _emit_all(self, messages: list[Message]) -> None:
        effects = self._effects
        for message in messages:
            effects.append(Effect(Route.EMIT, message.symbol, message))  # type: ignore[attr-defined]
            if type(message) is Fill:
                self.fills.append(message)

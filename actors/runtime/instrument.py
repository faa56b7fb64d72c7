"""One instrument: the FSM of one symbol, stepped on every event, and its clock.

An instrument is an actor in the actor model's sense: its state is its own and changes
only through the messages it takes (bars, clock marks, broker replies, peer signals), and
what it does is send messages. Threads are a separate matter: an ``InstrumentHostActor``
(``actors.runtime.instrument_host``) runs the instruments of a shard on one pykka thread and owns
their sockets, because a thread per instrument costs more in GIL hand-offs and clock
round trips than the instrument's own work (see the README's Performance section).

Clock rule (see ``messages.control``): while the instrument has an order open, it may
decide on a bar at ``t`` only after the broker has reported progress through ``t``, so
every fill caused by bar ``t`` is applied before the decision on ``t``. With no order
open the broker cannot touch it, so it runs ahead through whatever bars it holds.
Whenever it stops to wait, and at every clock mark, it reports how far it has decided.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from tradeswarm.actors.fsm.context import Account, Context
from tradeswarm.actors.fsm.engine import (
    BAR,
    FsmError,
    Strategy,
    step,
)
from tradeswarm.actors.fsm.errors import StrategyError, iso_time
from tradeswarm.actors.fsm.intents import Intent, Replace, Submit
from tradeswarm.actors.fsm.orders import OrderTracker
from tradeswarm.actors.fsm.reconcile import Reconciliation, reconcile
from tradeswarm.actors.fsm.timeline import TransitionLog
from tradeswarm.actors.runtime.instrument_checkpoint import instrument_state, restore_instrument
from tradeswarm.actors.runtime.intent_messages import client_order_id, request_for
from tradeswarm.actors.runtime.untaken import void_untaken
from tradeswarm.messages import (
    Bar,
    BarBatch,
    BarsPublished,
    Fill,
    Message,
    OpenOrder,
    OrderAck,
    OrderCancelled,
    OrderReject,
    PeerSignal,
    Position,
    SessionEvent,
    StepDone,
    encode,
    instrument_name,
)

log = logging.getLogger(__name__)

_RECEIVED = {
    OrderAck: "received_acks",
    Fill: "received_fills",
    OrderCancelled: "received_cancels",
    OrderReject: "received_rejects",
}


class Instrument:
    """``send`` queues an encoded message for the broker; ``flush`` sends what is queued
    now (the host's single DEALER carries the messages of all its instruments)."""

    def __init__(
        self,
        *,
        symbol: str,
        strategy: Strategy,
        params: Mapping[str, Any],
        send: Callable[[bytes], None],
        flush: Callable[[], None],
        allow_fractional: bool = False,
    ) -> None:
        self.symbol = symbol
        self.name = instrument_name(symbol)
        self.strategy = strategy
        self._events = frozenset(strategy.events)
        self.context: Any = strategy.new_context(symbol, params)
        self.orders = OrderTracker(self.context)
        self._reads_portfolio = strategy.reads_portfolio
        if isinstance(self.context, Context):  # sizing and the portfolio
            self.context.allow_fractional = allow_fractional
            self.context.reads_portfolio = strategy.reads_portfolio
        self.state = strategy.initial
        self.transitions = TransitionLog(symbol)
        self.counters: dict[str, int] = {"bars": 0, "orders": 0, "fsm_errors": 0, "gaps": 0}
        self._data_ended = False  # the market data's final clock mark was decided on
        self._broker_ended = False  # the broker said it will send nothing more
        self._send_bytes = send
        self._flush = flush
        self._queue: deque[Bar | SessionEvent | BarsPublished] = deque()
        self._decided_through = -1
        self._reported_through = -1
        self._broker_through = -1
        self._next_batch_seq = 0
        self._order_seq = 0
        self._broker_waits = False
        self._requests_sent: list[bytes] = []  # orders, cancels, replaces, signals

    # -- inbound --------------------------------------------------------------------------

    def take_bars(self, message: BarBatch) -> bool:
        """False for a batch it already has (re-sent to a restarted host): dropped."""
        if message.seq < self._next_batch_seq:
            return False
        if message.seq != self._next_batch_seq:
            self.counters["gaps"] += 1
            log.error("%s: bar batch %d, expected %d", self.name, message.seq, self._next_batch_seq)
        self._next_batch_seq = message.seq + 1
        self._queue.extend(message.items)
        return True

    def take_clock_mark(self, message: BarsPublished) -> None:
        self._queue.append(message)

    @property
    def finished(self) -> bool:
        """Every bar decided on and every broker reply taken: the counters and the
        timeline are complete (the broker's end-of-data cancels come after the last bar)."""
        return self._data_ended and self._broker_ended

    def take_broker_progress(
        self, through_ts_ns: int, final: bool = False, account: Account | None = None
    ) -> None:
        self._broker_ended = self._broker_ended or final
        if account is not None and self._reads_portfolio:
            self.context.account = account
        if through_ts_ns > self._broker_through:
            self._broker_through = through_ts_ns
            self.orders.broker_passed(through_ts_ns)

    def take_broker_message(
        self, message: Fill | OrderCancelled | OrderReject | OrderAck | PeerSignal
    ) -> None:
        received = _RECEIVED.get(type(message))  # type: ignore[arg-type]
        if received is not None:
            self.counters[received] = self.counters.get(received, 0) + 1
        if isinstance(message, Fill):
            self._decide(self.orders.on_fill(message), message, message.ts_ns)
        elif isinstance(message, OrderCancelled):
            kind = self.orders.on_cancel(message)
            if kind is not None:
                self._decide(kind, message, message.ts_ns)
        elif isinstance(message, OrderReject):
            self._decide(self.orders.on_reject(message), message, message.ts_ns)
        elif isinstance(message, OrderAck):
            self.orders.on_ack(message)
        else:
            self._decide(message.name, message, message.decided_ts_ns)

    # -- the clock ------------------------------------------------------------------------

    def has_work(self) -> bool:
        if not self._queue:
            return False
        head = self._queue[0]
        return isinstance(head, BarsPublished) or not self._must_wait(head.ts_ns)

    def _must_wait(self, ts_ns: int) -> bool:
        coupled = self.context.open_orders or self.context.peers or self._reads_portfolio
        return bool(coupled) and self._broker_through < ts_ns

    def catch_up(self) -> None:
        """Decide on the events up to the broker's progress, the ones its clock may be
        holding for, and report; the host sends every such report in one message."""
        self._run(self._broker_through)
        if self._broker_waits and self._queue:  # the next event is at a later time
            self._report(self._decided_through)

    def run(self) -> None:
        """Decide on every queued event the clock allows. Running ahead as far as it can
        is what lets the broker pass times nobody trades at without waiting."""
        self._run(None)

    def _run(self, until_ts_ns: int | None) -> None:
        queue = self._queue
        while queue:
            item = queue[0]
            if isinstance(item, BarsPublished):
                if until_ts_ns is not None:
                    return
                queue.popleft()
                self._report(item.through_ts_ns)
                self._data_ended = self._data_ended or item.final
                continue
            ts_ns = item.ts_ns
            if until_ts_ns is not None and ts_ns > until_ts_ns:
                return
            if ts_ns > self._decided_through and self._broker_waits:
                # Every event at the previous time is decided, and the broker is holding
                # its clock for it: tell it now, not after the rest of the queue.
                self._report(self._decided_through)
                self._flush()
            if self._must_wait(ts_ns):
                # Nothing of ours can happen before this event: we have decided up to it.
                self._report(max(self._decided_through, ts_ns - 1))
                return
            queue.popleft()
            self._broker_waits = self._broker_through >= ts_ns > self._reported_through
            if isinstance(item, Bar):
                self.counters["bars"] += 1
                self._decide(BAR, item, ts_ns)
            elif item.kind.value in self._events:  # a timer goes only to tables that take it
                self._decide(item.kind.value, item, ts_ns)
            self._decided_through = ts_ns

    def _report(self, through_ts_ns: int) -> None:
        self._broker_waits = False
        self._decided_through = max(self._decided_through, through_ts_ns)
        if self._decided_through > self._reported_through:
            self._reported_through = self._decided_through
            self._send(self._step_done(self._decided_through))

    # -- decisions ------------------------------------------------------------------------

    def _decide(self, event_kind: str, event: Any, ts_ns: int) -> None:
        before = self.state
        try:
            result = step(self.strategy, before, event_kind, event, self.context)
        except FsmError as error:
            self.counters["fsm_errors"] += 1
            log.error("%s at %d: %s", self.name, ts_ns, error)
            return
        except StrategyError as error:
            error.when = iso_time(ts_ns)  # the host ends the run with it, as the user's error
            raise
        if result.state != before:
            self.state = result.state
            self.transitions.record(ts_ns, before, event_kind, result.state)
        # An order is stamped no earlier than just after the last time we reported: the
        # broker may already have accepted every time up to there, and must take this
        # order at a time it can only reach after our next report, which follows it.
        decided_ts_ns = max(ts_ns, self._reported_through + 1)
        for intent in result.intents:
            self._send_intent(intent, decided_ts_ns)

    def _send_intent(self, intent: Intent, decided_ts_ns: int) -> None:
        self._order_seq += 1
        request = request_for(intent, self.symbol, self._order_seq, decided_ts_ns)
        if isinstance(intent, Replace):
            self.orders.replacing(intent, decided_ts_ns)
        elif isinstance(intent, Submit):
            self.orders.submitted(client_order_id(self.symbol, self._order_seq), intent)
            self.counters["orders"] += 1
        self._send(request)

    def _send(self, message: Message) -> None:
        data = encode(message)
        if not isinstance(message, StepDone):
            self._requests_sent.append(data)
        self._send_bytes(data)

    def resend(self) -> list[bytes]:
        """What a broker that may have lost some of it needs to be where this instrument
        thinks it is: every request it ever sent (the broker takes each once), and its
        latest report of the clock."""
        latest = self._step_done(self._reported_through)
        return [*self._requests_sent, encode(latest)]

    def reconcile(
        self, positions: list[Position], open_orders: list[OpenOrder], last_taken: int
    ) -> Reconciliation | None:
        """Checked against the broker's snapshot after a restart: the broker wins, and
        what was decided after its ``last_taken`` request is voided."""
        record = reconcile(
            self.strategy,
            self.symbol,
            self.state,
            self.orders,
            positions,
            open_orders,
            lambda: self._void_untaken(last_taken),
        )
        if record is not None:
            self.state = record.state_after
        return record

    def _void_untaken(self, last_taken: int) -> None:
        voided = void_untaken(self._requests_sent, last_taken, self.orders)
        self.counters["orders"] -= voided
        self._order_seq = last_taken

    def checkpoint_state(self) -> dict[str, Any]:
        return instrument_state(self)

    def restore_state(self, state: Mapping[str, Any]) -> None:
        restore_instrument(self, state)

    def _step_done(self, through_ts_ns: int) -> StepDone:
        return StepDone(sender=self.symbol, through_ts_ns=through_ts_ns, requests=self._order_seq)

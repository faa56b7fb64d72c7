"""Rebuild a broker's book from its journal.

Theory of operation: the book changes only by applying the events it emits (acks, fills,
cancels, rejects; ``actors/broker_ledger.py``), so a fresh book that applies the same
events in the same order holds the same cash, positions, open orders, seen ids and fill
count. The journal also holds the requests, which an ack needs (an ``OrderAck`` does not
repeat the order) and which a replace ack needs (the amendment).

Two things no event records come from the bars, when the caller passes them in the
stream: the marks (last prices, equity, ``last_ts_ns``), and whether a stop or stop-limit
order has been triggered by a bar that did not fill it. Each bar goes before the events of
its time (``interleave`` does that), as in the broker, where bar ``t`` is matched before
the requests of ``t`` are accepted. Without bars the book is exact except for those two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tradeswarm.actors.broker.book import BrokerBook
from tradeswarm.actors.broker.journal import read_journal
from tradeswarm.actors.broker.order_types import at_close
from tradeswarm.actors.broker.requests import amend, resubmission
from tradeswarm.actors.broker.settings import BrokerSettings, FillTiming
from tradeswarm.messages import (
    AccountStatement,
    Bar,
    Fill,
    Message,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    ReplaceRequest,
)

if TYPE_CHECKING:
    from tradeswarm.actors.broker.engine import BrokerEngine


class ReplayError(ValueError):
    """A journal that no book could have written: an event for an order it never had."""


def replay(
    settings: BrokerSettings, symbols: Iterable[str], messages: Iterable[Message]
) -> BrokerBook:
    """A book in the state the journaled broker was in after its last message."""
    replayer = _Replayer(BrokerBook(settings, frozenset(symbols)))
    for message in messages:
        replayer.apply(message)
    return replayer.book


def interleave(journal: Iterable[Message], bars: Iterable[Bar]) -> Iterator[Message]:
    """The journal with the bars put in: each bar before the first event at or after its
    time (requests carry no broker time and never move a bar), the rest at the end."""
    pending = iter(sorted(bars, key=lambda bar: (bar.ts_ns, bar.symbol)))
    next_bar = next(pending, None)
    for message in journal:
        ts_ns = getattr(message, "ts_ns", None)
        while next_bar is not None and ts_ns is not None and next_bar.ts_ns <= ts_ns:
            yield next_bar
            next_bar = next(pending, None)
        yield message
    if next_bar is not None:
        yield next_bar
        yield from pending


class _Replayer:
    def __init__(self, book: BrokerBook) -> None:
        self.book = book
        self._requests: dict[str, OrderRequest] = {}
        self._replaces: dict[str, ReplaceRequest] = {}
        self._close_bars: dict[str, Bar] = {}

    def apply(self, message: Message) -> None:
        if isinstance(message, OrderRequest):
            self._requests.setdefault(message.client_order_id, message)
        elif isinstance(message, ReplaceRequest):
            self._replaces[message.client_order_id] = message
        elif isinstance(message, OrderAck):
            self._on_ack(message)
        elif isinstance(message, OrderReject):
            request = self._requests.get(message.client_order_id) or self._resubmitted(message)
            self.book.apply_reject(request, message)
        elif isinstance(message, Fill):
            self._require_open(message.client_order_id, message)
            self.book.apply_fill(message)
        elif isinstance(message, OrderCancelled):
            self._require_open(message.client_order_id, message)
            self.book.apply_cancel(message)
        elif isinstance(message, Bar):
            self._on_bar(message)

    def _on_ack(self, ack: OrderAck) -> None:
        book = self.book
        order = book.open_orders.get(ack.client_order_id)
        if order is not None:  # a replace was acknowledged
            replace = self._replaces.pop(ack.client_order_id, None)
            if replace is None:
                raise ReplayError(f"{ack.client_order_id}: a second ack without a replace")
            amended = amend(
                order.request, replace.quantity, replace.limit_price, replace.stop_price
            )
            book.apply_replace(amended, ack)
            return
        request = self._requests.get(ack.client_order_id)
        if request is None:  # a re-submission: accepted at the open, without a close bar
            request = self._resubmitted(ack)
            if request is None:
                raise ReplayError(f"{ack.client_order_id}: an ack of an order never requested")
            book.apply_ack(request, ack)
            return
        order = book.apply_ack(request, ack)
        close_bar = self._close_bars.get(request.symbol)
        same_close = book.settings.fill_at is FillTiming.SAME_CLOSE
        if same_close and close_bar is not None and close_bar.ts_ns == ack.ts_ns:
            book.note_trigger(order, at_close(close_bar))

    def _resubmitted(self, event: OrderAck | OrderReject) -> OrderRequest | None:
        """The request re-submitting a last-minute cancel under ``event``'s id, if any."""
        cancelled = self.book.last_minute_cancelled
        for index, request in enumerate(cancelled):
            again = resubmission(request, event.ts_ns)
            if again.client_order_id == event.client_order_id:
                del cancelled[index]
                return again
        return None

    def _require_open(self, client_order_id: str, event: Message) -> None:
        if client_order_id not in self.book.open_orders:
            raise ReplayError(f"{client_order_id}: {type(event).__name__} of no open order")

    def _on_bar(self, bar: Bar) -> None:
        book = self.book
        for order in book.sorted_orders(bar.symbol):
            if order.accepted_ts_ns < bar.ts_ns:  # as ``BrokerBook.match`` would see it
                book.note_trigger(order, bar)
        book.mark(bar)
        self._close_bars[bar.symbol] = bar


def restore(engine: BrokerEngine, journal_path: Path) -> int:
    """Make ``engine`` the broker its journal says it was: the book, its fills and its
    statements (marks come back with the next bars). Returns the messages read."""
    journaled = list(read_journal(journal_path))
    engine.book = replay(engine.book.settings, engine.book.symbols, journaled)
    engine.fills = [message for message in journaled if isinstance(message, Fill)]
    engine.statements = [m for m in journaled if isinstance(m, AccountStatement)]
    return len(journaled)

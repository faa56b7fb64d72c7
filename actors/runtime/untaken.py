"""The requests an instrument voids when the broker contradicts it after a restart.

Why: a restarted instrument is rebuilt from its checkpoint and input log, and decides
again from them what the killed one decided. Where the broker's snapshot shows that it
was rebuilt wrong (a stale or damaged checkpoint: ``actors.fsm.reconcile``), what it
decided after the last request the broker took came from facts the broker contradicts,
and never reached the broker: those requests are voided, not sent, and the instrument
numbers its next request after the broker's last. The ones the broker took stand (the
broker wins), and its replies to them have already been taken.
"""

from __future__ import annotations

from tradeswarm.actors.fsm.orders import OrderTracker
from tradeswarm.messages import (
    CancelRequest,
    OrderRequest,
    PeerSignal,
    ReplaceRequest,
    decode,
)

_REQUESTS = (OrderRequest, CancelRequest, ReplaceRequest, PeerSignal)


def void_untaken(sent: list[bytes], last_taken: int, orders: OrderTracker) -> int:
    """Drops from ``sent`` (encoded requests, in the order they were numbered) those
    numbered after ``last_taken``, and forgets the orders and replaces they opened;
    returns how many submits were voided."""
    submits = 0
    while sent:
        request = decode(sent[-1])
        assert isinstance(request, _REQUESTS)  # the instrument encoded it as one
        if request.seq <= last_taken:
            break
        sent.pop()
        if isinstance(request, OrderRequest):
            orders.drop(request.client_order_id)
            submits += 1
        elif isinstance(request, ReplaceRequest):
            orders.void_replace(request.client_order_id, request.decided_ts_ns)
    return submits

"""What an instrument sends the broker for each intent its strategy returns.

Sans-IO and separate from the instrument's clock: the message carries the instrument's
numbering (one sequence for orders, cancels, replaces and signals, which the broker uses
to take each request once and to see one lost on the way) and the time it was decided at.
An order's client id is its symbol and its number, so a restarted instrument that decides
the same order again names it the same.
"""

from __future__ import annotations

from tradeswarm.actors.fsm.intents import Cancel, Intent, Replace, Signal
from tradeswarm.messages import CancelRequest, OrderRequest, PeerSignal, ReplaceRequest

Request = OrderRequest | CancelRequest | ReplaceRequest | PeerSignal


def client_order_id(symbol: str, seq: int) -> str:
    return f"{symbol}-{seq}"


def request_for(intent: Intent, symbol: str, seq: int, decided_ts_ns: int) -> Request:
    if isinstance(intent, Signal):
        return PeerSignal(
            sender=symbol,
            target=intent.target,
            name=intent.name,
            value=intent.value,
            decided_ts_ns=decided_ts_ns,
            seq=seq,
        )
    if isinstance(intent, Cancel):
        return CancelRequest(
            client_order_id=intent.client_order_id,
            symbol=symbol,
            decided_ts_ns=decided_ts_ns,
            seq=seq,
        )
    if isinstance(intent, Replace):
        return ReplaceRequest(
            client_order_id=intent.client_order_id,
            symbol=symbol,
            quantity=intent.quantity,
            limit_price=intent.limit_price,
            stop_price=intent.stop_price,
            decided_ts_ns=decided_ts_ns,
            seq=seq,
        )
    return OrderRequest(
        client_order_id=client_order_id(symbol, seq),
        symbol=symbol,
        side=intent.side,
        quantity=intent.quantity,
        order_type=intent.order_type,
        limit_price=intent.limit_price,
        stop_price=intent.stop_price,
        time_in_force=intent.time_in_force,
        decided_ts_ns=decided_ts_ns,
        seq=seq,
    )

"""The order lifecycle as data: which status an order moves to on which trigger.

Theory of operation: an order is born ``new`` inside the broker and leaves that status
before the broker answers: ``accept`` (the owner gets an ``OrderAck``) or ``reject`` (an
``OrderReject``). An accepted order is open until a fill completes it (``Fill`` with
``remaining == 0``), a cancel closes it (``OrderCancelled``: requested, IOC remainder,
last minute, end of data) or its time in force runs out (``expire``: a DAY order at the
end of the session, also reported as ``OrderCancelled``). A partial fill (``Fill`` with
``remaining > 0``) and a replace keep it open. ``TRANSITIONS`` is the whole table: a pair
not in it is illegal and ``next_status`` raises ``IllegalOrderTransition`` naming the
order, the status and the trigger, so a broker bug cannot move an order silently.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from tradeswarm.messages import OrderStatus


class OrderTrigger(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    CANCEL = "cancel"
    EXPIRE = "expire"
    REPLACE = "replace"


_S = OrderStatus
_T = OrderTrigger

TRANSITIONS: Final = MappingProxyType(
    {
        (_S.NEW, _T.ACCEPT): _S.ACCEPTED,
        (_S.NEW, _T.REJECT): _S.REJECTED,
        (_S.ACCEPTED, _T.PARTIAL_FILL): _S.PARTIALLY_FILLED,
        (_S.ACCEPTED, _T.FILL): _S.FILLED,
        (_S.ACCEPTED, _T.CANCEL): _S.CANCELLED,
        (_S.ACCEPTED, _T.EXPIRE): _S.EXPIRED,
        (_S.ACCEPTED, _T.REPLACE): _S.ACCEPTED,
        (_S.PARTIALLY_FILLED, _T.PARTIAL_FILL): _S.PARTIALLY_FILLED,
        (_S.PARTIALLY_FILLED, _T.FILL): _S.FILLED,
        (_S.PARTIALLY_FILLED, _T.CANCEL): _S.CANCELLED,
        (_S.PARTIALLY_FILLED, _T.EXPIRE): _S.EXPIRED,
        (_S.PARTIALLY_FILLED, _T.REPLACE): _S.PARTIALLY_FILLED,
    }
)

OPEN_STATUSES: Final = frozenset({_S.ACCEPTED, _S.PARTIALLY_FILLED})
TERMINAL_STATUSES: Final = frozenset({_S.FILLED, _S.CANCELLED, _S.REJECTED, _S.EXPIRED})


class IllegalOrderTransition(RuntimeError):
    """A (status, trigger) pair the lifecycle does not allow; the order is left unchanged."""

    def __init__(self, client_order_id: str, status: OrderStatus, trigger: OrderTrigger) -> None:
        super().__init__(
            f"order {client_order_id!r}: no transition from {status.value!r} on {trigger.value!r}"
        )
        self.client_order_id = client_order_id
        self.status = status
        self.trigger = trigger


def next_status(
    status: OrderStatus, trigger: OrderTrigger, client_order_id: str = ""
) -> OrderStatus:
    """The status after ``trigger``; raises ``IllegalOrderTransition`` for a pair not in
    ``TRANSITIONS``."""
    try:
        return TRANSITIONS[status, trigger]
    except KeyError:
        raise IllegalOrderTransition(client_order_id, status, trigger) from None


def mermaid_diagram() -> str:
    """The lifecycle as a Mermaid state diagram, drawn from ``TRANSITIONS`` itself."""
    lines = ["stateDiagram-v2", f"    [*] --> {_S.NEW.value}"]
    lines += [
        f"    {status.value} --> {target.value}: {trigger.value}"
        for (status, trigger), target in TRANSITIONS.items()
    ]
    lines += [f"    {status.value} --> [*]" for status in _S if status in TERMINAL_STATUSES]
    return "\n".join(lines)

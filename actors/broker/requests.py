"""What becomes of a request the broker holds: amended by a replace, or re-submitted at the
next session's open after a last-minute cancel."""

from __future__ import annotations

import msgspec

from tradeswarm.messages import OrderRequest

RESUBMIT_SUFFIX = "/next"
"""A last-minute cancel re-submitted at the next session's open keeps its client order id
with this suffix: ``"sma-AAPL-7"`` comes back as ``"sma-AAPL-7/next"``. The broker's own
choice: the cancel names the new id (``OrderCancelled.resubmitted_as``), so no owner needs
to know the rule."""


def amend(
    request: OrderRequest,
    quantity: float | None,
    limit_price: float | None,
    stop_price: float | None,
) -> OrderRequest:
    """``request`` with the fields a replace sets; ``None`` keeps a field."""
    changes: dict[str, float] = {}
    if quantity is not None:
        changes["quantity"] = quantity
    if limit_price is not None:
        changes["limit_price"] = limit_price
    if stop_price is not None:
        changes["stop_price"] = stop_price
    return msgspec.structs.replace(request, **changes)


def resubmission(request: OrderRequest, ts_ns: int) -> OrderRequest:
    """A last-minute cancel as the order re-submitted, decided at the session open ``ts_ns``."""
    return msgspec.structs.replace(
        request,
        client_order_id=request.client_order_id + RESUBMIT_SUFFIX,
        decided_ts_ns=ts_ns,
    )

"""The order lifecycle table: every cell, every illegal pair, and the book walking it."""

from __future__ import annotations

import itertools

import pytest

from tests.actors.broker.helpers import T1, T2, T3, make_book, ohlc, request, status_of
from tradeswarm.actors.broker.lifecycle import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    IllegalOrderTransition,
    OrderTrigger,
    mermaid_diagram,
    next_status,
)
from tradeswarm.actors.broker.models import FixedBasisPointsSlippage
from tradeswarm.messages import (
    Fill,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)

S, T = OrderStatus, OrderTrigger

EXPECTED = {
    (S.NEW, T.ACCEPT): S.ACCEPTED,
    (S.NEW, T.REJECT): S.REJECTED,
    (S.ACCEPTED, T.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.ACCEPTED, T.FILL): S.FILLED,
    (S.ACCEPTED, T.CANCEL): S.CANCELLED,
    (S.ACCEPTED, T.EXPIRE): S.EXPIRED,
    (S.ACCEPTED, T.REPLACE): S.ACCEPTED,
    (S.PARTIALLY_FILLED, T.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, T.FILL): S.FILLED,
    (S.PARTIALLY_FILLED, T.CANCEL): S.CANCELLED,
    (S.PARTIALLY_FILLED, T.EXPIRE): S.EXPIRED,
    (S.PARTIALLY_FILLED, T.REPLACE): S.PARTIALLY_FILLED,
}
ILLEGAL = sorted(set(itertools.product(S, T)) - set(EXPECTED))


@pytest.mark.parametrize(("status", "trigger"), sorted(EXPECTED), ids=str)
def test_each_legal_transition_leads_where_the_table_says(
    status: OrderStatus, trigger: OrderTrigger
) -> None:
    assert next_status(status, trigger) is EXPECTED[status, trigger]


def test_the_table_is_exactly_the_legal_transitions() -> None:
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("status", "trigger"), ILLEGAL, ids=str)
def test_every_other_pair_raises_an_error_naming_order_status_and_trigger(
    status: OrderStatus, trigger: OrderTrigger
) -> None:
    with pytest.raises(IllegalOrderTransition) as caught:
        next_status(status, trigger, "o-7")
    assert (caught.value.client_order_id, caught.value.status, caught.value.trigger) == (
        "o-7",
        status,
        trigger,
    )
    assert str(caught.value) == (
        f"order 'o-7': no transition from {status.value!r} on {trigger.value!r}"
    )


def test_terminal_statuses_have_no_way_out_and_open_ones_always_can_close() -> None:
    sources = {status for status, _ in TRANSITIONS}
    assert not sources & TERMINAL_STATUSES
    for status in OPEN_STATUSES:
        closing = {TRANSITIONS.get((status, trigger)) for trigger in (T.FILL, T.CANCEL, T.EXPIRE)}
        assert closing <= TERMINAL_STATUSES
    reachable = {S.NEW} | set(TRANSITIONS.values())
    assert reachable == set(S)


def test_the_diagram_draws_every_transition_from_the_table() -> None:
    diagram = mermaid_diagram()
    assert diagram.startswith("stateDiagram-v2\n    [*] --> new")
    for (status, trigger), target in TRANSITIONS.items():
        assert f"    {status.value} --> {target.value}: {trigger.value}" in diagram
    assert "    filled --> [*]" in diagram


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[S.FILLED, T.FILL] = S.FILLED  # type: ignore[index]


# The book walks the table and tells the owner at each step


def test_an_order_walks_accepted_partially_filled_filled_with_a_message_each_step() -> None:
    book = make_book(slippage=FixedBasisPointsSlippage(basis_points=0.0, volume_limit=0.01))
    emitted = book.accept(request("o", Side.BUY, 15.0), T1, None)
    assert emitted == [OrderAck(client_order_id="o", symbol="AAPL", ts_ns=T1)]
    assert status_of(book, "o") == "accepted"
    (partial,) = book.match(ohlc(T2, 10.0, 10.0, 10.0, 10.0))
    assert isinstance(partial, Fill)
    assert (partial.quantity, partial.remaining) == (10.0, 5.0)
    assert status_of(book, "o") == "partially_filled"
    (last,) = book.match(ohlc(T3, 10.0, 10.0, 10.0, 10.0))
    assert isinstance(last, Fill)
    assert (last.quantity, last.remaining) == (5.0, 0.0)
    assert status_of(book, "o") == "filled"


def test_a_rejected_order_is_known_as_rejected() -> None:
    book = make_book()
    (reject,) = book.accept(request("o", Side.BUY, 0.0), T1, None)
    assert isinstance(reject, OrderReject)
    assert status_of(book, "o") == "rejected"


def test_a_day_order_at_the_session_end_expires_and_the_owner_sees_a_cancel() -> None:
    book = make_book()
    book.accept(
        request("o", Side.BUY, 5.0, OrderType.LIMIT, limit=1.0, tif=TimeInForce.DAY), T1, None
    )
    assert book.end_of_session(T1) == []  # taken at the closing instant: for the next session
    assert book.end_of_session(T2) == [
        OrderCancelled(client_order_id="o", symbol="AAPL", reason="end_of_day", ts_ns=T2)
    ]
    assert status_of(book, "o") == "expired"


def test_an_unknown_order_has_no_status() -> None:
    assert make_book().status("never") is None

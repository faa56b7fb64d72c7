"""A restarted host gets exactly the replies it has not logged; a request comes in once,
and only from the host of its symbol."""

from __future__ import annotations

from tradeswarm.actors.broker.admission import Admission, Verdict
from tradeswarm.actors.broker.resume import ReplyHistory, RequestFilter
from tradeswarm.messages import OrderRequest, OrderType, Side, StepDone


def test_the_history_gives_a_host_everything_after_what_it_has() -> None:
    history = ReplyHistory()
    history.record(b"inst/a", [b"1", b"2"])
    history.record(b"inst/b", [b"x"])
    history.record(b"inst/a", [b"3"])
    assert history.since(b"inst/a", 1) == (1, [b"2", b"3"])
    assert history.since(b"inst/a", 3) == (3, [])
    assert history.since(b"inst/a", 0) == (0, [b"1", b"2", b"3"])
    assert history.since(b"inst/c", 0) == (0, [])
    assert history.count(b"inst/b") == 1


def test_what_a_host_says_its_log_holds_is_forgotten_and_never_sent_again() -> None:
    """The history stays bounded: a host's restart asks only for what follows its log."""
    history = ReplyHistory()
    history.record(b"inst/a", [b"1", b"2", b"3", b"4"])
    history.forget(b"inst/a", 3)
    history.forget(b"inst/a", 2)  # a late, lower word changes nothing
    history.forget(b"inst/b", 5)  # nothing sent it yet
    assert history.since(b"inst/a", 3) == (3, [b"4"])
    assert history.since(b"inst/a", 1) == (3, [b"4"])  # what it said it had: not again
    history.record(b"inst/a", [b"5"])
    assert history.count(b"inst/a") == 5
    history.forget(b"inst/a", 9)  # more than was sent: all of it, no more
    assert history.since(b"inst/a", 5) == (5, [])
    history.record(b"inst/a", [b"6"])
    assert history.since(b"inst/a", 5) == (5, [b"6"])
    assert history.since(b"inst/b", 0) == (0, [])


def test_a_request_sent_again_is_dropped_and_counted() -> None:
    taken = RequestFilter()
    assert taken.first_time("AAPL", 1)
    assert taken.first_time("MSFT", 1)  # another instrument's numbering
    assert not taken.first_time("AAPL", 1)
    assert taken.first_time("AAPL", 2)
    assert taken.duplicates == 1


def test_only_the_symbols_host_is_admitted_and_each_request_once() -> None:
    admission = Admission({"AAPL": b"inst/a", "MSFT": b"inst/b"})
    order = OrderRequest(
        client_order_id="AAPL-1",
        symbol="AAPL",
        side=Side.BUY,
        quantity=1.0,
        order_type=OrderType.MARKET,
        decided_ts_ns=1,
        seq=1,
    )
    assert admission.request(b"inst/b", order) is Verdict.NOT_ENTITLED
    assert admission.request(b"inst/a", order) is Verdict.TAKE
    assert admission.request(b"inst/a", order) is Verdict.DUPLICATE
    assert admission.duplicates == 1
    assert admission.entitled(b"inst/b", "MSFT") and not admission.entitled(b"inst/b", "IBM")


def _order(seq: int) -> OrderRequest:
    return OrderRequest(
        client_order_id=f"AAPL-{seq}",
        symbol="AAPL",
        side=Side.BUY,
        quantity=1.0,
        order_type=OrderType.MARKET,
        decided_ts_ns=seq,
        seq=seq,
    )


def test_a_clock_report_waits_for_a_request_it_counts_and_passes_once_it_comes() -> None:
    admission = Admission({"AAPL": b"inst/a"})
    assert admission.request(b"inst/a", _order(1)) is Verdict.TAKE
    assert admission.report(StepDone(sender="AAPL", through_ts_ns=1, requests=1)) == 1
    # Request 2 was lost on the way; the reports after it must not pass time 2 without it.
    assert admission.report(StepDone(sender="AAPL", through_ts_ns=2, requests=2)) is None
    assert admission.report(StepDone(sender="AAPL", through_ts_ns=4, requests=3)) is None
    assert admission.reports_held == 2
    assert admission.request(b"inst/a", _order(3)) is Verdict.TAKE
    assert admission.released("AAPL") is None  # 2 is still missing
    assert admission.request(b"inst/a", _order(2)) is Verdict.TAKE  # sent again
    assert admission.released("AAPL") == 4
    assert admission.released("AAPL") is None  # passed once


def test_a_report_from_before_reports_counted_requests_is_taken_as_it_comes() -> None:
    admission = Admission({"AAPL": b"inst/a"})
    assert admission.report(StepDone(sender="AAPL", through_ts_ns=7)) == 7


def test_the_filter_keeps_only_what_came_past_a_hole_and_knows_the_last_taken() -> None:
    taken = RequestFilter()
    for seq in (1, 2, 4, 5):
        assert taken.first_time("AAPL", seq)
    assert (taken.taken_through("AAPL"), taken.last_taken("AAPL")) == (2, 5)
    assert not taken.first_time("AAPL", 1) and not taken.first_time("AAPL", 5)
    assert taken.first_time("AAPL", 3)  # the hole filled: everything through 5 has come
    assert (taken.taken_through("AAPL"), taken.last_taken("AAPL")) == (5, 5)
    assert taken._taken == set()  # nothing left one by one
    assert not taken.first_time("AAPL", 4)
    assert taken.duplicates == 3
    assert (taken.taken_through("MSFT"), taken.last_taken("MSFT")) == (0, 0)

"""The broker's conservative clock, without sockets: which phase may run when, idle skipping,
the end of the run, and one order of phases however the messages interleave."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeswarm.actors.broker.clock import BrokerClock, Phase

MATCH, ACCEPT = Phase.MATCH, Phase.ACCEPT


def drain(clock: BrokerClock) -> list[tuple[Phase, int]]:
    """Run every phase the clock allows now, as the broker does, and return them."""
    completed: list[tuple[Phase, int]] = []
    while (phase := clock.next_phase()) is not None:
        clock.done(*phase)
        completed.append(phase)
    return completed


def test_a_new_clock_has_nothing_to_do() -> None:
    clock = BrokerClock(["a", "b"])
    assert clock.next_phase() is None
    assert clock.min_decided == -1
    assert not clock.finished()


def test_matching_a_bar_is_allowed_before_any_decision_is_in() -> None:
    clock = BrokerClock(["a", "b"])
    clock.on_published([10, 20], through_ts_ns=20, final=False)
    assert clock.next_phase() == (MATCH, 10)


def test_accepting_waits_for_every_participants_step_done() -> None:
    clock = BrokerClock(["a", "b"])
    clock.on_published([10, 20], through_ts_ns=20, final=False)
    assert drain(clock) == [(MATCH, 10)]
    clock.on_step_done("a", 10)
    assert clock.next_phase() is None
    clock.on_step_done("b", 10)
    assert drain(clock) == [(ACCEPT, 10), (MATCH, 20)]


def test_a_participant_that_ran_ahead_does_not_hold_the_clock() -> None:
    clock = BrokerClock(["a", "b"])
    clock.on_published([10, 20, 30], through_ts_ns=30, final=False)
    clock.on_step_done("a", 30)
    clock.on_step_done("b", 20)
    assert clock.min_decided == 20
    assert drain(clock) == [(MATCH, 10), (ACCEPT, 10), (MATCH, 20), (ACCEPT, 20), (MATCH, 30)]


def test_a_step_done_that_goes_back_in_time_is_ignored() -> None:
    clock = BrokerClock(["a"])
    clock.on_step_done("a", 20)
    clock.on_step_done("a", 10)
    assert clock.min_decided == 20


def test_a_step_done_from_an_unknown_participant_raises_key_error() -> None:
    clock = BrokerClock(["a"])
    with pytest.raises(KeyError, match="stranger"):
        clock.on_step_done("stranger", 10)
    assert clock.min_decided == -1


def test_with_no_participants_every_phase_may_run() -> None:
    clock = BrokerClock([])
    clock.on_published([10, 20], through_ts_ns=20, final=True)
    assert drain(clock) == [(MATCH, 10), (ACCEPT, 10), (MATCH, 20), (ACCEPT, 20)]
    assert clock.finished()


def test_skip_idle_passes_every_time_up_to_the_least_decided_and_stops_there() -> None:
    clock = BrokerClock(["a", "b"])
    clock.on_published([10, 20, 30, 40], through_ts_ns=40, final=False)
    clock.on_step_done("a", 40)
    clock.on_step_done("b", 20)
    assert clock.skip_idle() == [10, 20]
    assert (clock.matched, clock.accepted) == (20, 20)
    assert clock.next_phase() == (MATCH, 30)


def test_skip_idle_first_completes_an_accept_that_was_waiting() -> None:
    clock = BrokerClock(["a"])
    clock.on_published([10, 20], through_ts_ns=20, final=False)
    assert drain(clock) == [(MATCH, 10)]
    clock.on_step_done("a", 20)
    assert clock.skip_idle() == [10, 20]
    assert clock.next_phase() is None


def test_skip_idle_does_nothing_while_an_accept_still_waits_for_decisions() -> None:
    clock = BrokerClock(["a"])
    clock.on_published([10, 20], through_ts_ns=20, final=False)
    drain(clock)
    assert clock.skip_idle() == []
    assert (clock.matched, clock.accepted) == (10, -1)
    assert clock.next_phase() is None


def test_the_clock_finishes_only_after_the_final_accept_and_every_decision() -> None:
    clock = BrokerClock(["a", "b"])
    clock.on_published([10, 20], through_ts_ns=20, final=False)
    clock.on_step_done("a", 20)
    clock.on_step_done("b", 20)
    drain(clock)
    assert not clock.finished()  # the data has not ended
    clock.on_published([30], through_ts_ns=30, final=True)
    assert clock.next_phase() == (MATCH, 30)
    clock.done(MATCH, 30)
    assert not clock.finished()  # bar 30 is matched, not accepted
    clock.on_step_done("a", 30)
    assert not clock.finished()
    assert clock.next_phase() is None
    clock.on_step_done("b", 30)
    assert not clock.finished()  # the decisions are in, the accept phase has not run
    assert drain(clock) == [(ACCEPT, 30)]
    assert clock.finished()


def test_a_run_without_bars_finishes_at_once() -> None:
    clock = BrokerClock(["a"])
    clock.on_published([], through_ts_ns=-1, final=True)
    assert clock.next_phase() is None
    assert clock.finished()


# Determinism: however step reports and publications interleave, one order of phases.


@st.composite
def runs(draw: st.DrawFn) -> tuple[list[int], list[list[int]], dict[str, list[int]]]:
    """A timeline cut into published chunks, and each participant's step reports, ending
    with the last time (every participant decides on every bar)."""
    timeline = sorted(draw(st.sets(st.integers(0, 10_000), min_size=1, max_size=25)))
    cut_after = draw(st.lists(st.booleans(), min_size=len(timeline), max_size=len(timeline)))
    bounds = [0, *(i + 1 for i, cut in enumerate(cut_after[:-1]) if cut), len(timeline)]
    chunks = [timeline[low:high] for low, high in pairwise(bounds)]
    names = draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=4, unique=True))
    reports = {
        name: sorted(draw(st.sets(st.sampled_from(timeline), max_size=len(timeline))))
        for name in names
    }
    for steps in reports.values():
        if not steps or steps[-1] != timeline[-1]:
            steps.append(timeline[-1])
    return timeline, chunks, reports


@settings(max_examples=150, deadline=None)
@given(run=runs(), data=st.data())
def test_every_interleaving_of_reports_and_publications_gives_one_order_of_phases(
    run: tuple[list[int], list[list[int]], dict[str, list[int]]], data: st.DataObject
) -> None:
    timeline, chunks, reports = run
    clock = BrokerClock(reports)
    queues: dict[str, list] = {"market": list(chunks)} | {n: list(s) for n, s in reports.items()}
    decided = dict.fromkeys(reports, -1)
    completed: list[tuple[Phase, int]] = []
    while any(queues.values()):
        assert not clock.finished()
        source = data.draw(st.sampled_from(sorted(name for name, q in queues.items() if q)))
        item = queues[source].pop(0)
        if source == "market":
            clock.on_published(item, through_ts_ns=item[-1], final=not queues["market"])
        else:
            clock.on_step_done(source, item)
            decided[source] = item
        for phase, ts_ns in drain(clock):
            if phase is ACCEPT:
                assert min(decided.values()) >= ts_ns  # no accept before every decision
            completed.append((phase, ts_ns))
    assert completed == [(phase, ts_ns) for ts_ns in timeline for phase in (MATCH, ACCEPT)]
    assert clock.finished()


@settings(max_examples=150, deadline=None)
@given(run=runs(), data=st.data())
def test_skipping_idle_time_passes_the_same_times_in_the_same_order(
    run: tuple[list[int], list[list[int]], dict[str, list[int]]], data: st.DataObject
) -> None:
    timeline, chunks, reports = run
    clock = BrokerClock(reports)
    queues: dict[str, list] = {"market": list(chunks)} | {n: list(s) for n, s in reports.items()}
    accepted: list[int] = []
    while any(queues.values()):
        source = data.draw(st.sampled_from(sorted(name for name, q in queues.items() if q)))
        item = queues[source].pop(0)
        if source == "market":
            clock.on_published(item, through_ts_ns=item[-1], final=not queues["market"])
        else:
            clock.on_step_done(source, item)
        if data.draw(st.booleans()):
            accepted += clock.skip_idle()
        accepted += [ts_ns for phase, ts_ns in drain(clock) if phase is ACCEPT]
    assert accepted == timeline
    assert clock.finished()


def test_the_clock_names_the_participants_it_waits_on_and_none_while_it_waits_for_bars() -> None:
    clock = BrokerClock(["a", "b", "c"])
    assert clock.waiting_on() == []  # no bar yet: it waits on the market data
    clock.on_published([10, 20], 20, final=True)
    clock.on_step_done("b", 10)
    drain(clock)  # matches 10, then waits to accept it
    assert clock.waiting_on() == ["a", "c"]
    clock.on_step_done("a", 20)
    clock.on_step_done("c", 10)
    drain(clock)
    assert clock.waiting_on() == ["b", "c"]  # accepting 20 needs b and c through it
    clock.on_step_done("b", 20)
    clock.on_step_done("c", 20)
    drain(clock)
    assert clock.finished() and clock.waiting_on() == []

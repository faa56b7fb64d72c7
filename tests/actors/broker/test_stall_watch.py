"""The broker asks hosts to send again only when its clock has not moved for a while, and
waits longer each time it stays stuck."""

from __future__ import annotations

from tradeswarm.actors.broker.stall_watch import StallWatch


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_clock_that_moves_is_never_stalled() -> None:
    time = FakeClock()
    watch = StallWatch(first_after=0.5, longest=4.0, clock=time)
    for position in range(20):
        time.now += 0.4
        assert not watch.stalled(position)


def test_a_stuck_clock_is_stalled_after_the_wait_which_doubles_up_to_the_longest() -> None:
    time = FakeClock()
    watch = StallWatch(first_after=0.5, longest=2.0, clock=time)
    assert not watch.stalled("p")
    stalls = []
    for _ in range(40):  # 10 s in steps of 0.25 s (exact in binary)
        time.now += 0.25
        if watch.stalled("p"):
            stalls.append(time.now - 100.0)
    assert stalls[:4] == [0.5, 1.5, 3.5, 5.5]  # waits of 0.5, 1, 2, then 2 again
    time.now += 0.25
    assert not watch.stalled("q")  # it moved: the next stall waits 0.5 s again
    time.now += 0.5
    assert watch.stalled("q")

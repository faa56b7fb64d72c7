"""Chaos on the order path duplicates, reverses, holds and drops messages, but never lets
a later message overtake an earlier one."""

from __future__ import annotations

from tradeswarm.actors.runtime.order_path_chaos import OrderPathChaos


def test_frames_leave_in_order_and_only_the_dropped_ones_are_missing() -> None:
    chaos = OrderPathChaos(seed=42)
    sent: list[list[bytes]] = []
    for index in range(5000):
        sent += chaos.shape([f"{index}-a".encode(), f"{index}-b".encode()])
    while chaos.held():
        sent += chaos.shape([])
    assert all(chaos.counters[kind] > 50 for kind in ("duplicated", "reversed", "held"))
    assert chaos.counters["dropped"] > 0
    newest = [max(int(frame.split(b"-")[0]) for frame in message) for message in sent]
    assert newest == sorted(newest)  # no message carries only what an earlier one overtook
    seen = [int(frame.split(b"-")[0]) for message in sent for frame in message]
    # A dropped message can hold what earlier ones held back: at most a few each.
    missing = set(range(5000)) - set(seen)
    assert 0 < len(missing) <= 4 * chaos.counters["dropped"]
    assert all(seen.count(index) <= 8 for index in range(0, 5000, 97))  # twice per copy


def test_the_same_seed_injects_the_same_faults() -> None:
    def run(seed: int) -> list[list[list[bytes]]]:
        chaos = OrderPathChaos(seed)
        return [chaos.shape([bytes([index])]) for index in range(200)]

    assert run(1) == run(1)
    assert run(1) != run(2)

"""Chaos on the order path duplicates, reverses and holds messages, but never loses one or
lets a later message overtake an earlier one."""

from __future__ import annotations

from tradeswarm.actors.runtime.order_path_chaos import OrderPathChaos


def test_every_frame_leaves_in_order_at_least_once_and_nothing_overtakes() -> None:
    chaos = OrderPathChaos(seed=42)
    sent: list[list[bytes]] = []
    for index in range(5000):
        sent += chaos.shape([f"{index}-a".encode(), f"{index}-b".encode()])
    while chaos.held():
        sent += chaos.shape([])
    assert all(chaos.counters[kind] > 50 for kind in ("duplicated", "reversed", "held"))
    newest = [max(int(frame.split(b"-")[0]) for frame in message) for message in sent]
    assert newest == sorted(newest)  # no message carries only what an earlier one overtook
    seen = [int(frame.split(b"-")[0]) for message in sent for frame in message]
    assert set(seen) == set(range(5000))
    assert all(seen.count(index) <= 8 for index in range(0, 5000, 97))  # twice per copy


def test_the_same_seed_injects_the_same_faults() -> None:
    def run(seed: int) -> list[list[list[bytes]]]:
        chaos = OrderPathChaos(seed)
        return [chaos.shape([bytes([index])]) for index in range(200)]

    assert run(1) == run(1)
    assert run(1) != run(2)

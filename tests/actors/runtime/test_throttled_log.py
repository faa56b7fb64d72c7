"""A flood of warnings prints a few lines a second, and says what it held back."""

from __future__ import annotations

import logging

import pytest

from tradeswarm.actors.runtime.throttled_log import ThrottledLog


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_line_per_kind_per_second_with_the_count_held_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    throttled = ThrottledLog(logging.getLogger("test.throttled"), clock=clock)
    with caplog.at_level(logging.WARNING, logger="test.throttled"):
        for index in range(100_000):
            clock.now = 100.0 + index * 20e-6  # 100,000 warnings in two seconds
            throttled.warning("malformed.router", f"garbage {index}")
        throttled.warning("refused.control", "a forged ActorFinished")
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 3
    assert lines[0] == "garbage 0"
    assert lines[1].startswith("garbage 50000 (and 49999 more like it")
    assert lines[2] == "a forged ActorFinished"  # another kind is not held by the first
    assert throttled.held() == {"malformed.router": 49_999}

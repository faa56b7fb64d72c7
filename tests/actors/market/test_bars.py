"""BarColumns: the checks every consumer relies on to index the columns together."""

from __future__ import annotations

import numpy as np
import pytest

from tradeswarm.actors.market.bars import BarColumns


def test_bar_columns_refuse_columns_of_different_lengths() -> None:
    one, two = np.ones(1), np.ones(2)
    with pytest.raises(ValueError, match="length"):
        BarColumns("A", np.arange(2, dtype=np.int64), two, two, two, one, two)


def test_bar_columns_refuse_timestamps_that_do_not_ascend() -> None:
    two = np.ones(2)
    with pytest.raises(ValueError, match="ascend"):
        BarColumns("A", np.array([5, 5], dtype=np.int64), two, two, two, two, two)

"""Trade statistics from hand-made fills, whose round trips can be priced on paper."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tradeswarm.messages import Fill, Side
from tradeswarm.scenarios.report.trade_stats import (
    FillRow,
    positions_from_fills,
    round_trips,
    trade_stats,
)

DAYS = pd.bdate_range("2024-01-01", periods=10)  # Mon 1 January .. Fri 12 January 2024


def at(day: int, hour: int = 21) -> int:
    """Nanoseconds UTC of business day ``day`` (0-based) at ``hour``."""
    return (DAYS[day] + pd.Timedelta(hours=hour)).value


def equity(value: float = 10_000.0) -> pd.Series:
    return pd.Series(value, index=DAYS)


TWO_TRIPS = [
    FillRow(at(0), "X", "buy", 100, 10.0, 1.0),
    FillRow(at(2), "X", "sell", 100, 11.0, 1.0),  # +100 - 2 commissions = 98
    FillRow(at(3), "Y", "sell", 50, 20.0, 0.5),
    FillRow(at(4), "Y", "buy", 50, 21.0, 0.5),  # a short losing 50, - 1 commission = -51
]


def test_a_win_and_a_loss_give_half_a_win_rate_net_of_commissions() -> None:
    stats = trade_stats(TWO_TRIPS, None, equity())
    assert stats.round_trips == 2
    assert stats.win_rate == 0.5
    assert stats.average_win == pytest.approx(98.0)
    assert stats.average_loss == pytest.approx(-51.0)
    assert stats.commissions == pytest.approx(3.0)
    notional = 100 * 10.0 + 100 * 11.0 + 50 * 20.0 + 50 * 21.0
    assert stats.turnover == pytest.approx(notional / 10_000.0)
    # X is held at the close of days 0 and 1, Y at the close of day 3: 3 days of 10.
    assert stats.exposure == pytest.approx(3 / 10)


def test_round_trips_run_from_flat_to_flat_whatever_the_fill_order() -> None:
    trips = round_trips(list(reversed(TWO_TRIPS)))
    assert [(t.symbol, t.opened_ns, t.closed_ns) for t in trips] == [
        ("X", at(0), at(2)),
        ("Y", at(3), at(4)),
    ]


def test_scaling_in_and_out_is_one_round_trip() -> None:
    fills = [
        FillRow(at(0), "X", "buy", 100, 10.0, 1.0),
        FillRow(at(1), "X", "buy", 100, 12.0, 1.0),
        FillRow(at(2), "X", "sell", 150, 13.0, 1.0),
        FillRow(at(3), "X", "sell", 50, 9.0, 1.0),
    ]
    # FIFO: 100 bought at 10 sold at 13, 50 at 12 sold at 13, 50 at 12 sold at 9.
    fifo = 100 * 3.0 + 50 * 1.0 + 50 * -3.0 - 4 * 1.0
    assert [t.pnl for t in round_trips(fills)] == [pytest.approx(fifo)]


def test_a_flip_closes_one_trip_and_opens_the_next_with_a_share_of_the_commission() -> None:
    fills = [
        FillRow(at(0), "X", "buy", 100, 10.0, 1.0),
        FillRow(at(1), "X", "sell", 150, 12.0, 3.0),  # 100 close the long, 50 open a short
        FillRow(at(2), "X", "buy", 50, 11.0, 1.0),
    ]
    trips = round_trips(fills)
    assert [t.pnl for t in trips] == [
        pytest.approx(100 * 2.0 - 1.0 - 3.0 * 100 / 150),
        pytest.approx(50 * 1.0 - 3.0 * 50 / 150 - 1.0),
    ]
    assert (trips[1].opened_ns, trips[1].closed_ns) == (at(1), at(2))


def test_a_trip_still_open_at_the_end_is_not_counted() -> None:
    fills = [*TWO_TRIPS, FillRow(at(8), "Z", "buy", 10, 5.0, 0.0)]
    stats = trade_stats(fills, None, equity())
    assert stats.round_trips == 2
    assert stats.exposure == pytest.approx(5 / 10)  # Z adds days 8 and 9


def test_float_quantities_that_net_to_zero_close_the_trip() -> None:
    fills = [
        FillRow(at(0), "X", "buy", 0.1, 10.0, 0.0),
        FillRow(at(0, 22), "X", "buy", 0.2, 10.0, 0.0),
        FillRow(at(1), "X", "sell", 0.3, 11.0, 0.0),  # 0.1 + 0.2 - 0.3 is 5.6e-17
    ]
    assert len(round_trips(fills)) == 1
    assert trade_stats(fills, None, equity()).exposure == pytest.approx(1 / 10)


def test_recorded_positions_give_the_same_exposure_as_rebuilt_ones() -> None:
    rebuilt = positions_from_fills(TWO_TRIPS, DAYS)
    assert rebuilt.loc[DAYS[1], "X"] == 100 and rebuilt.loc[DAYS[3], "Y"] == -50
    recorded = rebuilt[(rebuilt.diff() != 0).any(axis=1)]  # a log of the days it changed
    assert len(recorded) == 4
    stats = trade_stats(TWO_TRIPS, recorded, equity())
    assert stats.exposure == trade_stats(TWO_TRIPS, None, equity()).exposure


def test_no_fills_means_no_trips_no_exposure_and_no_turnover() -> None:
    stats = trade_stats([], None, equity())
    assert (stats.round_trips, stats.exposure, stats.turnover, stats.commissions) == (0, 0, 0, 0)
    assert math.isnan(stats.win_rate) and math.isnan(stats.average_win)
    assert math.isnan(stats.average_loss)


def test_a_broker_fill_converts_to_a_fill_row() -> None:
    fill = Fill(
        client_order_id="o-1",
        symbol="X",
        side=Side.SELL,
        quantity=5.0,
        price=9.5,
        commission=0.25,
        ts_ns=at(0),
        remaining=0.0,
        fill_seq=1,
    )
    row = FillRow.from_fill(fill)
    assert row == FillRow(at(0), "X", "sell", 5.0, 9.5, 0.25)
    assert row.signed_quantity == -5.0


def test_a_fill_with_an_unknown_side_is_refused() -> None:
    with pytest.raises(ValueError, match="buy"):
        round_trips([FillRow(at(0), "X", "short", 1, 1.0, 0.0)])

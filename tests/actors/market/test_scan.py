"""The scan before a run: a whole file validated in one pass that keeps no bars, its figures
the ones the readers would find, and its errors the ones they would raise."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pandas as pd
import pytest

from tests.actors.market.bar_files import (
    DATA,
    aapl_frame,
    assert_same_bars,
    joined,
    minute_frame,
    ny_ns,
    read_all,
)
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.readers import read_bars, read_long_bars
from tradeswarm.actors.market.scan import ScanResult, scan_bars


def test_a_daily_file_scans_to_its_rows_first_and_last_close_and_final_ratio() -> None:
    scan = scan_bars(DATA / "AAPL.csv", "AAPL", Layout(), "XNYS")
    frame = aapl_frame()
    (symbol,) = scan.symbols.values()
    assert scan.daily and symbol.rows == 3270 and symbol.bar_seconds == 0
    assert symbol.first_ts_ns == ny_ns("2000-03-01", 16)
    assert symbol.last_ts_ns == ny_ns("2013-03-01", 16)
    assert symbol.final_ratio == frame["adj_close"].iloc[-1] / frame["close"].iloc[-1]


def test_a_scan_result_travels_as_msgpack() -> None:
    scan = scan_bars(DATA / "IBM.csv", "IBM", Layout(), "XNYS")
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(scan), type=ScanResult) == scan


def test_minute_bars_stamped_at_their_open_scan_to_their_inferred_length(tmp_path: Path) -> None:
    frame = minute_frame("2024-07-02", 700)
    frame["timestamp"] = [
        (stamp - pd.Timedelta(minutes=1)).isoformat() for stamp in frame["timestamp"]
    ]
    frame.to_csv(tmp_path / "m.csv", index=False)
    scan = scan_bars(tmp_path / "m.csv", "X", Layout(adjust="none"), "XNYS")
    symbol = scan.symbols["X"]
    assert not scan.daily
    assert (symbol.rows, symbol.bar_seconds, symbol.final_ratio) == (700, 60, None)
    assert symbol.first_ts_ns == ny_ns("2024-07-02", 9, 31)
    assert symbol.last_ts_ns == ny_ns("2024-07-05", 11, 10)  # 390 + 210 + 100 minutes


def test_reading_with_the_scans_figures_gives_the_bars_of_a_plain_read(tmp_path: Path) -> None:
    frame = minute_frame("2024-07-02", 500).assign(adj_close=lambda f: f["close"] * 0.5)
    frame["timestamp"] = [
        (stamp - pd.Timedelta(minutes=1)).isoformat() for stamp in frame["timestamp"]
    ]
    frame.to_csv(tmp_path / "m.csv", index=False)
    layout = Layout()
    scan = scan_bars(tmp_path / "m.csv", "X", layout, "XNYS").symbols["X"]
    informed = read_bars(
        tmp_path / "m.csv",
        "X",
        layout,
        "XNYS",
        final_ratio=scan.final_ratio,
        bar_seconds=scan.bar_seconds,
    )
    assert_same_bars(joined(informed), read_all(tmp_path / "m.csv", "X", "XNYS"))


def test_a_long_file_scans_to_each_symbols_figures(tmp_path: Path) -> None:
    frames = [pd.read_csv(DATA / f"{s}.csv").assign(symbol=s) for s in ("AAPL", "MSFT", "IBM")]
    pd.concat(frames).to_parquet(tmp_path / "long.parquet", row_group_size=1000)
    scan = scan_bars(tmp_path / "long.parquet", ["MSFT", "IBM"], Layout(), None)
    assert sorted(scan.symbols) == ["IBM", "MSFT"]
    for symbol, figures in scan.symbols.items():
        alone = scan_bars(DATA / f"{symbol}.csv", symbol, Layout(), None).symbols[symbol]
        assert figures == alone


def test_a_scan_raises_the_error_a_read_would_raise_at_the_end_of_the_file(tmp_path: Path) -> None:
    frame = aapl_frame()
    frame.loc[3000, "volume"] = -5
    frame.to_csv(tmp_path / "AAPL.csv", index=False)
    with pytest.raises(DataError) as scanned:
        scan_bars(tmp_path / "AAPL.csv", "AAPL", Layout(adjust="none"), "XNYS")
    with pytest.raises(DataError) as read:
        read_all(tmp_path / "AAPL.csv", "AAPL", "XNYS", adjust="none")
    assert str(scanned.value) == str(read.value)
    assert str(read.value).endswith(
        "AAPL.csv:3002: field 'volume' is '-5', negative; fix or remove the row"
    )


def test_the_last_bar_kept_sets_the_final_ratio_when_later_bars_are_dropped(
    tmp_path: Path,
) -> None:
    frame = aapl_frame()
    holiday = frame.iloc[[-1]].assign(date="2013-03-02", close=1.0, adj_close=1.0, open=1.0)
    frame = pd.concat([frame, holiday.assign(high=1.0, low=1.0)])  # a Saturday
    frame.to_parquet(tmp_path / "AAPL.parquet", row_group_size=500)
    bars = read_all(tmp_path / "AAPL.parquet", "AAPL", "XNYS", outside_sessions="drop")
    assert len(bars) == 3270 and bars.close[-1] == 430.47


def test_a_symbol_whose_last_rows_sit_in_an_early_row_group_is_adjusted_right(
    tmp_path: Path,
) -> None:
    frames = [pd.read_csv(DATA / f"{s}.csv").assign(symbol=s) for s in ("AAPL", "IBM")]
    pd.concat(frames).to_parquet(tmp_path / "long.parquet", row_group_size=700)  # AAPL first
    (chunk,) = read_long_bars(tmp_path / "long.parquet", ["AAPL"], Layout(), None, chunk_rows=10**6)
    assert chunk["AAPL"].close[-1] == 430.47

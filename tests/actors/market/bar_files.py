"""Helpers for the reader tests: bar files written the way users' tools write them, and the
reader's chunks put back together."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.readers import read_bars
from tradeswarm.actors.market.synthetic import synthetic_minute_bars

DATA = Path(__file__).resolve().parents[3] / "scenarios" / "data"
NEW_YORK = ZoneInfo("America/New_York")
MINUTE_NS = 60 * 10**9


def joined(chunks: Iterable[BarColumns]) -> BarColumns:
    """One BarColumns of every chunk, in order (the chunks' own checks apply again)."""
    parts = list(chunks)
    assert parts, "no chunks"
    names = ("ts_ns", "open", "high", "low", "close", "volume")
    columns = {name: np.concatenate([getattr(part, name) for part in parts]) for name in names}
    return BarColumns(symbol=parts[0].symbol, **columns)


def read_all(path: Path, symbol: str, calendar: str | None, **options: object) -> BarColumns:
    return joined(read_bars(path, symbol, Layout(**options), calendar))  # type: ignore[arg-type]


def assert_same_bars(first: BarColumns, second: BarColumns) -> None:
    for name in ("ts_ns", "open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name), err_msg=name)


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def aapl_frame() -> pd.DataFrame:
    """The project's AAPL file: ``date,open,high,low,close,volume,adj_close``, raw prices."""
    return pd.read_csv(DATA / "AAPL.csv", dtype={"date": str})


def ny_ns(day: str, hour: int, minute: int = 0) -> int:
    year, month, date = map(int, day.split("-"))
    return int(datetime(year, month, date, hour, minute, tzinfo=NEW_YORK).timestamp()) * 10**9


def minute_frame(start: str, count: int, calendar: str = "XNYS", seed: int = 5) -> pd.DataFrame:
    """Synthetic minute bars as a vendor frame: a tz-aware ``timestamp`` of each bar's close
    (in the calendar's zone), OHLCV, no adj_close."""
    bars = synthetic_minute_bars(["X"], count, seed=seed, start=start, calendar=calendar)["X"]
    return pd.DataFrame(
        {
            "timestamp": pd.DatetimeIndex(bars.ts_ns, tz="UTC").tz_convert(NEW_YORK),
            "open": bars.open,
            "high": bars.high,
            "low": bars.low,
            "close": bars.close,
            "volume": bars.volume,
        }
    )


def iso_texts(stamps: pd.Series, zone: str | None = None, sep: str = "T") -> list[str]:
    """``stamps`` as ISO text with their offset, or as naive wall times in ``zone``."""
    if zone is None:
        return [stamp.isoformat(sep=sep) for stamp in stamps]
    return [stamp.tz_convert(zone).tz_localize(None).isoformat(sep=sep) for stamp in stamps]

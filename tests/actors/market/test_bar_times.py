"""Timestamps: a file is daily when its first timestamps are dates or local midnights, and is
then read as dates to the end; otherwise its times are instants, offsets or zone applied."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from tests.actors.market.bar_files import read_all
from tradeswarm.actors.market.bar_times import arrow_type_of_text, decide_clock
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.layout import Layout

NEW_YORK = "America/New_York"


def clock_of(values: pa.Array) -> bool:
    return decide_clock(pa.chunked_array([values]), Layout(), NEW_YORK).daily


@pytest.mark.parametrize(
    ("text", "arrow_type"),
    [
        ("2024-01-02", pa.date32()),
        ("2024-01-02 09:31", pa.timestamp("ns")),
        ("2024-01-02T09:31:00.250", pa.timestamp("ns")),
        ("2024-01-02T09:31:00-05:00", pa.timestamp("ns", "UTC")),
        ("2024-01-02 14:31:00+00:00", pa.timestamp("ns", "UTC")),
        ("2024-01-02T14:31:00Z", pa.timestamp("ns", "UTC")),
        ("01/02/2024", None),
        ("1704205860", None),
    ],
)
def test_each_accepted_form_of_text_has_its_arrow_type(text: str, arrow_type: pa.DataType) -> None:
    assert arrow_type_of_text(text) == arrow_type


def test_dates_and_midnights_make_a_daily_file_and_times_an_intraday_one() -> None:
    midnights = pd.to_datetime(["2024-01-02", "2024-01-03"])
    assert clock_of(pa.array(midnights.date))
    assert clock_of(pa.array(midnights))
    assert clock_of(pa.array(midnights.tz_localize(NEW_YORK)))  # as yfinance writes daily bars
    assert clock_of(pa.array(["2024-01-02", "2024-01-03"]))
    assert not clock_of(pa.array(midnights + pd.Timedelta(hours=1)))
    assert not clock_of(pa.array(midnights.tz_localize("UTC")))  # 19:00 the day before in NY
    assert not clock_of(pa.array(["2024-01-02T00:00Z", "2024-01-02T01:00Z"]))


def test_yfinance_daily_bars_with_offsets_read_as_dates(tmp_path: Path) -> None:
    text = (
        "Date,Open,High,Low,Close,Volume\n"
        "2024-07-02 00:00:00-04:00,1,1,1,1,1\n2024-07-03 00:00:00-04:00,1,1,1,1,1\n"
    )
    (tmp_path / "yf.csv").write_text(text)
    bars = read_all(tmp_path / "yf.csv", "X", "XNYS", adjust="none")
    assert pd.to_datetime(bars.ts_ns, utc=True).tz_convert(NEW_YORK).hour.tolist() == [16, 13]


def test_a_time_of_day_after_the_first_rows_of_a_daily_parquet_file_is_an_error(
    tmp_path: Path,
) -> None:
    days = pd.date_range("1960-01-01", periods=12_000, freq="D")  # more than the first rows
    stamps = days.append(pd.DatetimeIndex([days[-1] + pd.Timedelta(hours=34)]))
    frame = pd.DataFrame({"date": stamps, "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0})
    frame.assign(volume=1.0).to_parquet(tmp_path / "d.parquet")
    with pytest.raises(DataError) as raised:
        read_all(tmp_path / "d.parquet", "X", None, adjust="none")
    assert str(raised.value).endswith(
        "d.parquet: row 12001: field 'date' is '1992-11-08 10:00:00', a time in a file "
        "of daily bars (its first rows are dates); one file holds one form of timestamp; fix "
        "or remove the row"
    )


def test_a_small_file_with_a_time_among_midnights_is_read_as_times(tmp_path: Path) -> None:
    stamps = pd.to_datetime(["2024-01-02 00:00", "2024-01-02 10:00"])
    frame = pd.DataFrame({"ts": stamps, "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0})
    frame.assign(volume=1.0).to_parquet(tmp_path / "t.parquet")
    with pytest.raises(DataError, match=r"row 1: .*data\.timezone is not set"):
        read_all(tmp_path / "t.parquet", "X", None, adjust="none")
    bars = read_all(tmp_path / "t.parquet", "X", None, adjust="none", timezone="UTC", stamp="close")
    assert bars.ts_ns.tolist() == stamps.as_unit("ns").asi8.tolist()

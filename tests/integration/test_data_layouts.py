"""The bar files users have, through the CLI: each layout trades what the shipped one does.

Every test writes its files into ``tmp_path`` (made from ``scenarios/data`` or generated from
a seeded random walk in whole cents) and runs the real CLI on them. Where a layout is only a
new spelling of data the project ships (yfinance's column names, reordered columns, gzip,
one long Parquet file), its ``fills.csv`` must be byte-identical to a run on the shipped
CSV. Where nothing is shipped (round-the-clock hourly bars), the fills are those of a plain
Python loop over the same prices, written as ``test_reference_loop`` writes its loop.
"""

from __future__ import annotations

import csv
import gzip
import json
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.actors.market.config import FileSource
from tradeswarm.actors.market.sources import load_bars

DATA = SCENARIOS / "data"
SHIPPED = f"{DATA}/{{symbol}}.csv"


def write_scenario(
    folder: Path,
    name: str,
    *,
    path: str,
    symbols: tuple[str, ...] = ("AAPL",),
    data: str = "",
    broker: str = "",
    params: str = "fast = 10, slow = 30, quantity = 100",
    topology: str = "single",
) -> Path:
    """A scenario file in ``folder``; ``data`` and ``broker`` are extra TOML lines."""
    listed = ", ".join(f'"{symbol}"' for symbol in symbols)
    scenario = folder / f"{name}.toml"
    scenario.write_text(
        f"""
[run]
name = "{name}"
topology = "{topology}"
[data]
symbols = [{listed}]
path = "{path}"
{data}
[strategy]
name = "sma_crossover"
params = {{ {params} }}
[broker]
starting_cash = 1000000.0
{broker}
"""
    )
    return scenario


def run_ok(scenario: Path) -> Path:
    """Run ``scenario`` into a folder named after it; the run folder."""
    out = scenario.parent / f"out-{scenario.stem}"
    result = run_cli("run", str(scenario), "--out", str(out), "--quiet", cwd=scenario.parent)
    assert result.returncode == 0, result.stderr
    return out


def fills_of(scenario: Path) -> bytes:
    fills = (run_ok(scenario) / "fills.csv").read_bytes()
    assert fills.count(b"\n") > 10, fills  # a baseline without trades would prove nothing
    return fills


def run_error(scenario: Path) -> str:
    """The one line a run of a broken ``scenario`` prints, checked to be a user error."""
    out = scenario.parent / f"out-{scenario.stem}"
    result = run_cli("run", str(scenario), "--out", str(out), "--quiet", cwd=scenario.parent)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def shipped_text(symbol: str) -> pd.DataFrame:
    """The shipped file with every field as written, so a rewrite keeps its exact digits."""
    return pd.read_csv(DATA / f"{symbol}.csv", dtype=str, keep_default_na=False)


def shipped_numbers(symbol: str) -> pd.DataFrame:
    """The shipped file parsed: dates as datetimes, numbers as the nearest float64."""
    frame = pd.read_csv(DATA / f"{symbol}.csv")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


@pytest.fixture(scope="module")
def aapl_fills(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The fills of the shipped AAPL.csv, back-adjusted (the default)."""
    folder = tmp_path_factory.mktemp("aapl-baseline")
    return fills_of(write_scenario(folder, "baseline", path=SHIPPED))


# --- One symbol's daily bars, spelt otherwise -------------------------------------------------


def yfinance_layout(folder: Path) -> str:
    frame = shipped_text("AAPL").rename(
        columns={
            "date": "Date",
            "open": "Open",
            "high": "High",
            "low": "Low",
            "close": "Close",
            "adj_close": "Adj Close",
            "volume": "Volume",
        }
    )
    columns = ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"]
    frame[columns].to_csv(folder / "AAPL.csv", index=False)
    return "{symbol}.csv"


def reordered_layout(folder: Path) -> str:
    frame = shipped_text("AAPL")
    frame["note"] = "ignored, text"  # quoted by the writer: a comma inside a field
    frame["dividends"] = "0.0"
    columns = ["volume", "note", "adj_close", "close", "date", "dividends", "low", "open", "high"]
    frame[columns].to_csv(folder / "AAPL.csv", index=False)
    return "{symbol}.csv"


def gzip_layout(folder: Path) -> str:
    (folder / "AAPL.csv.gz").write_bytes(gzip.compress((DATA / "AAPL.csv").read_bytes()))
    return "{symbol}.csv.gz"


@pytest.mark.parametrize(
    "layout",
    [yfinance_layout, reordered_layout, gzip_layout],
    ids=["yfinance", "reordered-extra-columns", "gzip"],
)
def test_a_respelt_daily_file_trades_as_the_shipped_one(
    tmp_path: Path, aapl_fills: bytes, layout: Callable[[Path], str]
) -> None:
    path = layout(tmp_path)
    assert fills_of(write_scenario(tmp_path, "respelt", path=path)) == aapl_fills


def test_ohlcv_without_adj_close_trades_as_traded_prices(tmp_path: Path) -> None:
    frame = shipped_text("AAPL").drop(columns=["adj_close"])
    frame.to_csv(tmp_path / "AAPL.csv", index=False)
    plain = write_scenario(tmp_path, "plain", path="{symbol}.csv", data='adjust = "none"')
    baseline = write_scenario(tmp_path, "baseline", path=SHIPPED, data='adjust = "none"')
    assert fills_of(plain) == fills_of(baseline)


def test_one_long_parquet_file_trades_as_the_three_shipped_csvs(tmp_path: Path) -> None:
    """AAPL, MSFT and IBM interleaved, date by date, in small row groups (the reader finds
    each symbol's last adj_close / close from the file's end, across groups)."""
    symbols = ("AAPL", "MSFT", "IBM")
    frames = [shipped_numbers(symbol).assign(symbol=symbol) for symbol in symbols]
    long = pd.concat(frames, ignore_index=True)
    long["order"] = long["symbol"].map({symbol: i for i, symbol in enumerate(symbols)})
    long = long.sort_values(["date", "order"], kind="stable").drop(columns=["order"])
    assert list(long["symbol"][:3]) == list(symbols)
    table = pa.Table.from_pandas(long, preserve_index=False)
    pq.write_table(table, tmp_path / "bars.parquet", row_group_size=1000)

    runs = {
        name: write_scenario(tmp_path, name, path=path, symbols=symbols, topology="processes")
        for name, path in (("long", "bars.parquet"), ("baseline", SHIPPED))
    }
    assert fills_of(runs["long"]) == fills_of(runs["baseline"])


# --- Minute bars, stamped three ways -----------------------------------------------------------

# Three XNYS sessions in New York time; the day after Thanksgiving closes at 13:00.
MINUTE_SESSIONS = {
    "2023-11-22": ("09:30", "16:00"),
    "2023-11-24": ("09:30", "13:00"),
    "2023-11-27": ("09:30", "16:00"),
}
NEW_YORK = "America/New_York"


def random_walk_cents(count: int, seed: int, start: int, step: int) -> list[tuple[int, int]]:
    """(open, close) of ``count`` bars in whole cents: each open near the last close."""
    rng = np.random.default_rng(seed)
    closes = start + np.cumsum(rng.integers(-step, step + 1, size=count))
    opens = np.concatenate([[start], closes[:-1]]) + rng.integers(-step // 4, step // 4 + 1, count)
    assert min(opens.min(), closes.min()) > 10 * step  # prices stay well above zero
    return list(zip(opens.tolist(), closes.tolist(), strict=True))


def dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def write_bars(path: Path, stamps: list[str], prices: list[tuple[int, int]], time: str) -> None:
    """A CSV of bars: the ``time`` column holds ``stamps``, high and low a cent outside."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([time, "open", "high", "low", "close", "volume"])
        for stamp, (open_cents, close_cents) in zip(stamps, prices, strict=True):
            high, low = max(open_cents, close_cents) + 1, min(open_cents, close_cents) - 1
            row = [dollars(cents) for cents in (open_cents, high, low, close_cents)]
            writer.writerow([stamp, *row, 1000])


def minute_opens() -> list[pd.Timestamp]:
    opens: list[pd.Timestamp] = []
    for day, (start, end) in MINUTE_SESSIONS.items():
        minutes = pd.date_range(f"{day} {start}", f"{day} {end}", freq="min", inclusive="left")
        opens.extend(minutes.tz_localize(NEW_YORK))
    return opens


def test_minute_bars_stamped_three_ways_trade_alike_in_the_real_sessions(tmp_path: Path) -> None:
    """Offset stamps at the bar's open (the default), naive New York stamps with
    data.timezone, and UTC stamps at the bar's close: the same bars, the same run."""
    opens = minute_opens()
    assert len(opens) == 390 + 210 + 390
    prices = random_walk_cents(len(opens), seed=2311, start=10_000, step=8)
    closes_utc = [(moment + pd.Timedelta(minutes=1)).tz_convert("UTC") for moment in opens]
    files = {
        "offset": ([moment.isoformat() for moment in opens], "Datetime", ""),  # the default
        "naive": (
            [moment.strftime("%Y-%m-%d %H:%M:%S") for moment in opens],
            "timestamp",
            f'timezone = "{NEW_YORK}"',
        ),
        "utc-close": (
            [moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in closes_utc],
            "Time",
            'stamp = "close"',
        ),
    }
    assert files["offset"][0][0] == "2023-11-22T09:30:00-05:00"
    runs = {}
    for name, (stamps, column, data) in files.items():
        write_bars(tmp_path / f"{name}.csv", stamps, prices, column)
        scenario = write_scenario(
            tmp_path,
            name,
            path=f"{name}.csv",
            symbols=("SPY",),
            data=f'adjust = "none"\n{data}',
            params="fast = 5, slow = 20, quantity = 10",
        )
        runs[name] = run_ok(scenario)

    fills = {name: (out / "fills.csv").read_bytes() for name, out in runs.items()}
    equity = {name: (out / "equity.csv").read_bytes() for name, out in runs.items()}
    assert fills["offset"].count(b"\n") > 10
    assert fills["naive"] == fills["offset"] == fills["utc-close"]
    assert equity["naive"] == equity["offset"] == equity["utc-close"]
    # One statement per session, at its real close: 13:00 New York (18:00 UTC) on the 24th.
    sessions = [(row["date"], row["ts"]) for row in read_rows(runs["offset"] / "equity.csv")]
    assert sessions == [
        ("2023-11-22", "2023-11-22T21:00:00Z"),
        ("2023-11-24", "2023-11-24T18:00:00Z"),
        ("2023-11-27", "2023-11-27T21:00:00Z"),
    ]
    for out in runs.values():
        assert json.loads((out / "summary.json").read_text())["bars_processed"] == len(opens)


# --- Round-the-clock hourly bars against a plain loop ------------------------------------------


def reference_fills(
    bars: list[tuple[str, int, int]], fast: int, slow: int
) -> list[tuple[str, str, float]]:
    """The fills of SMA(fast, slow) crossings, long only, over ``bars`` (the close time as
    fills.csv writes it, open and close in cents): decided at a bar's close, filled at the
    next bar's open. The averages are compared as exact integers (fast_sum * slow against
    slow_sum * fast), a crossing is a sign change against the last non-zero difference."""
    closes: list[int] = []
    long, pending = False, ""
    last_difference: int | None = None
    fills: list[tuple[str, str, float]] = []
    for ts, open_cents, close_cents in bars:
        if pending:
            fills.append((ts, pending, open_cents / 100))
            long, pending = pending == "buy", ""
        closes.append(close_cents)
        if len(closes) < slow:
            continue
        difference = sum(closes[-fast:]) * slow - sum(closes[-slow:]) * fast
        up = last_difference is not None and last_difference < 0 < difference
        down = last_difference is not None and last_difference > 0 > difference
        if difference != 0 or last_difference is None:
            last_difference = difference
        if not long and up:
            pending = "buy"
        elif long and down:
            pending = "sell"
    return fills


@pytest.mark.parametrize(
    ("calendar", "days_a_week", "start", "step", "form"),
    [
        ("24/7", 7, 3_000_000, 4_000, "%Y-%m-%dT%H:%M:%S+00:00"),  # crypto, around 30000.00
        ("24/5", 5, 15_000, 20, "%Y-%m-%d %H:%M:%SZ"),  # FX, around 150.00
    ],
    ids=["crypto-24x7", "fx-24x5"],
)
def test_round_the_clock_hourly_bars_trade_as_the_plain_loop(
    tmp_path: Path, calendar: str, days_a_week: int, start: int, step: int, form: str
) -> None:
    """Three weeks of hourly bars from Monday 2024-01-01 00:00 UTC; a 24/5 file has only
    the weekdays (the 24/5 sessions are Monday to Friday, 00:00 to 24:00 UTC)."""
    first = datetime(2024, 1, 1, tzinfo=UTC)
    hours = [first + timedelta(hours=hour) for hour in range(21 * 24)]
    opens = [moment for moment in hours if moment.weekday() < days_a_week]
    prices = random_walk_cents(len(opens), seed=days_a_week, start=start, step=step)
    write_bars(tmp_path / "PAIR.csv", [moment.strftime(form) for moment in opens], prices, "ts")
    scenario = write_scenario(
        tmp_path,
        "hourly",
        path="{symbol}.csv",
        symbols=("PAIR",),
        data=f'adjust = "none"\ncalendar = "{calendar}"',
        broker="last_minute_seconds = 0",
        params="fast = 5, slow = 20, quantity = 1",
    )
    out = run_ok(scenario)

    swarm = [(row["ts"], row["side"], float(row["price"])) for row in read_rows(out / "fills.csv")]
    closing = [(moment + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ") for moment in opens]
    bars = [(ts, o, c) for ts, (o, c) in zip(closing, prices, strict=True)]
    expected = reference_fills(bars, fast=5, slow=20)
    assert len(expected) > 10
    assert swarm == expected
    days = {moment.date().isoformat() for moment in opens}
    assert [row["date"] for row in read_rows(out / "equity.csv")] == sorted(days)


# --- A calendar far from New York --------------------------------------------------------------


def test_tokyo_daily_bars_fall_on_their_own_session_days(tmp_path: Path) -> None:
    import exchange_calendars

    with warnings.catch_warnings():  # its pandas deprecations are not this test's concern
        warnings.simplefilter("ignore")
        calendar = exchange_calendars.get_calendar("XTKS", start="2023-12-01", end="2024-03-01")
        sessions = calendar.sessions_in_range("2024-01-04", "2024-02-29")[:10]
    days = [session.strftime("%Y-%m-%d") for session in sessions]
    assert days[0] == "2024-01-04"
    prices = random_walk_cents(len(days), seed=225, start=3_300_000, step=30_000)
    write_bars(tmp_path / "N225.csv", days, prices, "Date")
    scenario = write_scenario(
        tmp_path,
        "tokyo",
        path="{symbol}.csv",
        symbols=("N225",),
        data='adjust = "none"\ncalendar = "XTKS"',
        params="fast = 2, slow = 3, quantity = 1",
    )
    statements = read_rows(run_ok(scenario) / "equity.csv")
    assert [row["date"] for row in statements] == days
    # The first session closes at 15:00 Tokyo, 06:00 UTC of the same day.
    assert statements[0]["ts"] == "2024-01-04T06:00:00Z"


# --- Mistakes, told in one line -------------------------------------------------------------


def parquet_read_as_csv(folder: Path) -> tuple[Path, list[str]]:
    shipped_numbers("AAPL").to_parquet(folder / "AAPL.parquet", index=False)
    scenario = write_scenario(folder, "bad", path="{symbol}.parquet", data='format = "csv"')
    return scenario, ["AAPL.parquet", "Parquet file", 'format = "parquet"']


def adjust_sideways(folder: Path) -> tuple[Path, list[str]]:
    scenario = write_scenario(folder, "bad", path=SHIPPED, data='adjust = "sideways"')
    return scenario, ["bad.toml", "data.adjust", "'sideways'", "'back'", "'none'"]


def source_parquet(folder: Path) -> tuple[Path, list[str]]:
    scenario = write_scenario(folder, "bad", path=SHIPPED, data='source = "parquet"')
    return scenario, ["bad.toml", "data.source", "'parquet'", "'files'", "'synthetic'"]


def with_field(folder: Path, line: int, column: int, text: str) -> Path:
    """A scenario on the shipped AAPL.csv with field ``column`` of ``line`` (from 1) replaced."""
    lines = (DATA / "AAPL.csv").read_text().splitlines(keepends=True)
    fields = lines[line - 1].split(",")
    fields[column] = text
    lines[line - 1] = ",".join(fields)
    (folder / "AAPL.csv").write_text("".join(lines))
    return write_scenario(folder, "bad", path="{symbol}.csv")


def bad_number(folder: Path) -> tuple[Path, list[str]]:
    scenario = with_field(folder, 7, 4, "abc")  # a close
    return scenario, ["AAPL.csv:7", "'close'", "'abc'", "not a number"]


def bad_date(folder: Path) -> tuple[Path, list[str]]:
    scenario = with_field(folder, 2000, 0, "2007-13-01")  # deep in the file, past a block
    return scenario, ["AAPL.csv:2000", "'date'", "'2007-13-01'"]


@pytest.mark.parametrize(
    "mistake",
    [parquet_read_as_csv, adjust_sideways, source_parquet, bad_number, bad_date],
    ids=["parquet-as-csv", "adjust-sideways", "source-parquet", "bad-number", "bad-date"],
)
def test_a_mistake_is_one_line_naming_its_file_or_key(
    tmp_path: Path, mistake: Callable[[Path], tuple[Path, list[str]]]
) -> None:
    scenario, fragments = mistake(tmp_path)
    message = run_error(scenario)
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, message


# --- Back-adjustment ---------------------------------------------------------------------------


def test_back_adjustment_keeps_the_last_price_and_removes_the_splits() -> None:
    path = DATA / "AAPL.csv"
    bars = load_bars(FileSource(paths={"AAPL": str(path)}), "XNYS")["AAPL"]
    rows = read_rows(path)
    days = [str(np.datetime64(int(ts), "ns").astype("datetime64[D]")) for ts in bars.ts_ns]
    assert days == [row["date"] for row in rows]  # closes at 16:00 New York: the same UTC day
    assert bars.close[-1] == float(rows[-1]["close"])
    assert bars.open[-1] == float(rows[-1]["open"])
    for split in ("2000-06-21", "2005-02-28"):  # both 2:1
        at = days.index(split)
        raw = float(rows[at]["close"]) / float(rows[at - 1]["close"])
        adjusted = float(bars.close[at] / bars.close[at - 1])
        assert raw < 0.6, split
        assert 0.9 < adjusted < 1.1, (split, adjusted)

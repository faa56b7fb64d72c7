"""``scan_bars``: a whole bar file validated in one streaming pass, before any actor starts.

The runner scans every file first so that a bad row fails the run at once, naming its
line, rather than an hour into a replay; the scan keeps no bars, only what the readers
need to know in advance (each symbol's last ``adj_close / close`` and bar length) and
what a report shows (rows, first and last bar). It also holds what scanning and reading
share: opening a file for some symbols, inferring a bar length, and the errors of a
symbol that has no bars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np

from tradeswarm.actors.market.bar_file import BarFile, open_bar_file
from tradeswarm.actors.market.bar_pass import BarPass, Track
from tradeswarm.actors.market.bar_times import Clock
from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.column_names import REQUIRED_COLUMNS
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.row_checks import BadRow
from tradeswarm.actors.market.stamps import intraday_closes

__all__ = ["ScanResult", "SymbolScan", "scan_bars"]  # and the helpers the readers share

NS_PER_SECOND = 10**9
_LISTED_SYMBOLS = 20


class SymbolScan(msgspec.Struct, frozen=True, kw_only=True):
    """One symbol of a scanned file: its bars, their first and last close (ns UTC), the
    ``adj_close / close`` of its last bar (None when not adjusting), and its bar length in
    seconds (given or inferred; 0 for daily bars)."""

    rows: int
    first_ts_ns: int
    last_ts_ns: int
    final_ratio: float | None
    bar_seconds: int


class ScanResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a scan learnt of one file, by symbol; ``daily`` when its bars are daily."""

    path: str
    daily: bool
    symbols: dict[str, SymbolScan]


def open_for(
    path: str | Path,
    symbols: Sequence[str],
    layout: Layout,
    calendar: str | None,
    *,
    long: bool,
) -> tuple[BarFile, Clock, bool]:
    """The file, its clock, and whether a symbol column selects the rows.

    A long file needs its symbol column; a one-symbol file may have one (then its rows of
    other symbols are skipped).
    """
    if len(set(symbols)) != len(symbols) or not symbols:
        raise ValueError(f"symbols must be distinct and at least one: {list(symbols)}")
    bar_file, clock = open_bar_file(path, layout, calendar, need_symbol=long)
    return bar_file, clock, "symbol" in bar_file.names


def fields_for(layout: Layout, by_column: bool) -> list[str]:
    """The canonical fields a full pass reads."""
    adjusting = ["adj_close"] if layout.adjust == "back" else []
    return [*REQUIRED_COLUMNS, *adjusting, *(["symbol"] if by_column else [])]


def check_found(bar_pass: BarPass) -> None:
    """Every symbol of a finished pass was in the file and kept a bar, else a ``DataError``."""
    kept = {symbol: track.rows for symbol, track in bar_pass.tracks.items()}
    found = bar_pass.symbols_found if bar_pass.by_column else None
    refuse_missing(bar_pass.bar_file, bar_pass.calendar, found, kept)


def refuse_missing(
    bar_file: BarFile, calendar: str | None, found: set[str] | None, kept: dict[str, int]
) -> None:
    """The error of the first symbol in ``kept`` not among the file's symbols ``found``
    (None: the file has no symbol column), or without a bar kept."""
    for symbol, rows in kept.items():
        if found is not None and symbol not in found:
            ordered = sorted(found)
            listed = ", ".join(map(repr, ordered[:_LISTED_SYMBOLS])) or "none"
            if len(ordered) > _LISTED_SYMBOLS:
                listed += f" and {len(ordered) - _LISTED_SYMBOLS} more"
            raise DataError(
                f"{bar_file.file}: no rows for symbol {symbol!r}; the file's symbols (column "
                f"{bar_file.names['symbol']!r}) are {listed}; ask for those, or give "
                f"{symbol} its rows"
            )
        if rows == 0:
            raise DataError(
                f"{bar_file.file}: every bar of {symbol} is outside the {calendar} sessions "
                "and was dropped; choose the calendar of its exchange"
            )


def inferred_bar_ns(file: BarFile, symbol: str, track: Track) -> int:
    """The most common gap between a symbol's timestamps (the shortest, on a tie)."""
    if not track.gaps:
        raise DataError(
            f"{file.file}: cannot infer the bar length of {symbol} from a single timestamp; "
            "set data.bar_seconds"
        )
    return min(track.gaps, key=lambda gap: (-track.gaps[gap], gap))


def _close(bar: tuple[int, int], layout: Layout, daily: bool, bar_ns: int) -> int:
    if daily or layout.stamp == "close":
        return bar[0]
    return int(intraday_closes(np.array([bar[0]]), np.array([bar[1]]), "open", bar_ns)[0])


def _check_adjusted(bar_pass: BarPass, symbol: str) -> None:
    """Back-adjusting must leave every price a positive number of micro-units: an
    ``adj_close`` far below its close (``1e-300``) would make a bar's prices 0."""
    track = bar_pass.tracks[symbol]
    if track.lowest_adjusted is None or not track.final_ratio:
        return
    lowest, row, adj_close = track.lowest_adjusted
    low = lowest / track.final_ratio
    if math.isfinite(low) and round(low, 6) > 0:
        return
    raise bar_pass.bar_file.row_error(
        BadRow(
            row,
            "adj_close",
            repr(adj_close),
            f"which back-adjusts the bar's low to {low:.3g}, not a positive price",
            'fix adj_close, or set data.adjust = "none" to trade the prices as they are',
        )
    )


def _summary(bar_pass: BarPass, symbol: str, layout: Layout) -> SymbolScan:
    track = bar_pass.tracks[symbol]
    if layout.adjust == "back":
        _check_adjusted(bar_pass, symbol)
    daily = bar_pass.clock.daily
    bar_ns = 0
    if not daily:
        bar_ns = layout.bar_seconds * NS_PER_SECOND
        if not bar_ns and (track.gaps or layout.stamp == "open"):
            bar_ns = inferred_bar_ns(bar_pass.bar_file, symbol, track)  # one bar: raises
    assert track.first_bar is not None and track.last_bar is not None
    return SymbolScan(
        rows=track.rows,
        first_ts_ns=_close(track.first_bar, layout, daily, bar_ns),
        last_ts_ns=_close(track.last_bar, layout, daily, bar_ns),
        final_ratio=track.final_ratio if layout.adjust == "back" else None,
        bar_seconds=bar_ns // NS_PER_SECOND,
    )


def scan_bars(
    path: str | Path,
    symbols: str | Sequence[str],
    layout: Layout,
    calendar: str | None,
    *,
    chunk_rows: int = 262_144,
) -> ScanResult:
    """Validate a whole file as ``read_bars`` (one symbol) or ``read_long_bars`` (a list)
    would read it, in one streaming pass that keeps no bars; raise its first ``DataError``.

    With ``stamp = "open"`` and an inferred bar length the scan cannot check that two bars
    capped at a session's end close apart (it learns the length at the end); the readers do.
    """
    long = not isinstance(symbols, str)
    names = [symbols] if isinstance(symbols, str) else list(symbols)
    bar_file, clock, by_column = open_for(path, names, layout, calendar, long=long)
    given = {name: layout.bar_seconds * NS_PER_SECOND for name in names}
    bar_pass = BarPass(
        bar_file,
        clock,
        names,
        layout,
        calendar,
        by_column=by_column,
        bar_ns=given if layout.bar_seconds else None,
        count_gaps=not clock.daily,
    )
    for _ in bar_pass.run(bar_file.chunks(fields_for(layout, by_column), chunk_rows)):
        pass
    check_found(bar_pass)
    summaries = {name: _summary(bar_pass, name, layout) for name in names}
    return ScanResult(path=str(bar_file.file), daily=clock.daily, symbols=summaries)

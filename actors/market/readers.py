"""Bars from the files users have: CSV (plain or gzip) or Parquet, streamed in chunks.

``read_bars`` reads one symbol's file, ``read_long_bars`` one file holding several symbols
(a ``symbol`` column); both yield ``BarColumns`` of at most ``chunk_rows`` bars, stamped at
their close in ns UTC, ts ascending strictly across chunks, every row validated first.

Back-adjustment scales a bar by ``adj_close / close``, normalised so the last bar's prices
are those that traded: ``factor_i = (adj_close_i / close_i) / (adj_close_last /
close_last)``; open, high, low and close are multiplied by it and rounded to 6 decimals,
volume divided by it (dollar volume is unchanged). The last ratio must be known before the
first chunk goes out, so it is passed in (``scan_bars`` finds it) or found by a first
pass: a Parquet file's last rows (its last row group is decoded), or for CSV the whole
file once more with three columns converted, a second read (pass ``final_ratio`` to avoid
it). The same first pass infers the bar length when bars are stamped at their open and
``data.bar_seconds`` is 0.

Both functions open and check the file, and run any first pass, when called; the rows are
read as the returned iterator is consumed, and a bad row raises its ``DataError`` then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from tradeswarm.actors.market.bar_file import BarFile, Chunk
from tradeswarm.actors.market.bar_pass import BarPass, Rows
from tradeswarm.actors.market.bar_times import Clock
from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.scan import (
    NS_PER_SECOND,
    check_found,
    fields_for,
    inferred_bar_ns,
    open_for,
    refuse_missing,
)

__all__ = ["read_bars", "read_long_bars"]

DEFAULT_CHUNK_ROWS = 262_144


def read_bars(
    path: str | Path,
    symbol: str,
    layout: Layout,
    calendar: str | None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    final_ratio: float | None = None,
    bar_seconds: int | None = None,
) -> Iterator[BarColumns]:
    """The bars of ``symbol`` from its file, in chunks of at most ``chunk_rows`` bars.

    ``final_ratio`` and ``bar_seconds`` are a ``scan_bars`` result's, to skip the first
    pass. A file with a symbol column yields only ``symbol``'s rows.
    """
    ratios = {symbol: final_ratio} if final_ratio is not None else {}
    lengths = {symbol: bar_seconds} if bar_seconds else {}
    chunks = _read(path, [symbol], layout, calendar, chunk_rows, ratios, lengths, long=False)
    return (chunk[symbol] for chunk in chunks)


def read_long_bars(
    path: str | Path,
    symbols: Sequence[str],
    layout: Layout,
    calendar: str | None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    final_ratios: Mapping[str, float] | None = None,
    bar_seconds: Mapping[str, int] | None = None,
) -> Iterator[dict[str, BarColumns]]:
    """The bars of ``symbols`` from one file with a symbol column, chunk by chunk.

    Each chunk maps a symbol to its bars among the chunk's rows (symbols without rows in it
    are left out); rows of other symbols are skipped. A symbol absent from the file is a
    ``DataError`` naming the symbols found: when called if there is a first pass, else once
    the file is read.
    """
    lengths = {symbol: seconds for symbol, seconds in (bar_seconds or {}).items() if seconds}
    return _read(
        path, symbols, layout, calendar, chunk_rows, dict(final_ratios or {}), lengths, long=True
    )


def _read(
    path: str | Path,
    symbols: Sequence[str],
    layout: Layout,
    calendar: str | None,
    chunk_rows: int,
    ratios: dict[str, float],
    seconds: dict[str, int],
    *,
    long: bool,
) -> Iterator[dict[str, BarColumns]]:
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows is {chunk_rows}; read at least one row at a time")
    bar_file, clock, by_column = open_for(path, symbols, layout, calendar, long=long)
    lengths = {symbol: seconds * NS_PER_SECOND for symbol, seconds in seconds.items()}
    if layout.bar_seconds:
        lengths = {symbol: layout.bar_seconds * NS_PER_SECOND for symbol in symbols}
    need_ratios = layout.adjust == "back" and not ratios.keys() >= set(symbols)
    need_lengths = not clock.daily and layout.stamp == "open" and not lengths.keys() >= set(symbols)
    if need_ratios or need_lengths:
        first = _first_pass(
            bar_file, clock, symbols, layout, calendar, by_column, need_lengths, chunk_rows
        )
        ratios = {**first[0], **ratios}
        lengths = {**first[1], **lengths}
    main = BarPass(
        bar_file, clock, symbols, layout, calendar, by_column=by_column, bar_ns=lengths or None
    )
    chunks = bar_file.chunks(fields_for(layout, by_column), chunk_rows)
    adjusting = layout.adjust == "back"
    return _stream(main, chunks, ratios if adjusting else {})


def _stream(
    main: BarPass, chunks: Iterator[Chunk], ratios: dict[str, float]
) -> Iterator[dict[str, BarColumns]]:
    for rows_by_symbol in main.run(chunks):
        bars = {
            symbol: _bar_columns(symbol, rows, ratios.get(symbol))
            for symbol, rows in rows_by_symbol.items()
            if len(rows.file_rows)
        }
        if bars:
            yield bars
    check_found(main)


def _first_pass(
    bar_file: BarFile,
    clock: Clock,
    symbols: Sequence[str],
    layout: Layout,
    calendar: str | None,
    by_column: bool,
    need_lengths: bool,
    chunk_rows: int,
) -> tuple[dict[str, float], dict[str, int]]:
    """Each symbol's last ``adj_close / close`` and, if asked, its inferred bar length.

    Reads only the timestamp, close, adj_close (and symbol) columns; a Parquet file is read
    from its end backwards, chunk by chunk, until every symbol's last bar is found.
    """
    fields = ["timestamp", "close", "adj_close"] if layout.adjust == "back" else ["timestamp"]
    fields += ["symbol"] if by_column else []
    if bar_file.file.format == "parquet" and not need_lengths:
        return _last_ratios(bar_file, clock, symbols, layout, calendar, by_column, fields), {}
    first = BarPass(
        bar_file, clock, symbols, layout, calendar, by_column=by_column, count_gaps=need_lengths
    )
    for _ in first.run(bar_file.chunks(fields, chunk_rows)):
        pass
    check_found(first)
    ratios = {s: t.final_ratio for s, t in first.tracks.items() if t.final_ratio is not None}
    lengths = {s: inferred_bar_ns(bar_file, s, first.tracks[s]) for s in symbols if need_lengths}
    return ratios, lengths


def _last_ratios(
    bar_file: BarFile,
    clock: Clock,
    symbols: Sequence[str],
    layout: Layout,
    calendar: str | None,
    by_column: bool,
    fields: list[str],
) -> dict[str, float]:
    ratios: dict[str, float] = {}
    found: set[str] = set()
    for chunk in bar_file.chunks_from_the_end(fields):
        group = BarPass(bar_file, clock, symbols, layout, calendar, by_column=by_column)
        for _ in group.run([chunk]):
            pass
        found |= group.symbols_found
        for symbol, track in group.tracks.items():
            if symbol not in ratios and track.final_ratio is not None:
                ratios[symbol] = track.final_ratio
        if ratios.keys() >= set(symbols):
            return ratios
    kept = {symbol: int(symbol in ratios) for symbol in symbols}
    refuse_missing(bar_file, calendar, found if by_column else None, kept)  # raises
    return ratios


def _bar_columns(symbol: str, rows: Rows, final_ratio: float | None) -> BarColumns:
    numbers = rows.numbers
    o, h, lo, c = (numbers[name] for name in ("open", "high", "low", "close"))
    volume = numbers["volume"]
    if final_ratio is not None:
        factor = numbers["adj_close"] / c / final_ratio
        o, h, lo, c = (np.round(column * factor, 6) for column in (o, h, lo, c))
        volume = volume / factor
    assert rows.closes is not None  # a full pass knows every bar length
    return BarColumns(
        symbol=symbol, ts_ns=rows.closes, open=o, high=h, low=lo, close=c, volume=volume
    )

"""A scenario's ``[data]`` as the ``BarSource`` the market data streams, every file scanned.

Why a scan here: a bad row must stop the run before any actor starts, naming its line,
not an hour into a replay; and the readers need two things only a whole pass can know
(each symbol's last ``adj_close / close`` and its bar length). The scan keeps no bars, so
a ten-million-row file costs a pass, not its size in memory; the market data then reads
each file once more, streaming. Scans are cached per process by the file's identity
(path, modification time, size) and the reading options: a sweep's worker scans a file
once for all its variants.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import msgspec

from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.config import BarSource, FileSource, SyntheticSource
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.scan import ScanResult, scan_bars
from tradeswarm.actors.market.synthetic import session_minute_timestamps
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario

__all__ = ["bar_source", "data_paths", "layout_of"]


def bar_source(scenario: Scenario) -> tuple[BarSource, int]:
    """The run's source and how many bars it holds; a ``UserError`` naming the file and the
    line, or the key, when anything is wrong."""
    data = scenario.data
    calendar = data.calendar or None
    if data.source == "synthetic":
        try:
            session_minute_timestamps(data.start, data.bars_per_symbol, calendar or "XNYS")
        except ValueError as error:
            raise UserError(f"{scenario.path}: key 'data.start': {error}") from None
        source = SyntheticSource(
            symbols=tuple(data.symbols),
            bars_per_symbol=data.bars_per_symbol,
            seed=scenario.run.seed,
            start=data.start,
            start_price=data.start_price,
            drift=data.drift,
            volatility=data.volatility,
            calendar=data.calendar or "XNYS",
        )
        return source, data.bars_per_symbol * len(data.symbols)
    layout = layout_of(scenario)
    paths = data_paths(scenario)
    by_path: dict[str, list[str]] = {}
    for symbol, path in paths.items():
        by_path.setdefault(path, []).append(symbol)
    ratios: dict[str, float] = {}
    lengths: dict[str, int] = {}
    bars = 0
    for path, symbols in by_path.items():
        scan = _scan(path, symbols, layout, calendar)
        for symbol in symbols:
            found = scan.symbols[symbol]
            bars += found.rows
            if found.final_ratio is not None:
                ratios[symbol] = found.final_ratio
            if found.bar_seconds:
                lengths[symbol] = found.bar_seconds
    return FileSource(paths=paths, layout=layout, final_ratios=ratios, bar_seconds=lengths), bars


def layout_of(scenario: Scenario) -> Layout:
    data = scenario.data
    adjust = data.adjust if isinstance(data.adjust, str) else ("back" if data.adjust else "none")
    try:
        return Layout(
            format=data.format,
            columns=dict(data.columns),
            timezone=data.timezone,
            stamp=data.stamp,
            bar_seconds=data.bar_seconds,
            outside_sessions=data.outside_sessions,
            adjust=adjust,
        )
    except ValueError as error:  # the message names the key: data.timezone, ...
        raise UserError(f"{scenario.path}: {error}") from None


def data_paths(scenario: Scenario) -> dict[str, str]:
    """Each symbol's file: ``data.path`` with ``{symbol}`` filled in, relative to the
    scenario's folder; a path without ``{symbol}`` is one file holding every symbol."""
    template = scenario.data.path
    try:
        fields = [
            field for _, field, _, _ in string.Formatter().parse(template) if field is not None
        ]
    except ValueError as error:
        raise UserError(
            f"{scenario.path}: key 'data.path' is {template!r}: {error}; write a literal "
            "brace as {{ or }}"
        ) from None
    unknown = sorted({field for field in fields if field != "symbol"})
    if unknown:
        raise UserError(
            f"{scenario.path}: key 'data.path' is {template!r}, with the unknown placeholder "
            f"{{{unknown[0]}}}; the only placeholder is {{symbol}}"
        )
    paths = {}
    for symbol in scenario.data.symbols:
        path = Path(template.format(symbol=symbol))
        paths[symbol] = str(path if path.is_absolute() else scenario.folder / path)
    return paths


def _scan(path: str, symbols: Sequence[str], layout: Layout, calendar: str | None) -> ScanResult:
    names: str | tuple[str, ...] = symbols[0] if len(symbols) == 1 else tuple(symbols)
    try:
        stat = Path(path).stat()
    except OSError:  # the scan says what is wrong, in its words
        return _scan_uncached(path, names, layout, calendar)
    key = msgspec.json.encode(layout)
    return _cached_scan(path, stat.st_mtime_ns, stat.st_size, names, key, calendar)


@lru_cache(maxsize=256)
def _cached_scan(
    path: str,
    mtime_ns: int,
    size: int,
    symbols: str | tuple[str, ...],
    layout_key: bytes,
    calendar: str | None,
) -> ScanResult:
    return _scan_uncached(path, symbols, msgspec.json.decode(layout_key, type=Layout), calendar)


def _scan_uncached(
    path: str, symbols: str | tuple[str, ...], layout: Layout, calendar: str | None
) -> ScanResult:
    try:
        return scan_bars(path, symbols, layout, calendar)
    except DataError as error:
        raise UserError(str(error)) from None

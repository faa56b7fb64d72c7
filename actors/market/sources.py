"""Where a run's bars come from, as data: a source travels to the market-data process as
msgpack and is loaded there (``load_bars``), so no process but that one holds the bars.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from tradeswarm.actors.market.bars import BarColumns
from tradeswarm.actors.market.csv_bars import load_csv_bars
from tradeswarm.actors.market.synthetic import synthetic_minute_bars


class CsvSource(msgspec.Struct, frozen=True, kw_only=True, tag="csv"):
    """Daily bars from one CSV file per symbol."""

    paths: dict[str, str]
    adjust: bool = True


class SyntheticSource(msgspec.Struct, frozen=True, kw_only=True, tag="synthetic"):
    """Seeded geometric Brownian motion minute bars inside a calendar's sessions."""

    symbols: tuple[str, ...]
    bars_per_symbol: int
    seed: int
    start: str = "2024-01-02"
    start_price: float = 100.0
    drift: float = 0.05
    volatility: float = 0.2
    calendar: str = "XNYS"


BarSource = CsvSource | SyntheticSource


def load_bars(source: BarSource) -> dict[str, BarColumns]:
    if isinstance(source, CsvSource):
        return {
            symbol: load_csv_bars(Path(path), symbol, adjust=source.adjust)
            for symbol, path in source.paths.items()
        }
    return synthetic_minute_bars(
        source.symbols,
        source.bars_per_symbol,
        seed=source.seed,
        start=source.start,
        start_price=source.start_price,
        drift=source.drift,
        volatility=source.volatility,
        calendar=source.calendar,
    )

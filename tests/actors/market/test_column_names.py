"""Column names: vendors' spellings found by alias in any order, explicit names for the rest,
and every missing column reported at once with the columns found."""

from __future__ import annotations

import pytest

from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.column_names import normalise, resolve_columns
from tradeswarm.actors.market.layout import Layout


def resolve(
    names: list[str], layout: Layout | None = None, need_symbol: bool = False
) -> dict[str, str]:
    return resolve_columns(
        "f.csv", names, layout or Layout(), need_symbol=need_symbol, header_line=True
    )


def test_case_spaces_underscores_and_dashes_do_not_matter() -> None:
    assert {normalise(name) for name in ("Adj Close", "adj_close", "ADJ-CLOSE", " adjClose")} == {
        "adjclose"
    }


@pytest.mark.parametrize(
    ("header", "timestamp", "adj_close", "volume"),
    [
        (
            ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"],
            "Date",
            "Adj Close",
            "Volume",
        ),
        (
            ["datetime", "open", "high", "low", "close", "adjusted_close", "vol"],
            "datetime",
            "adjusted_close",
            "vol",
        ),
        (["TS", "OPEN", "HIGH", "LOW", "CLOSE", "AdjClose", "VOLUME"], "TS", "AdjClose", "VOLUME"),
        (
            ["volume", "Adjusted Close", "close", "low", "high", "open", "Time"],
            "Time",
            "Adjusted Close",
            "volume",
        ),
    ],
)
def test_the_usual_aliases_are_found_in_any_order(
    header: list[str], timestamp: str, adj_close: str, volume: str
) -> None:
    names = resolve(header)
    assert (names["timestamp"], names["adj_close"], names["volume"]) == (
        timestamp,
        adj_close,
        volume,
    )
    assert names["close"].lower() == "close"  # never the adjusted close


def test_a_symbol_or_ticker_column_is_found_and_extra_columns_ignored() -> None:
    names = resolve(
        ["ticker", "date", "open", "high", "low", "close", "volume", "adj_close", "vwap"]
    )
    assert names["symbol"] == "ticker"
    assert "vwap" not in names.values()


def test_an_explicit_name_wins_over_an_alias() -> None:
    header = ["date", "open", "high", "low", "close", "last", "volume", "adj_close"]
    names = resolve(header, Layout(columns={"close": "last"}))
    assert names["close"] == "last"


def test_every_missing_column_is_named_in_one_error_with_the_columns_found() -> None:
    with pytest.raises(DataError) as raised:
        resolve(["Date", "Open", "Close"])
    assert str(raised.value) == (
        "f.csv:1: no column for high, low, volume (the file's columns are 'Date', 'Open', "
        "'Close'); name them in [data.columns], e.g. high = \"<column>\""
    )


def test_a_long_file_without_a_symbol_column_is_refused() -> None:
    header = ["date", "open", "high", "low", "close", "volume"]
    with pytest.raises(DataError, match="no column for symbol"):
        resolve(header, Layout(adjust="none"), need_symbol=True)

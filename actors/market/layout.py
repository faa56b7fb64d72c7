"""How a bar file is laid out: the ``[data]`` options that say how to read the files users have.

A ``Layout`` is a msgspec Struct because the runner validates the scenario in one process
and the market-data process reads the files: the options travel between them as msgpack.
Defaults fit the common case, a vendor file with dated or offset-stamped rows. Invalid
options raise ``ValueError`` naming the scenario key (``data.timezone``...), so a typo is
reported against the configuration, not later against a file.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

__all__ = ["CANONICAL_COLUMNS", "Layout"]

CANONICAL_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume", "adj_close", "symbol")


class Layout(msgspec.Struct, frozen=True, kw_only=True):
    """The reading options of one data set; every field has a default.

    * ``format``: ``"auto"`` decides by the file's first bytes (``PAR1`` Parquet, gzip,
      else CSV text); ``"csv"`` (plain or gzip) and ``"parquet"`` insist, and a file of the
      other kind is an error that says so.
    * ``columns``: canonical name -> the file's column name, for names the aliases miss.
    * ``timezone``: the IANA zone of timestamps that carry a time but no UTC offset.
    * ``stamp``: whether an intraday timestamp names the bar's open or its close.
    * ``bar_seconds``: the bar length, used to stamp ``"open"`` bars at their close;
      0 infers it (the most common gap between timestamps). Daily bars ignore it.
    * ``outside_sessions``: a bar outside the calendar's sessions is an ``"error"``, or
      is dropped (``"drop"``), for files that carry pre-market or holiday rows.
    * ``adjust``: ``"back"`` scales prices by ``adj_close / close`` so a split is not a
      crash; ``"none"`` keeps the prices as traded.
    """

    format: Literal["auto", "csv", "parquet"] = "auto"
    columns: dict[str, str] = msgspec.field(default_factory=dict)
    timezone: str = ""
    stamp: Literal["open", "close"] = "open"
    bar_seconds: int = 0
    outside_sessions: Literal["error", "drop"] = "error"
    adjust: Literal["none", "back"] = "back"

    def __post_init__(self) -> None:
        # Also runs when msgspec decodes a Layout, so a bad option never reaches a reader.
        unknown = sorted(set(self.columns) - set(CANONICAL_COLUMNS))
        if unknown:
            raise ValueError(
                f"data.columns names {', '.join(map(repr, unknown))}, not a column the "
                f"reader knows; use {', '.join(CANONICAL_COLUMNS)}"
            )
        if self.bar_seconds < 0:
            raise ValueError(
                f"data.bar_seconds is {self.bar_seconds}; give the bar length in seconds, "
                "or 0 to infer it from the timestamps"
            )
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"data.timezone is {self.timezone!r}, not an IANA time zone; use a name "
                    "such as 'America/New_York' or 'UTC'"
                ) from None

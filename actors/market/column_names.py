"""Which of a file's columns holds each canonical field (``timestamp``, ``open``...).

Vendors spell the same field many ways (``Date``, ``Adj Close``, ``adjusted_close``), so names
are matched case-insensitively, ignoring spaces, underscores and dashes, against the usual
aliases; ``Layout.columns`` names the rest. Order and extra columns do not matter. Every
missing column is reported in one error, with the columns that were found, because fixing
them one run at a time is the slow way to learn a file's layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tradeswarm.actors.market.bars import DataError
from tradeswarm.actors.market.layout import Layout

__all__ = ["PRICE_COLUMNS", "REQUIRED_COLUMNS", "normalise", "resolve_columns"]

PRICE_COLUMNS = ("open", "high", "low", "close")
REQUIRED_COLUMNS = ("timestamp", *PRICE_COLUMNS, "volume")

_ALIASES = {
    "timestamp": ("date", "datetime", "timestamp", "time", "ts"),
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "close": ("close",),
    "volume": ("vol", "volume"),
    "adj_close": ("adjclose", "adjustedclose"),
    "symbol": ("symbol", "ticker"),
}
_IGNORED = re.compile(r"[\s_\-]+")


def normalise(name: str) -> str:
    """``"Adj Close"``, ``"adj_close"`` and ``"ADJ-CLOSE"`` all become ``"adjclose"``."""
    return _IGNORED.sub("", name).lower()


def _where(path: str, header_line: bool) -> str:
    return f"{path}:1" if header_line else path


def _found(names: Sequence[str]) -> str:
    return ", ".join(map(repr, names)) or "none"


def _mapped(path: str, names: Sequence[str], layout: Layout, header_line: bool) -> dict[str, str]:
    """The columns ``layout.columns`` names, each checked to exist (exactly, else normalised)."""
    resolved = {}
    for canonical, wanted in layout.columns.items():
        matches = [name for name in names if name == wanted] or [
            name for name in names if normalise(name) == normalise(wanted)
        ]
        if len(matches) != 1:
            raise DataError(
                f"{_where(path, header_line)}: data.columns maps {canonical} to {wanted!r}, "
                f"which is not one column of the file (its columns are {_found(names)}); "
                "fix [data.columns]"
            )
        resolved[canonical] = matches[0]
    return resolved


def _by_alias(path: str, names: Sequence[str], canonical: str, header_line: bool) -> str | None:
    matches = [name for name in names if normalise(name) in _ALIASES[canonical]]
    if len(matches) > 1:
        raise DataError(
            f"{_where(path, header_line)}: columns {_found(matches)} could each be "
            f"{canonical}; name the one to use in [data.columns], e.g. "
            f'{canonical} = "{matches[0]}"'
        )
    return matches[0] if matches else None


def resolve_columns(
    path: str,
    names: Sequence[str],
    layout: Layout,
    *,
    need_symbol: bool,
    header_line: bool,
) -> dict[str, str]:
    """Canonical name -> the file's column, for every canonical field the file has.

    The timestamp, prices and volume are required; ``adj_close`` too when ``layout.adjust``
    is ``"back"`` (adjusting silently by nothing is how a split becomes a false crash), and
    ``symbol`` when the file holds several symbols. ``header_line`` says whether the names
    come from line 1 of a text file, which the error then names.
    """
    resolved = _mapped(path, names, layout, header_line)
    for canonical in _ALIASES:
        if canonical not in resolved:
            found = _by_alias(path, names, canonical, header_line)
            if found is not None and found not in resolved.values():
                resolved[canonical] = found
    where = _where(path, header_line)
    missing = [name for name in REQUIRED_COLUMNS if name not in resolved]
    if need_symbol and "symbol" not in resolved:
        missing.append("symbol")
    if missing:
        raise DataError(
            f"{where}: no column for {', '.join(missing)} (the file's columns are "
            f'{_found(names)}); name them in [data.columns], e.g. {missing[0]} = "<column>"'
        )
    if layout.adjust == "back" and "adj_close" not in resolved:
        raise DataError(
            f"{where}: no adj_close column (the file's columns are {_found(names)}) and "
            'data.adjust is "back"; set adjust = "none" if the prices need no adjustment, '
            'or name the adjusted close in [data.columns], e.g. adj_close = "<column>"'
        )
    return resolved

"""PUB/SUB topics. Each ends in ``/``: subscription is a prefix match, and without the
separator ``bar/AAPL`` would also catch ``bar/AAPLX``."""

from __future__ import annotations

BAR_PREFIX = b"bar/"
CLOCK = b"clock/"


def bar_topic(symbol: str) -> bytes:
    return BAR_PREFIX + symbol.encode() + b"/"

"""PUB/SUB topics. Each ends in ``/``: subscription is a prefix match, and without the
separator ``bar/AAPL`` would also catch ``bar/AAPLX``."""

from __future__ import annotations

BAR_PREFIX = b"bar/"
CLOCK = b"clock/"
# A restarted host subscribes to its own, after its bars and the clock; when the market data
# sees that subscription, the others of that socket are in force, and it re-sends there
# what the host may have missed (``messages.recovery``).
WELCOME_PREFIX = b"welcome/"


def bar_topic(symbol: str) -> bytes:
    return BAR_PREFIX + symbol.encode() + b"/"


def welcome_topic(host: str) -> bytes:
    return WELCOME_PREFIX + host.encode() + b"/"

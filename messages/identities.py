"""Who is who on the wire: the names actors report under and the identities replies are
routed by.

Every part of the swarm must agree on these strings (the runner waits for each name, the
router routes by each identity), so they are defined once, beside the messages.
"""

from __future__ import annotations

BROKER_NAME = "broker"
MARKET_DATA_NAME = "market_data"
ROUTER_NAME = "router"


def instrument_name(symbol: str) -> str:
    """The name an instrument reports under to the runner, whichever host runs it."""
    return f"instrument/{symbol}"


def host_identity(host: str) -> bytes:
    """The DEALER identity of an instrument host: the router routes its replies by it."""
    return f"inst/{host}".encode()

"""Who is who on the wire: the names actors report under and the identities replies are
routed by.

Every part of the swarm must agree on these strings (the runner waits for each name, the
router routes by each identity), so they are defined once, beside the messages.
"""

from __future__ import annotations

BROKER_NAME = "broker"
MARKET_DATA_NAME = "market_data"
ROUTER_NAME = "router"
# The router's two links to the broker: the run's own requests, and the read-only state
# socket's, which may carry nothing but state requests.
ROUTER_LINK_IDENTITY = b"router"
STATE_LINK_IDENTITY = b"router/state"


def instrument_name(symbol: str) -> str:
    """The name an instrument reports under to the runner, whichever host runs it."""
    return f"instrument/{symbol}"


def host_identity(host: str) -> bytes:
    """The DEALER identity of an instrument host: the router routes its replies by it."""
    return f"inst/{host}".encode()

"""The order-router actor: carries requests from instruments (and tools) to the broker,
and the broker's replies back, routed by the sender's identity.

It checks that every request decodes before forwarding it, so garbage sent to the
router's socket is counted here and never reaches the broker. A message may carry
several bodies (one frame each): senders batch what one poll cycle produced, which
divides the number of socket operations on the clock's critical path.
"""

from __future__ import annotations

import logging

import zmq

from actors.socket_actor import SocketActor
from messages import Endpoints

log = logging.getLogger(__name__)

ROUTER_NAME = "router"


class OrderRouterActor(SocketActor):
    def __init__(self, *, endpoints: Endpoints, zmq_context: zmq.Context | None = None) -> None:
        super().__init__(ROUTER_NAME, endpoints, zmq_context)
        self.counters.update(forwarded=0, replies=0, unroutable=0)

    def open_sockets(self) -> None:
        self._front = self.open(
            zmq.ROUTER,
            bind=self.endpoints.router,
            handler=self._on_front,
            options={zmq.ROUTER_MANDATORY: 1},
        )
        self._back = self.open(zmq.DEALER, connect=self.endpoints.broker, handler=self._on_back)

    def _on_front(self, frames: list[bytes]) -> None:
        """``[origin, body, body, ...]``: a sender batches what it has for the broker."""
        if len(frames) < 2:
            self.counters["malformed"] += 1
            log.warning("router: dropped a request with %d frames, expected 2 or more", len(frames))
            return
        origin = frames[0]
        sender = origin.decode(errors="replace")
        bodies = [body for body in frames[1:] if self.decode_or_count(body, sender) is not None]
        if bodies:
            self._back.send_multipart([origin, *bodies])
            self.counters["forwarded"] += len(bodies)

    def _on_back(self, frames: list[bytes]) -> None:
        if len(frames) < 2:
            self.counters["malformed"] += 1
            return
        try:
            self._front.send_multipart(frames)
            self.counters["replies"] += len(frames) - 1
        except zmq.ZMQError as error:  # EHOSTUNREACH: the recipient is gone
            self.counters["unroutable"] += 1
            log.warning("router: cannot deliver to %r: %s", frames[0], error)

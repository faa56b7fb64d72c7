"""The order-router actor: carries requests from instruments to the broker, and the
broker's replies back, routed by the sender's identity; and answers tools' state requests
on a read-only socket of its own.

The forwarding itself is ZeroMQ's built-in proxy, run in C on a thread of its own: every
order and every fill crosses the router on the clock's critical path (one broker ->
instrument -> broker round trip per bar with an order in flight), and a Python hop there
costs two GIL hand-offs each way. The actor opens and binds the proxy's sockets (so the
front one is a CURVE server whose refused handshakes it counts), starts, steers and stops
the proxy; the broker, the first to decode a request, counts and drops what is malformed
or not its sender's to send. The front drops a reply to a host that is not connected (one
being restarted) rather than use mandatory routing, whose first unroutable reply would
stop the C proxy: the broker keeps every reply it sent a host, and a restarted host asks
for those after its log (``ResumeRequest``), so nothing dropped there is lost.

The state socket is the only one a key outside the run's processes may open (the one
``tradeswarm state`` reads from the run folder): it takes trading-state requests and
nothing else, so that key cannot trade. A flood there is bounded by its high-water mark.
"""

from __future__ import annotations

import logging
import threading
import uuid

import zmq

from tradeswarm.actors.runtime.config import RouterConfig
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import Endpoints, TradingStateRequest
from tradeswarm.messages.identities import ROUTER_LINK_IDENTITY, STATE_LINK_IDENTITY
from tradeswarm.messages.link_keys import ROUTER, STATE, LinkKeys
from tradeswarm.messages.sockets import open_socket

log = logging.getLogger(__name__)

STATE_REQUESTS_QUEUED = 100  # a tool asks once; more waiting than this is a flood


class OrderRouterActor(SocketActor):
    def __init__(
        self,
        config: RouterConfig,
        *,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None = None,
        keys: LinkKeys | None = None,
    ) -> None:
        super().__init__(config.name, endpoints, zmq_context, keys)
        self._steer_endpoint = f"inproc://router-control-{uuid.uuid4().hex}"
        self._proxy: threading.Thread | None = None
        self._steer: zmq.Socket | None = None
        self.counters.update(state_requests=0)

    def open_sockets(self) -> None:
        endpoints = self.endpoints
        # A restarted host takes its identity over from its dead connection.
        front = self.open(
            zmq.ROUTER, bind=endpoints.router, domain=ROUTER, options={zmq.ROUTER_HANDOVER: 1}
        )
        back = self.open(zmq.DEALER, connect=endpoints.broker, identity=ROUTER_LINK_IDENTITY)
        self._state = self.open(
            zmq.ROUTER,
            bind=endpoints.state,
            domain=STATE,
            handler=self._on_state_request,
            options={zmq.RCVHWM: STATE_REQUESTS_QUEUED},
        )
        self._state_link = self.open(
            zmq.DEALER,
            connect=endpoints.broker,
            identity=STATE_LINK_IDENTITY,
            handler=self._on_state_reply,
        )
        self._steer = self.open(zmq.PAIR, bind=self._steer_endpoint)
        context = self._zmq_context or zmq.Context.instance()
        started = threading.Event()
        self._proxy = threading.Thread(
            target=self._run_proxy,
            args=(context, front, back, started),
            name="router-proxy",
            daemon=True,
        )
        self._proxy.start()
        started.wait()

    def _run_proxy(
        self, context: zmq.Context, front: zmq.Socket, back: zmq.Socket, started: threading.Event
    ) -> None:
        """The proxy thread drives ``front`` and ``back`` until steered to stop; the actor
        closes them once this thread has ended."""
        steer = open_socket(context, zmq.PAIR)
        try:
            steer.connect(self._steer_endpoint)
            started.set()
            zmq.proxy_steerable(front, back, None, steer)
        except zmq.ZMQError as error:
            if error.errno != zmq.ETERM:  # a context terminated at exit is a normal stop
                log.error("router: the proxy stopped: %s", error)
            started.set()
        finally:
            steer.close(linger=0)

    # -- the read-only state socket -------------------------------------------------------

    def _on_state_request(self, frames: list[bytes]) -> None:
        if len(frames) != 2:
            self.count_malformed(STATE, f"a request of {len(frames)} frames, expected 2")
            return
        origin, body = frames
        message = self.decode_or_count(body, STATE, origin)
        if isinstance(message, TradingStateRequest):
            self.counters["state_requests"] += 1
            self._state_link.send_multipart([origin, body])
        elif message is not None:
            self.refuse(STATE, f"{type(message).__name__} from a read-only client")

    def _on_state_reply(self, frames: list[bytes]) -> None:
        self._state.send_multipart(frames)

    # -- stopping -------------------------------------------------------------------------

    def on_stop(self) -> None:
        self._stop_proxy()
        super().on_stop()

    def on_failure(
        self, exception_type: object, exception_value: object, traceback: object
    ) -> None:
        self._stop_proxy()
        super().on_failure(exception_type, exception_value, traceback)

    def _stop_proxy(self) -> None:
        if self._steer is not None and self._proxy is not None:
            self._steer.send(b"TERMINATE")
            self._proxy.join(timeout=5)
            self._proxy = None

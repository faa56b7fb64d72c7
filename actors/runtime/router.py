"""The order-router actor: carries requests from instruments (and tools) to the broker,
and the broker's replies back, routed by the sender's identity.

The forwarding itself is ZeroMQ's built-in proxy, run in C on a thread of its own that
owns the two sockets: every order and every fill crosses the router on the clock's
critical path (one broker -> instrument -> broker round trip per bar with an order in
flight), and a Python hop there costs two GIL hand-offs each way. The actor starts,
steers and stops the proxy; the broker, the first to decode a request, counts and drops
what is malformed.
"""

from __future__ import annotations

import logging
import threading
import uuid

import zmq

from tradeswarm.actors.runtime.config import RouterConfig
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import Endpoints
from tradeswarm.messages.sockets import open_socket

log = logging.getLogger(__name__)


class OrderRouterActor(SocketActor):
    def __init__(
        self,
        config: RouterConfig,
        *,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None = None,
    ) -> None:
        super().__init__(config.name, endpoints, zmq_context)
        self._control_endpoint = f"inproc://router-control-{uuid.uuid4().hex}"
        self._proxy: threading.Thread | None = None
        self._steer: zmq.Socket | None = None

    def open_sockets(self) -> None:
        context = self._zmq_context or zmq.Context.instance()
        self._steer = self.open(zmq.PAIR, bind=self._control_endpoint)
        started = threading.Event()
        self._proxy = threading.Thread(
            target=self._run_proxy, args=(context, started), name="router-proxy", daemon=True
        )
        self._proxy.start()
        started.wait()

    def _run_proxy(self, context: zmq.Context, started: threading.Event) -> None:
        """The proxy thread: it opens, owns and closes the forwarding sockets."""
        front = open_socket(context, zmq.ROUTER)
        back = open_socket(context, zmq.DEALER)
        control = open_socket(context, zmq.PAIR)
        try:
            front.bind(self.endpoints.router)
            back.connect(self.endpoints.broker)
            control.connect(self._control_endpoint)
            started.set()
            zmq.proxy_steerable(front, back, None, control)
        except zmq.ZMQError as error:
            if error.errno != zmq.ETERM:  # a context terminated at exit is a normal stop
                log.error("router: the proxy stopped: %s", error)
            started.set()
        finally:
            for sock in (front, back, control):
                sock.close(linger=0)

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

"""A pykka actor that owns ZeroMQ sockets.

A ZeroMQ socket belongs to one thread. pykka runs ``on_start``, ``on_receive`` and
``on_stop`` in the actor's own thread (``__init__`` runs in the creator's), so sockets are
opened in ``on_start`` and driven by a poll loop: the actor tells itself ``_POLL``, polls
its sockets for at most ``IDLE_POLL_MS``, handles what came, and tells itself again. pykka
messages (a stop, a test's ``ask``) interleave between two polls.

Every actor also holds a DEALER to the runner's control ROUTER: it says ready, finished,
stopped or failed there, and takes ``StartRequest`` and ``ShutdownRequest`` from it.
Bytes that do not decode are logged, counted in ``counters["malformed"]`` and dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pykka
import zmq

from tradeswarm.messages import (
    ActorFailed,
    ActorReady,
    ActorStopped,
    AnyMessage,
    DecodeError,
    Endpoints,
    Heartbeat,
    Message,
    ShutdownRequest,
    StartRequest,
    decode,
    encode,
)
from tradeswarm.messages.sockets import open_socket

log = logging.getLogger(__name__)

IDLE_POLL_MS = 50
HEARTBEAT_SECONDS = 0.5
CONTROL_LINGER_MS = 1000
MAX_MESSAGES_PER_SOCKET = 256
_POLL = object()

FrameHandler = Callable[[list[bytes]], None]


class SocketActor(pykka.ThreadingActor):
    def __init__(self, name: str, endpoints: Endpoints, zmq_context: zmq.Context | None) -> None:
        super().__init__()
        self.name = name
        self.endpoints = endpoints
        self.counters: dict[str, int] = {"malformed": 0}
        self._zmq_context = zmq_context
        self._handlers: dict[zmq.Socket, FrameHandler] = {}
        self._sockets: list[zmq.Socket] = []
        self._poller = zmq.Poller()
        self._stopping = False
        self._control: zmq.Socket | None = None
        self._next_heartbeat = 0.0

    # -- hooks for subclasses -------------------------------------------------------------

    def open_sockets(self) -> None:
        """Open and bind/connect the actor's own sockets (runs in the actor's thread)."""

    def has_work(self) -> bool:
        """True while the actor can make progress without waiting for a socket."""
        return False

    def after_poll(self) -> None:
        """Make progress on what the handlers queued."""

    def on_start_request(self) -> None:
        """The runner released the swarm."""

    def on_shutdown_request(self) -> None:
        """Last words before this actor says it has stopped (its own counters follow)."""

    # -- plumbing -------------------------------------------------------------------------

    def open(
        self,
        kind: int,
        *,
        bind: str | None = None,
        connect: str | None = None,
        identity: bytes | None = None,
        handler: FrameHandler | None = None,
        options: dict[int, int] | None = None,
    ) -> zmq.Socket:
        """Options are set before bind/connect: some (XPUB_VERBOSE) only act on later peers."""
        context = self._zmq_context or zmq.Context.instance()
        sock = open_socket(context, kind, identity=identity)
        self._sockets.append(sock)
        for option, value in (options or {}).items():
            sock.setsockopt(option, value)
        if bind is not None:
            sock.bind(bind)
        if connect is not None:
            sock.connect(connect)
        if handler is not None:
            self._handlers[sock] = handler
            self._poller.register(sock, zmq.POLLIN)
        return sock

    def decode_or_count(self, data: bytes, origin: str) -> AnyMessage | None:
        try:
            return decode(data)
        except DecodeError as error:
            self.counters["malformed"] += 1
            log.warning("%s: dropped a malformed message from %s: %s", self.name, origin, error)
            return None

    def send_control(self, message: Message) -> None:
        if self._control is not None:
            self._control.send(encode(message))

    def on_start(self) -> None:
        self._control = self.open(
            zmq.DEALER,
            connect=self.endpoints.control,
            identity=self.name.encode(),
            handler=self._on_control,
        )
        # The last words (stopped, failed) must reach the runner even as the socket closes.
        self._control.setsockopt(zmq.LINGER, CONTROL_LINGER_MS)
        try:
            self.open_sockets()
        except Exception as error:
            # pykka stops an actor whose on_start raises without calling on_failure: say
            # it here, or the runner waits for a ready that never comes.
            user_error = bool(getattr(error, "user_error", False))
            reason = str(error) if user_error else f"failed to start: {error!r}"
            self.send_control(ActorFailed(actor=self.name, reason=reason, user_error=user_error))
            self._stopping = True
            self.stop()
            return
        self.send_control(ActorReady(actor=self.name))
        self.actor_ref.tell(_POLL)

    def on_receive(self, message: Any) -> Any:
        if message is _POLL:
            self._poll_once()
            if not self._stopping:
                self.actor_ref.tell(_POLL)
        return None

    def _poll_once(self) -> None:
        now = time.monotonic()
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + HEARTBEAT_SECONDS
            self.send_control(Heartbeat(actor=self.name))
        try:
            self._poll_handlers()
        except Exception as error:
            if not getattr(error, "user_error", False):
                raise  # ours: pykka's on_failure reports it, with its traceback
            # The user's code failed: one line, no trace through the actor machinery.
            self.send_control(ActorFailed(actor=self.name, reason=str(error), user_error=True))
            self._stopping = True
            self.stop()

    def _poll_handlers(self) -> None:
        ready = dict(self._poller.poll(0 if self.has_work() else IDLE_POLL_MS))
        for sock, handler in list(self._handlers.items()):
            if sock not in ready:
                continue
            for _ in range(MAX_MESSAGES_PER_SOCKET):
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                handler(frames)
                if self._stopping:
                    return
        self.after_poll()

    def _on_control(self, frames: list[bytes]) -> None:
        message = self.decode_or_count(frames[-1], "control")
        if isinstance(message, ShutdownRequest):
            self.on_shutdown_request()
            self.send_control(ActorStopped(actor=self.name, counters=dict(self.counters)))
            self._stopping = True
            self.stop()
        elif isinstance(message, StartRequest):
            self.on_start_request()

    def on_stop(self) -> None:
        self._close_sockets()

    def on_failure(self, exception_type: Any, exception_value: Any, traceback: Any) -> None:
        log.error("%s failed: %s", self.name, exception_value)
        try:
            self.send_control(ActorFailed(actor=self.name, reason=repr(exception_value)))
        finally:
            self._close_sockets()

    def _close_sockets(self) -> None:
        self._control = None
        self._handlers.clear()
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()

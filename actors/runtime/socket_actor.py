"""A pykka actor that owns ZeroMQ sockets.

A ZeroMQ socket belongs to one thread. pykka runs ``on_start``, ``on_receive`` and
``on_stop`` in the actor's own thread (``__init__`` runs in the creator's), so sockets are
opened in ``on_start`` and driven by a poll loop: the actor tells itself ``_POLL``, polls
its sockets for at most ``IDLE_POLL_MS``, handles what came, and tells itself again. pykka
messages (a stop, a test's ``ask``) interleave between two polls.

Every actor also holds a DEALER to the runner's control ROUTER: it says ready, finished,
stopped or failed there, and takes ``StartRequest`` and ``ShutdownRequest`` from it.

Given the run's keys, every socket the actor binds outside its process is a CURVE server
watched by a monitor that counts refused handshakes (``refused.<socket>``), and every
socket it connects is a CURVE client. Bytes that do not decode are counted
(``malformed`` and ``malformed.<socket>``) and dropped; so is a message its sender had
no right to send (``refused.<socket>``). The warnings are throttled and escaped: no peer
can flood stderr or write into the terminal.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import pykka
import zmq

from tradeswarm.actors.runtime.binding import (
    REFUSED_HANDSHAKES,
    bind_retrying,
    refused_handshake,
)
from tradeswarm.actors.runtime.throttled_log import ThrottledLog
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
from tradeswarm.messages.link_keys import LinkKeys, is_local, secure_client, secure_server
from tradeswarm.messages.printable import printable
from tradeswarm.messages.recovery import ResyncRequest
from tradeswarm.messages.sockets import DEFAULT_MAX_MESSAGE_BYTES, open_socket

log = logging.getLogger(__name__)

IDLE_POLL_MS = 50
HEARTBEAT_SECONDS = 0.5
CONTROL_LINGER_MS = 1000
MAX_MESSAGES_PER_SOCKET = 256
_POLL = object()
CRASH = object()  # told by the single topology's chaos: stop as a killed process would

FrameHandler = Callable[[list[bytes]], None]

_actor_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def actor_threads() -> list[threading.Thread]:
    """The threads this process's socket actors run in. pykka marks an actor stopped
    before its ``on_stop`` has closed its sockets, and they are daemon threads: whoever
    terminates the ZeroMQ context joins these first, or an ``on_stop`` still sending
    meets a terminated context."""
    return list(_actor_threads)


class SocketActor(pykka.ThreadingActor):
    # A thread stuck in a user's strategy (or a send that never returns) must not keep the
    # process from exiting once the run has failed and said so: the runner stops every
    # actor it can and waits for it, and abandons only one that cannot stop.
    use_daemon_thread = True

    def __init__(
        self,
        name: str,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None,
        keys: LinkKeys | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self.endpoints = endpoints
        self.keys = keys
        self.warnings = ThrottledLog(log)
        self.counters: dict[str, int] = {"malformed": 0}
        self._zmq_context = zmq_context
        self._handlers: dict[zmq.Socket, FrameHandler] = {}
        self._sockets: list[zmq.Socket] = []
        self._poller = zmq.Poller()
        self._stopping = False
        self._crashed = False
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

    def on_resync_request(self) -> None:
        """A peer was restarted and needs to hear from this actor again."""

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
        domain: str = "",
        max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> zmq.Socket:
        """Options are set before bind/connect: some (XPUB_VERBOSE) only act on later peers.
        ``domain`` names a bound socket: its key set and its counters."""
        context = self._zmq_context or zmq.Context.instance()
        sock = open_socket(context, kind, identity=identity, max_bytes=max_bytes)
        self._sockets.append(sock)
        for option, value in (options or {}).items():
            sock.setsockopt(option, value)
        if bind is not None:
            if self.keys is not None and not is_local(bind):
                self.guard(sock, domain)
            bind_retrying(sock, bind)
        if connect is not None:
            if self.keys is not None and not is_local(connect):
                keys = self.keys
                secure_client(sock, keys.server_public, keys.client_public, keys.client_secret)
            sock.connect(connect)
        if handler is not None:
            self._handlers[sock] = handler
            self._poller.register(sock, zmq.POLLIN)
        return sock

    def guard(self, sock: zmq.Socket, domain: str) -> None:
        """Make ``sock`` (not yet bound) a CURVE server for ``domain`` and count the
        handshakes it refuses. Also for sockets another thread drives (the router's)."""
        assert self.keys is not None and domain, "a bound socket needs the keys and a domain"
        secure_server(sock, self.keys.server_public, self.keys.server_secret, domain)
        monitor = sock.get_monitor_socket(REFUSED_HANDSHAKES)
        monitor.setsockopt(zmq.LINGER, 0)
        self._sockets.insert(0, monitor)  # closed first: it watches the others
        self.counters[f"refused.{domain}"] = 0
        self._handlers[monitor] = lambda frames: self._on_refused_handshake(domain, frames)
        self._poller.register(monitor, zmq.POLLIN)

    def _on_refused_handshake(self, domain: str, frames: list[bytes]) -> None:
        self.refuse(domain, f"a connection: {refused_handshake(frames)}")

    def refuse(self, socket: str, what: str) -> None:
        """Count and report (throttled) something ``socket`` would not take."""
        key = f"refused.{socket}"
        self.counters[key] = self.counters.get(key, 0) + 1
        self.warnings.warning(key, f"{self.name}: refused {what} on {socket}")

    def decode_or_count(self, data: bytes, socket: str, sender: bytes = b"") -> AnyMessage | None:
        try:
            return decode(data)
        except DecodeError as error:
            self.count_malformed(socket, f"{error}", sender)
            return None

    def count_malformed(self, socket: str, what: str, sender: bytes = b"") -> None:
        key = f"malformed.{socket}"
        self.counters["malformed"] += 1
        self.counters[key] = self.counters.get(key, 0) + 1
        origin = f" from {printable(sender)}" if sender else ""
        self.warnings.warning(
            key, f"{self.name}: dropped a malformed message on {socket}{origin}: {printable(what)}"
        )

    def send_control(self, message: Message) -> None:
        if self._control is not None:
            self._control.send(encode(message))

    def on_start(self) -> None:
        _actor_threads.add(threading.current_thread())
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
        elif message is CRASH:
            # No goodbye, and what the sockets still hold is discarded (linger 0).
            self._crashed = True
            self._stopping = True
            self.stop()
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
        elif isinstance(message, ResyncRequest):
            self.on_resync_request()

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
        linger = 0 if self._crashed else None
        for sock in self._sockets:
            sock.close(linger=linger)
        self._sockets.clear()

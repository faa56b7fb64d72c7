"""What the broker takes through the router: the intake half of ``BrokerActor``
(``actors.broker.actor.broker_actor``), which builds on it.

Every request is decoded here first, so this is where a malformed one is counted and
dropped, and one its sender has no right to send is refused: an order, cancel, replace or
clock report only from the host of its symbol (``Admission``), each ``(symbol, seq)``
once; a resume or a word on what a host's log holds (``RepliesLogged``) only from that
host; a state request from anyone on the router's read-only link, answered at once.
Requests are logged (``REQUESTS``) before they are taken, so a restart replays them.
"""

from __future__ import annotations

import msgspec

from tradeswarm.actors.broker.actor.rejoin import REQUESTS, BrokerRecovery
from tradeswarm.actors.broker.admission import Request, Verdict
from tradeswarm.messages import OrderRequest, StepDone, TradingStateRequest, encode
from tradeswarm.messages.identities import STATE_LINK_IDENTITY
from tradeswarm.messages.printable import printable
from tradeswarm.messages.recovery import RepliesLogged, ResumeRequest


class BrokerIntake(BrokerRecovery):
    def _on_request(self, frames: list[bytes]) -> None:
        if len(frames) < 3:
            self.count_malformed("broker", f"a request of {len(frames)} frames, expected 3")
            return
        link, origin = frames[0], frames[1]
        if link == STATE_LINK_IDENTITY:
            for body in frames[2:]:
                self._on_state_request(origin, body)
            return
        self._router_identity = link
        if self._input_log is not None and not self._replaying:  # encoded only to be logged
            self._input_log.append(REQUESTS, msgspec.msgpack.encode(frames[1:]))
        for body in frames[2:]:
            self._on_request_message(origin, body)

    def _on_state_request(self, origin: bytes, body: bytes) -> None:
        """The router's read-only state socket: a state request is all it may carry. The
        answer leaves at once, beside the run's own replies, on the link it came by."""
        message = self.decode_or_count(body, "state", origin)
        if isinstance(message, TradingStateRequest):
            snapshot = encode(self.engine.book.snapshot(message.request_id))
            self._send_if_connected([STATE_LINK_IDENTITY, origin, snapshot])
        elif message is not None:
            self.refuse("state", f"{type(message).__name__} from a read-only client")

    def _on_request_message(self, origin: bytes, body: bytes) -> None:
        message = self.decode_or_count(body, "broker", origin)
        if isinstance(message, StepDone):
            self.counters["step_reports"] += 1
            if self._admission.entitled(origin, message.sender):
                self._take_step_done(message.sender, self._admission.report(message))
            else:
                self._not_entitled(origin, message.sender, message)
        elif isinstance(message, Request):
            verdict = self._admission.request(origin, message)
            if verdict is Verdict.TAKE:
                self.engine.take_request(message)
                self.counters["orders"] += isinstance(message, OrderRequest)
                self._take_step_done(message.symbol, self._admission.released(message.symbol))
            elif verdict is Verdict.DUPLICATE:
                self.counters["duplicate_requests"] = self._admission.duplicates
            else:
                self._not_entitled(origin, message.symbol, message)
        elif isinstance(message, ResumeRequest):
            if not self._replaying:  # a resume answered before the kill is not replayed
                self._resume(origin, message)
                self._awaiting_hosts.discard(origin)
        elif isinstance(message, RepliesLogged):
            if self._from_host(origin, message.host):
                self._outbox.history.forget(origin, message.replies)
            else:
                self._not_entitled(origin, message.host, message)
        elif isinstance(message, TradingStateRequest):
            self._outbox.add(origin, encode(self.engine.book.snapshot(message.request_id)))
        elif message is not None:
            self.count_malformed("broker", f"an unexpected {type(message).__name__}", origin)

    def _take_step_done(self, symbol: str, through_ts_ns: int | None) -> None:
        """None: the report waits for a request it covers (one was lost on the way)."""
        if through_ts_ns is not None:
            self.engine.take_step_done(symbol, through_ts_ns)

    def _not_entitled(self, origin: bytes, symbol: str, message: object) -> None:
        self.counters["unknown_senders"] += 1
        what = f"{type(message).__name__} for {printable(symbol)} from {printable(origin)}"
        self.refuse("broker", what)

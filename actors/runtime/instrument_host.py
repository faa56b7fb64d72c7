"""The pykka actor that runs a shard's instruments on one thread and owns their sockets.

Why one thread for many instruments: an instrument spends microseconds on a bar, while a
thread per instrument pays a GIL hand-off and a socket wake-up for every message, and
makes the broker wait for each instrument's reply separately. A host takes the bars of
all its symbols on one SUB socket and speaks to the broker on one DEALER, so the replies
of all its instruments to one clock step leave as one message. Each instrument keeps its
own state, FSM, clock and counters (``actors.runtime.instrument``), and reports as itself
(``instrument/<symbol>``) to the runner.

Recovery: the host logs every input it hands its instruments, and every decision point,
to its input log (``actors.runtime.input_log``) before anything they caused leaves, and
now and then checkpoints its instruments (``actors.runtime.checkpoint``). Started with
``recover``, it loads the checkpoint and replays the log after it, sends again what the replay
produced (the broker drops what it already took), and catches up on what it missed: the
broker's replies after the ones it logged, and the chunks the broker has not passed,
re-sent by the market data on the host's welcome topic. It decides nothing new until both
have come, then tells the runner it is back.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import zmq

from tradeswarm.actors.fsm.context import Account
from tradeswarm.actors.runtime.catch_up import MarketFeed, StreamPosition
from tradeswarm.actors.runtime.checkpoint import Checkpoints
from tradeswarm.actors.runtime.config import InstrumentHostConfig
from tradeswarm.actors.runtime.input_log import BARS, BROKER, InputLog, read_input_log
from tradeswarm.actors.runtime.instrument import Instrument
from tradeswarm.actors.runtime.order_path_chaos import OrderPathChaos
from tradeswarm.actors.runtime.socket_actor import SocketActor
from tradeswarm.messages import (
    ActorFinished,
    ActorStopped,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    Endpoints,
    Fill,
    Message,
    OrderAck,
    OrderCancelled,
    OrderReject,
    PeerSignal,
    decode,
    encode,
    host_identity,
)
from tradeswarm.messages.link_keys import LinkKeys
from tradeswarm.messages.recovery import (
    ActorRecovered,
    Reconciled,
    ResendRequest,
    ResumeReply,
    ResumeRequest,
)
from tradeswarm.messages.topics import CLOCK, bar_topic, welcome_topic

log = logging.getLogger(__name__)

RESEND = encode(ResendRequest())
RECONCILED = b"C"  # an input-log record: a resume's reply an instrument was reconciled to
BrokerReply = Fill | OrderAck | OrderCancelled | OrderReject  # addressed by symbol


class InstrumentHostActor(SocketActor):
    def __init__(
        self,
        config: InstrumentHostConfig,
        *,
        endpoints: Endpoints,
        zmq_context: zmq.Context | None = None,
        keys: LinkKeys | None = None,
    ) -> None:
        super().__init__(config.name, endpoints, zmq_context, keys)
        self._outbox: list[bytes] = []
        strategy = config.strategy.load()
        self.instruments = {
            symbol: Instrument(
                symbol=symbol,
                strategy=strategy,
                params=config.params,
                send=self._outbox.append,
                flush=self._flush,
                allow_fractional=config.allow_fractional,
            )
            for symbol in sorted(config.symbols)
        }
        self._running = list(self.instruments.values())
        self.counters.update(unknown_symbols=0)
        self._log_path = Path(config.input_log) if config.input_log else None
        self._input_log: InputLog | None = None
        self._recover = config.recover
        self._replaying = False
        self._replies_seen = 0  # broker frames taken: where a resume starts
        self._feed = MarketFeed(
            welcome_topic(self.name),
            StreamPosition(frozenset(self.instruments)),
            decode=lambda frame: self.decode_or_count(frame, "market_data"),
            take_batch=self._take_batch,
            take_mark=self._take_mark,
            snapshot_taken=self._recovered_if_done,
        )
        self._stream_hwm = config.stream_hwm
        self._awaiting_resume = False
        self._resumes_pending = 0  # a resync can overlap a restart's resume
        self._replayed = 0
        self._replay_seconds = 0.0
        self._chaos = None if config.chaos_seed < 0 else OrderPathChaos(config.chaos_seed)
        self._checkpoints = Checkpoints(self._log_path, config.checkpoint_bytes, self.name)
        self._from_checkpoint = False

    def open_sockets(self) -> None:
        recovering = self._recover
        if recovering and self._log_path is not None:
            self._replay()
        if self._log_path is not None:
            self._input_log = InputLog(self._log_path)
        self._bars = self.open(
            zmq.SUB,
            connect=self.endpoints.market_data,
            handler=self._feed.on_frames,
            options={zmq.RCVHWM: self._stream_hwm},
        )
        self._feed.attach(self._bars)
        for symbol in self.instruments:
            self._bars.setsockopt(zmq.SUBSCRIBE, bar_topic(symbol))
        self._bars.setsockopt(zmq.SUBSCRIBE, CLOCK)
        self._orders = self.open(
            zmq.DEALER,
            connect=self.endpoints.router,
            identity=host_identity(self.name),
            handler=self._on_broker,
        )
        if recovering:
            # Last, so that when the market data sees it the others are in force.
            self._feed.ask_snapshot()
            self._outbox.clear()  # all in what the resume sends
            self._resume()

    def _resume(self) -> None:
        """Ask the broker for the replies not yet taken, and send it again every request
        and the latest clock report of every instrument: it drops what it has."""
        self._awaiting_resume = True
        self._resumes_pending += 1
        resume = ResumeRequest(host=self.name, replies_seen=self._replies_seen)
        resent = [
            frame for instrument in self.instruments.values() for frame in instrument.resend()
        ]
        self._orders.send_multipart([encode(resume), *resent])

    def on_resync_request(self) -> None:
        """The broker was restarted: it has what it logged, and needs the rest."""
        self._recover = True
        self._resume()

    def _replay(self) -> None:
        """The host that was killed, rebuilt from its log; what it sends waits in the outbox."""
        assert self._log_path is not None
        started = time.perf_counter()
        self._replaying = True
        loaded = self._checkpoints.load()
        if loaded is not None:
            self._restore(loaded[1])
        start = 0 if loaded is None else loaded[0]
        for kind, frame in read_input_log(self._log_path, start):
            if kind == BARS:
                self._feed.take(frame)
            elif kind == BROKER:
                self._take_broker_frame(frame)
            elif kind == RECONCILED:
                self._reconcile(frame)
            else:
                self._decide()
            self._replayed += 1
        self._replaying = False
        self._replay_seconds = time.perf_counter() - started

    def _checkpoint_state(self) -> dict[str, Any]:
        return {
            "replies_seen": self._replies_seen,
            "position": self._feed.position,
            "running": [instrument.symbol for instrument in self._running],
            "instruments": {
                symbol: instrument.checkpoint_state()
                for symbol, instrument in self.instruments.items()
            },
        }

    def _restore(self, state: dict[str, Any]) -> None:
        """The host as its checkpoint holds it; its finished instruments say so again (the
        runner may not have heard before the kill)."""
        self._from_checkpoint = True
        self._replies_seen = state["replies_seen"]
        self._feed.position = state["position"]
        for symbol, instrument_state in state["instruments"].items():
            self.instruments[symbol].restore_state(instrument_state)
        self._running = [self.instruments[symbol] for symbol in state["running"]]
        for instrument in self.instruments.values():
            if instrument not in self._running:
                self._report_finished(instrument)

    # -- inbound --------------------------------------------------------------------------

    def _take_batch(self, batch: BarBatch, frame: bytes) -> None:
        instrument = self.instruments.get(batch.symbol)
        if instrument is None:
            self.counters["unknown_symbols"] += 1
        elif instrument.take_bars(batch):
            self._log(BARS, frame)

    def _take_mark(self, mark: BarsPublished, frame: bytes) -> None:
        self._log(BARS, frame)
        for instrument in self._running:
            instrument.take_clock_mark(mark)

    def _on_broker(self, frames: list[bytes]) -> None:
        """A resume's reply re-sends every reply from the index the host had when it
        asked; those it has taken since (from an earlier resume) are skipped."""
        if frames[0] == RESEND:  # the broker's clock waits on us: a message may be lost
            self.counters["resends"] = self.counters.get("resends", 0) + 1
            self._resume()
            return
        if self._resumes_pending:
            first = self.decode_or_count(frames[0], "router")
            if isinstance(first, ResumeReply):
                self._resumes_pending -= 1
                self._awaiting_resume = False
                for body in frames[1 + max(0, self._replies_seen - first.from_index) :]:
                    self._take_broker_frame(body)
                self._reconcile(frames[0])
                frames = []
            elif self._awaiting_resume:
                return  # sent before the resume was read: it comes again after the reply
        for body in frames:
            self._take_broker_frame(body)
        if not self._awaiting_resume:
            self._recovered_if_done()

    def _recovered_if_done(self) -> None:
        if self._recover and not (self._feed.awaiting_snapshot or self._awaiting_resume):
            self._recover = False
            self.send_control(
                ActorRecovered(
                    actor=self.name,
                    replayed_inputs=self._replayed,
                    replay_seconds=round(self._replay_seconds, 4),
                    from_checkpoint=self._from_checkpoint,
                )
            )

    def _reconcile(self, reply_frame: bytes) -> None:
        """Every instrument against the broker's snapshot in a resume's reply, all of
        whose replies it has taken: where one differs the broker wins, which is logged
        (a replay does it again at the same point) and reported."""
        reply = decode(reply_frame)
        assert isinstance(reply, ResumeReply)
        for instrument in self.instruments.values():
            record = instrument.reconcile(reply.positions, reply.open_orders)
            if record is None:
                continue
            self.counters["reconciliations"] = self.counters.get("reconciliations", 0) + 1
            self._log(RECONCILED, reply_frame)
            if not self._replaying:
                log.warning("%s: %s", instrument.name, "; ".join(record.differences))
                self.send_control(
                    Reconciled(
                        actor=instrument.name,
                        differences=list(record.differences),
                        state_before=record.state_before,
                        state_after=record.state_after,
                    )
                )

    def _take_broker_frame(self, body: bytes) -> None:
        self._replies_seen += 1
        self._log(BROKER, body)
        message = self.decode_or_count(body, "router")
        if message is None:
            return
        if isinstance(message, BrokerProgress):
            account = None
            if message.account_ts_ns == message.through_ts_ns:
                account = Account(message.account_ts_ns, message.cash, message.equity)
            for instrument in self._running:
                instrument.take_broker_progress(message.through_ts_ns, message.final, account)
        elif not self._dispatch(message):
            self.count_malformed("router", f"an unexpected {type(message).__name__}")

    def _log(self, kind: bytes, frame: bytes) -> None:
        if self._input_log is not None and not self._replaying:
            self._input_log.append(kind, frame)

    def _dispatch(self, message: Message) -> bool:
        """False for a message no hosted instrument can take (the caller counts it)."""
        if isinstance(message, PeerSignal):
            owner = self.instruments.get(message.target)
        elif isinstance(message, BrokerReply):
            owner = self.instruments.get(message.symbol)
        else:
            return False
        if owner is None:
            return False
        owner.take_broker_message(message)
        return True

    # -- progress -------------------------------------------------------------------------

    def has_work(self) -> bool:
        """A message chaos holds back leaves on the next turn, not after an idle poll."""
        if self._chaos is not None and self._chaos.held():
            return True
        return any(instrument.has_work() for instrument in self._running)

    def after_poll(self) -> None:
        """A decision point: logged, the log flushed, then the instruments decide (which
        sends). Nothing new is decided while it still waits for what it missed."""
        self._feed.retry_if_due()
        if self._feed.awaiting_snapshot or self._awaiting_resume:
            return
        input_log = self._input_log
        if input_log is not None:
            input_log.decided()
            input_log.flush()
        self._decide()
        if input_log is not None and self._checkpoints.due(input_log.offset):
            self._checkpoints.take(input_log.offset, self._checkpoint_state())

    def _decide(self) -> None:
        """Two passes. First every instrument decides what the broker's clock may be
        holding for and the reports leave together: one message, so the broker wakes
        once per step, not once per instrument. Then they run ahead, which the broker
        also needs (it passes a time only when every instrument has reported it), but
        not before that message has gone."""
        for instrument in self._running:
            instrument.catch_up()
        self._flush()
        for instrument in self._running:
            instrument.run()
        self._flush()
        newly_finished = [instrument for instrument in self._running if instrument.finished]
        for instrument in newly_finished:
            self._running.remove(instrument)
            self._report_finished(instrument)

    def _report_finished(self, instrument: Instrument) -> None:
        self.send_control(
            ActorFinished(
                actor=instrument.name,
                counters=dict(instrument.counters),
                transitions=instrument.transitions.rows,
            )
        )

    def on_shutdown_request(self) -> None:
        """Each instrument's final counters: replies that came after its end of data (the
        broker's last cancels) count too; and the host's own, with its chaos."""
        self.counters.update(self._feed.counters)
        self.counters.update(self._checkpoints.counters)
        if self._chaos is not None:
            self.counters.update({f"chaos_{k}": v for k, v in self._chaos.counters.items()})
        for instrument in self.instruments.values():
            counters = dict(instrument.counters)
            self.send_control(ActorStopped(actor=instrument.name, counters=counters))

    def on_stop(self) -> None:
        if self._input_log is not None:
            self._input_log.close()
            self._input_log = None
        super().on_stop()

    def _flush(self) -> None:
        if self._replaying:
            return  # sent once the sockets are open; the broker drops what it has
        if self._input_log is not None:
            self._input_log.flush()  # the causes before the effects
        chaos = self._chaos
        if chaos is None:
            if self._outbox:
                self._orders.send_multipart(self._outbox)
                self._outbox.clear()
        elif self._outbox or chaos.held():
            for message in chaos.shape(self._outbox):
                self._orders.send_multipart(message)
            self._outbox.clear()

"""The pykka actor that runs a shard's instruments on one thread and owns their sockets.

Why one thread for many instruments: an instrument spends microseconds on a bar, while a
thread per instrument pays a GIL hand-off and a socket wake-up for every message, and
makes the broker wait for each instrument's reply separately. A host takes the bars of
all its symbols on one SUB socket and speaks to the broker on one DEALER, so the replies
of all its instruments to one clock step leave as one message. Each instrument keeps its
own state, FSM, clock and counters (``actors.runtime.instrument``), and reports as itself
(``instrument/<symbol>``) to the runner.

How a killed host comes back is its base class's part (``actors.runtime.host_rejoin``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import zmq

from tradeswarm.actors.fsm.context import Account
from tradeswarm.actors.runtime.catch_up import MarketFeed, StreamPosition
from tradeswarm.actors.runtime.checkpoint import Checkpoints
from tradeswarm.actors.runtime.config import InstrumentHostConfig
from tradeswarm.actors.runtime.host_rejoin import HostRecovery
from tradeswarm.actors.runtime.input_log import BARS, BROKER, InputLog
from tradeswarm.actors.runtime.instrument import Instrument
from tradeswarm.actors.runtime.order_path_chaos import OrderPathChaos
from tradeswarm.messages import (
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
    encode,
    host_identity,
)
from tradeswarm.messages.link_keys import LinkKeys
from tradeswarm.messages.recovery import RepliesLogged, ResendRequest, ResumeReply
from tradeswarm.messages.topics import CLOCK, bar_topic, welcome_topic

log = logging.getLogger(__name__)

RESEND = encode(ResendRequest())
# How often a host tells the broker how many replies its log holds (``RepliesLogged``):
# the broker keeps about this many, twice at most, per host.
TELL_LOGGED_EVERY = 1024
BrokerReply = Fill | OrderAck | OrderCancelled | OrderReject  # addressed by symbol


class InstrumentHostActor(HostRecovery):
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
        self._config = config
        self._strategy = config.strategy.load()
        self.instruments = self._new_instruments()
        self._running = list(self.instruments.values())
        self.counters.update(unknown_symbols=0)
        self._log_path = Path(config.input_log) if config.input_log else None
        self._input_log: InputLog | None = None
        self._recover = config.recover
        self._replaying = False
        self._unverified_checkpoint = False  # started from one the broker has not confirmed
        self._replies_seen = 0  # broker frames taken: where a resume starts
        self._replies_logged = 0  # of those, how many its log holds up to a decision point
        self._replies_told = 0  # what it last told the broker its log holds
        self._feed = MarketFeed(
            welcome_topic(self.name),
            self._new_position(),
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

    def _new_instruments(self) -> dict[str, Instrument]:
        config = self._config
        return {
            symbol: Instrument(
                symbol=symbol,
                strategy=self._strategy,
                params=config.params,
                send=self._outbox.append,
                flush=self._flush,
                allow_fractional=config.allow_fractional,
            )
            for symbol in sorted(config.symbols)
        }

    def _new_position(self) -> StreamPosition:
        return StreamPosition(frozenset(self._config.symbols))

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
                self._take_resume_reply(first, frames)
                frames = []
            elif self._awaiting_resume:
                return  # sent before the resume was read: it comes again after the reply
        for body in frames:
            self._take_broker_frame(body)
        if not self._awaiting_resume:
            self._recovered_if_done()

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
            self._replies_logged = self._replies_seen  # what a restart replays
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
        if self._replies_logged - self._replies_told >= TELL_LOGGED_EVERY:
            self._replies_told = self._replies_logged
            self._outbox.append(encode(RepliesLogged(host=self.name, replies=self._replies_logged)))
        chaos = self._chaos
        if chaos is None:
            if self._outbox:
                self._orders.send_multipart(self._outbox)
                self._outbox.clear()
        elif self._outbox or chaos.held():
            for message in chaos.shape(self._outbox):
                self._orders.send_multipart(message)
            self._outbox.clear()

"""The pykka actor that runs a shard's instruments on one thread and owns their sockets.

Why one thread for many instruments: an instrument spends microseconds on a bar, while a
thread per instrument pays a GIL hand-off and a socket wake-up for every message, and
makes the broker wait for each instrument's reply separately. A host takes the bars of
all its symbols on one SUB socket and speaks to the broker on one DEALER, so the replies
of all its instruments to one clock step leave as one message. Each instrument keeps its
own state, FSM, clock and counters (``actors.runtime.instrument``), and reports as itself
(``instrument/<symbol>``) to the runner.
"""

from __future__ import annotations

import logging

import zmq

from tradeswarm.actors.fsm.context import Account
from tradeswarm.actors.runtime.config import InstrumentHostConfig
from tradeswarm.actors.runtime.instrument import Instrument
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
    host_identity,
)
from tradeswarm.messages.link_keys import LinkKeys
from tradeswarm.messages.topics import CLOCK, bar_topic

log = logging.getLogger(__name__)

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

    def open_sockets(self) -> None:
        self._bars = self.open(zmq.SUB, connect=self.endpoints.market_data, handler=self._on_bars)
        for symbol in self.instruments:
            self._bars.setsockopt(zmq.SUBSCRIBE, bar_topic(symbol))
        self._bars.setsockopt(zmq.SUBSCRIBE, CLOCK)
        self._orders = self.open(
            zmq.DEALER,
            connect=self.endpoints.router,
            identity=host_identity(self.name),
            handler=self._on_broker,
        )

    # -- inbound --------------------------------------------------------------------------

    def _on_bars(self, frames: list[bytes]) -> None:
        message = self.decode_or_count(frames[-1], "market_data")
        if isinstance(message, BarBatch):
            instrument = self.instruments.get(message.symbol)
            if instrument is None:
                self.counters["unknown_symbols"] += 1
            else:
                instrument.take_bars(message)
        elif isinstance(message, BarsPublished):
            for instrument in self._running:
                instrument.take_clock_mark(message)

    def _on_broker(self, frames: list[bytes]) -> None:
        for body in frames:
            message = self.decode_or_count(body, "router")
            if message is None:
                continue
            if isinstance(message, BrokerProgress):
                account = None
                if message.account_ts_ns == message.through_ts_ns:
                    account = Account(message.account_ts_ns, message.cash, message.equity)
                for instrument in self._running:
                    instrument.take_broker_progress(message.through_ts_ns, message.final, account)
            elif not self._dispatch(message):
                self.count_malformed("router", f"an unexpected {type(message).__name__}")

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
        return any(instrument.has_work() for instrument in self._running)

    def after_poll(self) -> None:
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
            self.send_control(
                ActorFinished(
                    actor=instrument.name,
                    counters=dict(instrument.counters),
                    transitions=instrument.transitions.rows,
                )
            )

    def on_shutdown_request(self) -> None:
        """Each instrument's final counters: replies that came after its end of data (the
        broker's last cancels) count too."""
        for instrument in self.instruments.values():
            counters = dict(instrument.counters)
            self.send_control(ActorStopped(actor=instrument.name, counters=counters))

    def _flush(self) -> None:
        if self._outbox:
            self._orders.send_multipart(self._outbox)
            self._outbox.clear()

"""The clock and the control plane.

The clock (``StepDone``, ``BrokerProgress``) is a conservative discrete-event protocol:
an instrument reports how far it has decided, the broker matches a bar only when every
decision that could touch it is in, and tells an instrument how far it has matched.
The control messages travel between each actor and the runner that started it.
"""

from __future__ import annotations

import msgspec

from tradeswarm.messages.base import Message, Record
from tradeswarm.messages.orders import Fill
from tradeswarm.messages.state import AccountStatement


class StepDone(Message, kw_only=True, frozen=True):
    """``sender`` has decided on every bar with ``ts_ns <= through_ts_ns``; its orders are sent.

    ``requests``: how many requests (orders, cancels, replaces, signals: one numbering) the
    sender had sent by then. The broker takes the report only once it holds every one of
    them, so a request lost on the way (``--chaos`` drops messages) holds the clock until
    the sender sends it again, instead of letting the clock pass it. Appended last with a
    default, so bytes written before it still decode.
    """

    sender: str
    through_ts_ns: int
    requests: int = 0


class BrokerProgress(Message, kw_only=True, frozen=True):
    """Every fill or cancel caused by bars with ``ts_ns <= through_ts_ns`` has been sent.

    ``final``: the broker has finished the run and will send nothing more, so a receiver
    that sees it has every reply it will ever get (its counters are complete). Appended
    last with a default, so bytes written before it still decode.
    """

    through_ts_ns: int
    final: bool = False
    # The broker's cash and equity as of its match of ``through_ts_ns`` (for strategies
    # that size by the portfolio); ``account_ts_ns`` is -1 where they are not sent.
    account_ts_ns: int = -1
    cash: float = 0.0
    equity: float = 0.0


class ActorReady(Message, kw_only=True, frozen=True):
    """An actor has its sockets open and subscribed."""

    actor: str


class Heartbeat(Message, kw_only=True, frozen=True):
    """An actor is alive and its thread is turning: sent to the runner every half second,
    so a frozen process (stopped, deadlocked, stuck in a loop) is noticed within seconds."""

    actor: str


class StartRequest(Message, kw_only=True, frozen=True):
    """The runner releases the market data once every actor is ready."""


class Transition(Record, kw_only=True, frozen=True):
    """One FSM transition of an instrument, for the state timeline."""

    ts_ns: int
    symbol: str
    from_state: str
    event: str
    to_state: str


class ActorFinished(Message, kw_only=True, frozen=True):
    """An actor has seen the end of the data; ``counters`` says what it did, and an
    instrument sends its state timeline along."""

    actor: str
    counters: dict[str, int]
    transitions: list[Transition] = msgspec.field(default_factory=list)


class ShutdownRequest(Message, kw_only=True, frozen=True):
    """Stop now; reply with ``ActorStopped``."""


class ActorStopped(Message, kw_only=True, frozen=True):
    actor: str
    counters: dict[str, int]


class RunProgress(Message, kw_only=True, frozen=True):
    """The broker's clock, sent to the runner now and then for the progress display;
    ``session`` is the calendar's label of the session it is in (appended, "" before one)."""

    through_ts_ns: int
    bars: int
    session: str = ""


class BrokerResults(Message, kw_only=True, frozen=True):
    """What the broker hands the runner at the end of the data, before ``ActorFinished``:
    every fill in the order it made them, and every session's statement. The runner writes
    the run folder and the report from these instead of reading the journal back."""

    fills: list[Fill]
    statements: list[AccountStatement]


class ActorFailed(Message, kw_only=True, frozen=True):
    """An actor's handler raised; the run cannot be trusted and ends with exit code 1, or
    with 2 when ``user_error``: the user's strategy code failed (``reason`` says where)."""

    actor: str
    reason: str
    user_error: bool = False


class JournalHeader(Message, kw_only=True, frozen=True):
    """A broker journal's first entry: which prices its fills are in (``as traded``,
    back-adjusted, or synthetic), for whom, and with what cash, so a journal read on its
    own says what its numbers mean."""

    prices: str
    symbols: list[str]
    starting_cash: float

"""How a restarted instrument host catches up with the swarm it rejoins.

It replays its own input log (``actors.runtime.input_log``), then asks for what it missed
while it was down: the broker re-sends every reply it sent the host after the ones the log
holds (``ResumeRequest`` -> ``ResumeReply`` followed by the replies), and the market data
re-sends every chunk the broker has not yet passed, on a topic only that host subscribes
to, ended by ``SnapshotEnd`` (the ZeroMQ guide's Clone pattern: subscribe first, then take
the snapshot, then drop what the snapshot already held, by sequence number). Then it tells
the runner it is back (``ActorRecovered``). Its instruments check themselves against the
broker's snapshot in the reply, and the broker wins (``Reconciled``).
"""

from __future__ import annotations

import msgspec

from tradeswarm.messages.base import Message
from tradeswarm.messages.state import OpenOrder, Position


class ResumeRequest(Message, kw_only=True, frozen=True):
    """From a restarted host: re-send me every reply after the first ``replies_seen``.
    It comes alone: the host sends its requests again only once it has the reply, and
    has checked its instruments against it (a request decided from facts the broker
    contradicts is voided, not sent)."""

    host: str
    replies_seen: int


class ResumeReply(Message, kw_only=True, frozen=True):
    """The broker's answer, in the same multipart message as the replies it re-sends:
    those that follow are the host's replies from number ``from_index`` on. With the
    positions and open orders of the host's symbols as the broker holds them after the
    last of those replies: what the host's instruments check themselves against. And, by
    symbol, the highest request number the broker has taken (``requests_taken``): an
    instrument the broker contradicts voids what it decided after that, which never
    reached the broker, and numbers its next request after it."""

    host: str
    from_index: int
    positions: list[Position] = msgspec.field(default_factory=list)
    open_orders: list[OpenOrder] = msgspec.field(default_factory=list)
    requests_taken: dict[str, int] = msgspec.field(default_factory=dict)


class SnapshotEnd(Message, kw_only=True, frozen=True):
    """The market data has re-sent every chunk the broker had not passed."""

    host: str
    chunks: int


class StreamHead(Message, kw_only=True, frozen=True):
    """The market data's heartbeat on the clock topic while it waits for the broker: how
    many clock marks it has published. A subscriber that has taken fewer lost the last
    frames of the stream, a gap no later frame would show it (none comes until it has
    them): it asks for a snapshot."""

    marks: int


class ActorRecovered(Message, kw_only=True, frozen=True):
    """A restarted actor has replayed its log, taken what it missed and carries on."""

    actor: str
    replayed_inputs: int  # after its checkpoint, when it had one
    replay_seconds: float  # the checkpoint's loading included
    from_checkpoint: bool = False


class RepliesLogged(Message, kw_only=True, frozen=True):
    """From a host to the broker: its input log holds its first ``replies`` replies, up to
    a decision point, so a restart of it replays them and asks only for what follows. The
    broker forgets those, and its reply history stays bounded however long the run. Sent
    every so many replies; a lost, doubled or late one changes nothing (the broker keeps
    the highest)."""

    host: str
    replies: int


class ResendRequest(Message, kw_only=True, frozen=True):
    """From the broker to a host its clock has waited on too long (a message of the host's
    may have been lost): resume, as a restarted host does. Sent outside the host's reply
    history, so a replay never counts it."""


class Reconciled(Message, kw_only=True, frozen=True):
    """To the runner: a restarted instrument differed from the broker and took the
    broker's facts (``actors.fsm.reconcile``); what differed, and the state it goes on in."""

    actor: str
    differences: list[str]
    state_before: str
    state_after: str


class ResyncRequest(Message, kw_only=True, frozen=True):
    """From the runner to every instrument host, once a restarted broker has replayed its
    log: send it a ``ResumeRequest`` and every request again."""

    peer: str

"""msgpack encoding of every message kind, with one error type for every way decoding fails."""

from __future__ import annotations

from typing import Final

import msgspec

from tradeswarm.messages.base import SCHEMA_VERSION, Message
from tradeswarm.messages.control import (
    ActorFailed,
    ActorFinished,
    ActorReady,
    ActorStopped,
    BrokerProgress,
    BrokerResults,
    Heartbeat,
    JournalHeader,
    RunProgress,
    ShutdownRequest,
    StartRequest,
    StepDone,
)
from tradeswarm.messages.market import Bar, BarBatch, BarsPublished, SessionEvent
from tradeswarm.messages.orders import (
    CancelRequest,
    Fill,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    PeerSignal,
    ReplaceRequest,
)
from tradeswarm.messages.recovery import (
    ActorRecovered,
    Reconciled,
    RepliesLogged,
    ResendRequest,
    ResumeReply,
    ResumeRequest,
    ResyncRequest,
    SnapshotEnd,
    StreamHead,
)
from tradeswarm.messages.state import AccountStatement, TradingState, TradingStateRequest

MESSAGE_TYPES: Final[tuple[type[Message], ...]] = (
    Bar,
    BarBatch,
    SessionEvent,
    BarsPublished,
    OrderRequest,
    CancelRequest,
    OrderAck,
    OrderReject,
    Fill,
    OrderCancelled,
    TradingStateRequest,
    TradingState,
    StepDone,
    BrokerProgress,
    ActorReady,
    StartRequest,
    ActorFinished,
    ShutdownRequest,
    ActorStopped,
    ActorFailed,
    RunProgress,
    ReplaceRequest,
    PeerSignal,
    AccountStatement,
    BrokerResults,
    Heartbeat,
    JournalHeader,
    ResumeRequest,
    ResumeReply,
    SnapshotEnd,
    ActorRecovered,
    ResyncRequest,
    StreamHead,
    ResendRequest,
    Reconciled,
    RepliesLogged,
)

AnyMessage = (
    Bar
    | BarBatch
    | SessionEvent
    | BarsPublished
    | OrderRequest
    | CancelRequest
    | OrderAck
    | OrderReject
    | Fill
    | OrderCancelled
    | TradingStateRequest
    | TradingState
    | StepDone
    | BrokerProgress
    | ActorReady
    | StartRequest
    | ActorFinished
    | ShutdownRequest
    | ActorStopped
    | ActorFailed
    | RunProgress
    | ReplaceRequest
    | PeerSignal
    | AccountStatement
    | BrokerResults
    | Heartbeat
    | JournalHeader
    | ResumeRequest
    | ResumeReply
    | SnapshotEnd
    | ActorRecovered
    | ResyncRequest
    | StreamHead
    | ResendRequest
    | Reconciled
    | RepliesLogged
)


class DecodeError(ValueError):
    """Bytes that are not a valid message; ``reason`` says why, for the actor's log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(AnyMessage)


def encode(message: Message) -> bytes:
    return _encoder.encode(message)


def decode(data: bytes) -> AnyMessage:
    """Decode one message; garbage, unknown tags, wrong types and missing fields all raise
    ``DecodeError``, so a receiver needs one ``except`` to count and drop bad input."""
    try:
        message = _decoder.decode(data)
    except msgspec.ValidationError as error:  # a subclass of DecodeError: catch it first
        raise DecodeError(f"not a valid message: {error}") from None
    except msgspec.DecodeError as error:
        raise DecodeError(f"not msgpack or truncated: {error}") from None
    return _check_version(message)


def from_builtins(value: object) -> AnyMessage:
    """Turn what a generic msgpack reader produced (lists, strings) back into a message."""
    try:
        message = msgspec.convert(value, AnyMessage)
    except msgspec.ValidationError as error:
        raise DecodeError(f"not a valid message: {error}") from None
    return _check_version(message)


def _check_version(message: AnyMessage) -> AnyMessage:
    if message.schema_version != SCHEMA_VERSION:
        raise DecodeError(
            f"{type(message).__name__} has schema version {message.schema_version}, "
            f"this build reads {SCHEMA_VERSION}"
        )
    return message

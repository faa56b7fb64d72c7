"""The wire: message types, their msgpack codec, topics, endpoints and socket helpers.

This package imports nothing else of tradeswarm.
"""

from tradeswarm.messages.base import SCHEMA_VERSION, Message, Record
from tradeswarm.messages.codec import (
    MESSAGE_TYPES,
    AnyMessage,
    DecodeError,
    decode,
    encode,
    from_builtins,
)
from tradeswarm.messages.control import (
    ActorFailed,
    ActorFinished,
    ActorReady,
    ActorStopped,
    BrokerProgress,
    RunProgress,
    ShutdownRequest,
    StartRequest,
    StepDone,
    Transition,
)
from tradeswarm.messages.endpoints import Endpoints, inproc_endpoints, ipc_endpoints, tcp_endpoints
from tradeswarm.messages.market import Bar, BarBatch, BarsPublished, SessionEvent, SessionEventKind
from tradeswarm.messages.orders import (
    CancelRequest,
    Fill,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    OrderType,
    PeerSignal,
    ReplaceRequest,
    Side,
    TimeInForce,
)
from tradeswarm.messages.state import OpenOrder, Position, TradingState, TradingStateRequest

__all__ = [
    "MESSAGE_TYPES",
    "SCHEMA_VERSION",
    "ActorFailed",
    "ActorFinished",
    "ActorReady",
    "ActorStopped",
    "AnyMessage",
    "Bar",
    "BarBatch",
    "BarsPublished",
    "BrokerProgress",
    "CancelRequest",
    "DecodeError",
    "Endpoints",
    "Fill",
    "Message",
    "OpenOrder",
    "OrderAck",
    "OrderCancelled",
    "OrderReject",
    "OrderRequest",
    "OrderType",
    "PeerSignal",
    "Position",
    "Record",
    "ReplaceRequest",
    "RunProgress",
    "SessionEvent",
    "SessionEventKind",
    "ShutdownRequest",
    "Side",
    "StartRequest",
    "StepDone",
    "TimeInForce",
    "TradingState",
    "TradingStateRequest",
    "Transition",
    "decode",
    "encode",
    "from_builtins",
    "inproc_endpoints",
    "ipc_endpoints",
    "tcp_endpoints",
]

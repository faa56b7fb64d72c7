"""What a broker actor is started with: typed, and plain msgpack on the way to a child."""

from __future__ import annotations

import msgspec

from tradeswarm.actors.broker.settings import BrokerSettings
from tradeswarm.messages import BROKER_NAME


class BrokerConfig(msgspec.Struct, frozen=True, kw_only=True, tag="broker"):
    symbols: list[str]
    settings: BrokerSettings
    journal_path: str
    recover: bool = False  # a restart: replay the input log (or, without one, the journal)
    input_log: str = ""  # where the broker logs its inputs ("": nowhere)
    coupled: list[str] = msgspec.field(default_factory=list)  # wait on the clock every time
    hosts: dict[str, str] = msgspec.field(default_factory=dict)  # symbol -> its host's name
    accounts: bool = False  # send cash and equity with progress (strategies size by them)
    prices: str = ""  # which prices the bars are in, for the journal's header
    name: str = BROKER_NAME
    stream_hwm: int = 0  # the market data's messages it may have queued; 0: no bound
    checkpoint_bytes: int = 0  # input log written between two checkpoints; 0: none

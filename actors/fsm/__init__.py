"""The FSM engine, and everything a strategy author imports, from this one module.

A strategy is a table: states that declare what the broker holds in them, and for every
(state, event) pair guarded transitions, ``IGNORE`` or ``INVALID``. Guards are pure
questions; actions return intents (orders, cancels, replaces, signals) sized with the
zipline-style helpers; indicators are incremental. See the README's "Your first strategy".
"""

from tradeswarm.actors.fsm.build import by_position, cells, pending, strategy
from tradeswarm.actors.fsm.context import Context, Portfolio
from tradeswarm.actors.fsm.engine import (
    BAR,
    BROKER_EVENTS,
    CANCELLED,
    END_OF_DAY,
    FILLED,
    IGNORE,
    INVALID,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_CLOSE,
    SESSION_EVENTS,
    SESSION_OPEN,
    STANDARD_EVENTS,
    TIMER,
    Domain,
    Strategy,
    Walks,
    When,
)
from tradeswarm.actors.fsm.holds import buy, closing, flat, holds, long, sell, short
from tradeswarm.actors.fsm.indicators import (
    Bands,
    Indicator,
    atr,
    bollinger,
    crossover,
    ema,
    rsi,
    sma,
    zscore,
)
from tradeswarm.actors.fsm.intents import Cancel, Intent, Replace, Signal, Submit
from tradeswarm.actors.fsm.params import Params
from tradeswarm.actors.fsm.sizing import (
    order,
    order_percent,
    order_target,
    order_target_percent,
    order_target_value,
    order_value,
)
from tradeswarm.messages import Bar, Fill, OrderType, PeerSignal, Side, TimeInForce

__all__ = [
    "BAR",
    "BROKER_EVENTS",
    "CANCELLED",
    "END_OF_DAY",
    "FILLED",
    "IGNORE",
    "INVALID",
    "PARTIALLY_FILLED",
    "REJECTED",
    "SESSION_CLOSE",
    "SESSION_EVENTS",
    "SESSION_OPEN",
    "STANDARD_EVENTS",
    "TIMER",
    "Bands",
    "Bar",
    "Cancel",
    "Context",
    "Domain",
    "Fill",
    "Indicator",
    "Intent",
    "OrderType",
    "Params",
    "PeerSignal",
    "Portfolio",
    "Replace",
    "Side",
    "Signal",
    "Strategy",
    "Submit",
    "TimeInForce",
    "Walks",
    "When",
    "atr",
    "bollinger",
    "buy",
    "by_position",
    "cells",
    "closing",
    "crossover",
    "ema",
    "flat",
    "holds",
    "long",
    "order",
    "order_percent",
    "order_target",
    "order_target_percent",
    "order_target_value",
    "order_value",
    "pending",
    "rsi",
    "sell",
    "short",
    "sma",
    "strategy",
    "zscore",
]

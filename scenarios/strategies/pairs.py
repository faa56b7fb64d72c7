"""A pairs trade across two instruments whose actors coordinate by messages.

Each leg runs this table on its own symbol and sends its close to the other leg every bar
(a ``Signal`` named ``peer_close``). A leg compares its own log price with its peer's over
a rolling window: the z-score of the spread ``log(own) - log(peer)``. Cheap (z below
``-entry``): long; rich (z above ``entry``): short; converged (|z| below ``exit``): flat.
The two legs see mirror-image spreads, so one goes long while the other goes short,
without a leader.

A leg's decision on bar ``t`` uses the peer's closes up to ``t - 1``: the broker's clock
delivers a signal decided on ``t`` before its progress past ``t``, and both legs wait for
that progress at every bar (they declare each other as ``peers``), so the pairing of
prices is the same in every run and topology.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tradeswarm.actors.fsm.engine import (
    BAR,
    BROKER_EVENTS,
    CANCELLED,
    FILLED,
    PARTIALLY_FILLED,
    REJECTED,
    SESSION_EVENTS,
    STANDARD_EVENTS,
    Domain,
    InstrumentContext,
    Strategy,
    When,
    row,
)
from tradeswarm.actors.fsm.intents import Intent, Signal, Submit
from tradeswarm.messages import Bar, PeerSignal, Side
from tradeswarm.scenarios.strategies.long_short import (
    FLAT,
    FLATTEN_PENDING,
    LONG,
    LONG_PENDING,
    SHORT,
    SHORT_PENDING,
    infer,
    place_position,
)

PEER_CLOSE = "peer_close"


@dataclass(slots=True)
class PairContext(InstrumentContext):
    window: int = 60
    entry: float = 2.0
    exit: float = 0.5
    quantity: float = 100.0
    close: float = 0.0
    own: deque[float] = field(default_factory=deque)  # log closes, the last one not yet paired
    spreads: deque[float] = field(default_factory=deque)
    z: float | None = None


def new_context(symbol: str, params: Mapping[str, Any]) -> PairContext:
    legs = tuple(params.get("legs", ()))
    if len(legs) != 2 or symbol not in legs:
        raise ValueError(f"pairs needs legs = [two symbols] naming {symbol}, got {list(legs)}")
    window, entry, exit_ = (
        int(params.get("window", 60)),
        params.get("entry", 2.0),
        params.get("exit", 0.5),
    )
    if window < 2 or not 0 <= exit_ < entry:
        raise ValueError(
            f"pairs needs window >= 2 and 0 <= exit < entry, got {window}, {exit_}, {entry}"
        )
    return PairContext(
        symbol=symbol,
        peers=tuple(leg for leg in legs if leg != symbol),
        window=window,
        entry=float(entry),
        exit=float(exit_),
        quantity=float(params.get("quantity", 100)),
    )


def observe(context: PairContext, event_kind: str, event: Any) -> None:
    """Own closes wait in ``own`` until the peer's close of the same bar arrives; each pair
    gives a spread, and the window of spreads gives the z-score."""
    if event_kind == BAR:
        context.close = event.close
        context.own.append(math.log(event.close))
    elif event_kind == PEER_CLOSE and context.own:
        spread = context.own.popleft() - math.log(event.value)
        context.spreads.append(spread)
        if len(context.spreads) > context.window:
            context.spreads.popleft()
        context.z = _z_score(context.spreads) if len(context.spreads) == context.window else None


def _z_score(values: deque[float]) -> float | None:
    mean = sum(values) / len(values)
    variance = sum((value - mean) ** 2 for value in values) / (len(values) - 1)
    return None if variance <= 0 else (values[-1] - mean) / math.sqrt(variance)


def cheap(context: PairContext, bar: Bar) -> bool:
    return context.z is not None and context.z < -context.entry


def rich(context: PairContext, bar: Bar) -> bool:
    return context.z is not None and context.z > context.entry


def converged(context: PairContext, bar: Bar) -> bool:
    return context.z is not None and abs(context.z) < context.exit


def holds_long(context: PairContext, event: Any) -> bool:
    return context.position > 0


def holds_short(context: PairContext, event: Any) -> bool:
    return context.position < 0


def share_close(context: PairContext, bar: Bar) -> list[Intent]:
    return [Signal(target=peer, name=PEER_CLOSE, value=context.close) for peer in context.peers]


def share_and_buy(context: PairContext, bar: Bar) -> list[Intent]:
    return [*share_close(context, bar), Submit(Side.BUY, context.quantity - context.position)]


def share_and_sell(context: PairContext, bar: Bar) -> list[Intent]:
    return [*share_close(context, bar), Submit(Side.SELL, context.quantity + context.position)]


def share_and_flatten(context: PairContext, bar: Bar) -> list[Intent]:
    side = Side.SELL if context.position > 0 else Side.BUY
    return [*share_close(context, bar), Submit(side, abs(context.position))]


_QUIET = (*SESSION_EVENTS, PEER_CLOSE)  # a peer's close only feeds ``observe``
_BY_POSITION = (When(LONG, holds_long), When(SHORT, holds_short), When(FLAT))


def _resting(state: str, bar: tuple[When, ...]) -> dict[tuple[str, str], Any]:
    return row(state, {BAR: bar}, ignore=_QUIET, invalid=BROKER_EVENTS)


def _pending(state: str, filled: str) -> dict[tuple[str, str], Any]:
    cells = {
        BAR: (When(state, action=share_close),),
        FILLED: (When(filled),),
        PARTIALLY_FILLED: (When(state),),
        CANCELLED: _BY_POSITION,
        REJECTED: _BY_POSITION,
    }
    return row(state, cells, ignore=_QUIET)


TABLE = {
    **_resting(
        FLAT,
        (
            When(LONG_PENDING, cheap, share_and_buy),
            When(SHORT_PENDING, rich, share_and_sell),
            When(FLAT, action=share_close),
        ),
    ),
    **_resting(
        LONG,
        (
            When(SHORT_PENDING, rich, share_and_sell),
            When(FLATTEN_PENDING, converged, share_and_flatten),
            When(LONG, action=share_close),
        ),
    ),
    **_resting(
        SHORT,
        (
            When(LONG_PENDING, cheap, share_and_buy),
            When(FLATTEN_PENDING, converged, share_and_flatten),
            When(SHORT, action=share_close),
        ),
    ),
    **_pending(LONG_PENDING, LONG),
    **_pending(SHORT_PENDING, SHORT),
    **_pending(FLATTEN_PENDING, FLAT),
}


def sample_bar(rng: random.Random, context: PairContext) -> Bar:
    close = rng.choice((95.0, 100.0, 105.0))
    return Bar(
        symbol=context.symbol, ts_ns=0, open=close, high=close, low=close, close=close, volume=1e3
    )


def sample_peer_close(rng: random.Random, context: PairContext) -> PeerSignal:
    return PeerSignal(
        sender="PEER",
        target=context.symbol,
        name=PEER_CLOSE,
        value=rng.choice((95.0, 100.0, 105.0)),
        decided_ts_ns=0,
        seq=0,
    )


def sample_context(rng: random.Random, state: str) -> PairContext:
    context = new_context(
        "SYM", {"legs": ["SYM", "PEER"], "window": rng.randint(2, 4), "entry": 1.0, "exit": 0.5}
    )
    for _ in range(rng.randint(0, context.window + 3)):
        observe(context, BAR, sample_bar(rng, context))
        observe(context, PEER_CLOSE, sample_peer_close(rng, context))
    place_position(rng, context, state)
    return context


STRATEGY = Strategy(
    name="pairs",
    states=(FLAT, LONG_PENDING, LONG, SHORT_PENDING, SHORT, FLATTEN_PENDING),
    events=(*STANDARD_EVENTS, PEER_CLOSE),
    initial=FLAT,
    table=TABLE,
    new_context=new_context,
    observe=observe,
    explore=Domain(context=sample_context, events={BAR: sample_bar, PEER_CLOSE: sample_peer_close}),
    infer=infer,
)

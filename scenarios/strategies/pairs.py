"""A pairs trade across two instruments whose actors coordinate by messages.

Each leg runs this table on its own symbol and sends its close to the other leg every bar
(a ``Signal`` named ``peer_close``). A leg compares its own log price with its peer's over
a rolling window: the z-score of the spread ``log(own) - log(peer)`` (population deviation,
as the ``zscore`` indicator computes it). Cheap (z below ``-entry``): long; rich (z above
``entry``): short; converged (|z| below ``exit``): flat. The two legs see mirror-image
spreads, so one goes long while the other goes short, without a leader.

A leg's decision on bar ``t`` uses the peer's closes up to ``t - 1``: the broker's clock
delivers a signal decided on ``t`` before its progress past ``t``, and both legs wait for
that progress at every bar (they declare each other as peers), so the pairing of prices is
the same in every run and topology.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tradeswarm.actors import fsm
from tradeswarm.actors.fsm import Bar, Context, Intent, When
from tradeswarm.scenarios.strategies.long_short import (
    ANY,
    FLAT,
    FLATTEN_PENDING,
    LONG,
    LONG_PENDING,
    SHORT,
    SHORT_PENDING,
)

PEER_CLOSE = "peer_close"


class PairParams(fsm.Params):
    legs: tuple[str, ...] = ()
    window: int = 60
    entry: float = 2.0
    exit: float = 0.5
    quantity: float = 100.0

    def validate(self) -> None:
        if len(self.legs) != 2 or self.window < 2 or not 0 <= self.exit < self.entry:
            raise ValueError(f"pairs needs two legs, window >= 2, 0 <= exit < entry: {self}")
        if not self.quantity > 0:
            raise ValueError(f"pairs needs quantity > 0: {self}")


@dataclass(slots=True)
class PairContext(Context):
    own: deque[float] = field(default_factory=deque)  # log closes not yet paired


def peers(p: PairParams, symbol: str) -> list[str]:
    if symbol not in p.legs:
        raise ValueError(f"pairs legs {p.legs} do not name {symbol}")
    return [leg for leg in p.legs if leg != symbol]


def observe(ctx: PairContext, event_kind: str, event: Any) -> None:
    """Own closes wait until the peer's close of the same bar arrives; each pair is one
    spread for the z-score."""
    if event_kind == fsm.BAR:
        ctx.own.append(math.log(event.close))
    elif event_kind == PEER_CLOSE and ctx.own:
        ctx.ind.z.add(ctx.own.popleft() - math.log(event.value))


def cheap(ctx: Context, bar: Bar) -> bool:
    return ctx.ind.z.ready and ctx.ind.z.value < -ctx.params.entry


def rich(ctx: Context, bar: Bar) -> bool:
    return ctx.ind.z.ready and ctx.ind.z.value > ctx.params.entry


def converged(ctx: Context, bar: Bar) -> bool:
    return ctx.ind.z.ready and abs(ctx.ind.z.value) < ctx.params.exit


def share_close(ctx: Context, bar: Bar) -> list[Intent]:
    return [fsm.Signal(target=peer, name=PEER_CLOSE, value=bar.close) for peer in ctx.peers]


def share_and_go(target: float) -> Any:
    def act(ctx: Context, bar: Bar) -> list[Intent]:
        return [*share_close(ctx, bar), *fsm.order_target(ctx, target * ctx.params.quantity)]

    act.__name__ = {1.0: "share_and_buy", -1.0: "share_and_sell", 0.0: "share_and_flatten"}[target]
    return act


BUY, SELL, FLATTEN = share_and_go(1.0), share_and_go(-1.0), share_and_go(0.0)
SHARE = [When(state, action=share_close) for state in (FLAT, LONG, SHORT)]


def _pending(state: str, filled: str) -> dict[tuple[str, str], Any]:
    rows = fsm.pending(state, filled=filled, flat=FLAT, long=LONG, short=SHORT)
    return {**rows, (state, fsm.BAR): [When(state, action=share_close)]}


STRATEGY = fsm.strategy(
    "pairs",
    params=PairParams,
    context=PairContext,
    indicators=lambda p: {"z": fsm.zscore(p.window, source=None)},
    observe=observe,
    peers=peers,
    events=(*fsm.STANDARD_EVENTS, PEER_CLOSE),
    ignore=(*fsm.SESSION_EVENTS, PEER_CLOSE),  # a peer's close only feeds ``observe``
    states={
        FLAT: fsm.flat(),
        LONG_PENDING: fsm.holds(*ANY, orders=[fsm.buy(closes=False)]),
        LONG: fsm.long(),
        SHORT_PENDING: fsm.holds(*ANY, orders=[fsm.sell(closes=False)]),
        SHORT: fsm.short(),
        FLATTEN_PENDING: fsm.holds("long", "short", orders=[fsm.closing()]),
    },
    table={
        (FLAT, fsm.BAR): [
            When(LONG_PENDING, cheap, BUY),
            When(SHORT_PENDING, rich, SELL),
            SHARE[0],
        ],
        (LONG, fsm.BAR): [
            When(SHORT_PENDING, rich, SELL),
            When(FLATTEN_PENDING, converged, FLATTEN),
            SHARE[1],
        ],
        (SHORT, fsm.BAR): [
            When(LONG_PENDING, cheap, BUY),
            When(FLATTEN_PENDING, converged, FLATTEN),
            SHARE[2],
        ],
        **_pending(LONG_PENDING, LONG),
        **_pending(SHORT_PENDING, SHORT),
        **_pending(FLATTEN_PENDING, FLAT),
    },
    walks=fsm.Walks(
        params={"legs": ["SYM", "PEER"], "window": 3, "entry": 1.0, "exit": 0.5},
        closes=(95.0, 100.0, 105.0),
    ),
)

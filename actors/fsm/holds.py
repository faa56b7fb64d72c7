"""What the broker holds for an instrument in each state: the declaration inference reads.

Theory of operation. A state declares the broker facts that are true while the strategy
rests in it: the sign of the position (flat, long, short, or a set of them) and its open
orders, one slot each (a side or either, optionally an order type, one or optional, and
whether the order closes the position: its remaining quantity brings the position to
exactly zero). From these declarations alone the engine derives:

* ``infer``: the one state whose declaration a broker snapshot satisfies (``match``);
* the static ambiguity check: two states whose declarations some snapshot satisfies both
  (``overlap``), found by enumerating abstract snapshots (a sign, and orders described by
  side, type and whether they close), never by sampling;
* which states can receive broker events at all (those with an order slot).

A snapshot is described the way the broker reports it: a position and open orders with
their *remaining* quantities, so a declaration holds after partial fills as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations_with_replacement, permutations, product

from tradeswarm.messages import OrderType, Side


class Sign(StrEnum):
    FLAT = "flat"
    LONG = "long"
    SHORT = "short"


def sign_of(position: float) -> Sign:
    return Sign.LONG if position > 0 else Sign.SHORT if position < 0 else Sign.FLAT


@dataclass(frozen=True, slots=True)
class Order:
    """An open order as inference sees it: side, type, and remaining quantity."""

    side: Side
    order_type: OrderType
    remaining: float

    def closes(self, position: float) -> bool:
        signed = self.remaining if self.side is Side.BUY else -self.remaining
        return position != 0 and position + signed == 0


@dataclass(frozen=True, slots=True)
class Slot:
    """One open order a state holds: ``side`` (None: either), ``order_type`` (None: any),
    ``optional`` (zero or one instead of exactly one), ``closes`` (True: it brings the
    position to zero; False: it does not; None: either)."""

    side: Side | None = None
    order_type: OrderType | None = None
    optional: bool = False
    closes: bool | None = None

    def admits(self, order: Order, position: float) -> bool:
        if self.side is not None and order.side is not self.side:
            return False
        if self.order_type is not None and order.order_type is not self.order_type:
            return False
        return self.closes is None or order.closes(position) == self.closes

    def __str__(self) -> str:
        words = [self.side.value if self.side else "buy or sell"]
        if self.order_type is not None:
            words.append(self.order_type.value)
        if self.closes is not None:
            words.append("closing" if self.closes else "not closing")
        return ("optional " if self.optional else "") + " ".join(words)


@dataclass(frozen=True, slots=True)
class Holds:
    """The broker facts of one state: the position's possible signs and its order slots."""

    signs: frozenset[Sign]
    orders: tuple[Slot, ...] = ()

    def match(self, position: float, orders: Sequence[Order]) -> bool:
        """Whether a position and its open orders satisfy this declaration: the sign is
        one of ``signs`` and the orders fill the slots one to one (optional slots may stay
        empty)."""
        if sign_of(position) not in self.signs:
            return False
        required = sum(not slot.optional for slot in self.orders)
        if not required <= len(orders) <= len(self.orders):
            return False
        for chosen in permutations(range(len(self.orders)), len(orders)):
            taken = set(chosen)
            if all(self.orders[i].optional or i in taken for i in range(len(self.orders))) and all(
                self.orders[slot].admits(order, position)
                for slot, order in zip(chosen, orders, strict=True)
            ):
                return True
        return False

    @property
    def has_orders(self) -> bool:
        return bool(self.orders)

    def __str__(self) -> str:
        signs = " or ".join(sign.value for sign in Sign if sign in self.signs)
        orders = ", ".join(map(str, self.orders)) or "no open order"
        return f"{signs}; {orders}"


def holds(*signs: Sign | str, orders: Iterable[Slot] = ()) -> Holds:
    """``holds("flat", "long", orders=[buy()])``: the declaration of one state."""
    return Holds(frozenset(Sign(sign) for sign in signs), tuple(orders))


def flat() -> Holds:
    return holds(Sign.FLAT)


def long(*orders: Slot) -> Holds:
    return holds(Sign.LONG, orders=orders)


def short(*orders: Slot) -> Holds:
    return holds(Sign.SHORT, orders=orders)


def buy(
    order_type: OrderType | None = None, *, optional: bool = False, closes: bool | None = None
) -> Slot:
    return Slot(Side.BUY, order_type, optional, closes)


def sell(
    order_type: OrderType | None = None, *, optional: bool = False, closes: bool | None = None
) -> Slot:
    return Slot(Side.SELL, order_type, optional, closes)


def closing(order_type: OrderType | None = None, *, optional: bool = False) -> Slot:
    """An order of either side that brings the position to zero."""
    return Slot(None, order_type, optional, True)


# -- static ambiguity: abstract snapshots --------------------------------------------------

_POSITIONS = {Sign.FLAT: 0.0, Sign.LONG: 100.0, Sign.SHORT: -100.0}


def _abstract_orders(position: float) -> list[Order]:
    """Every kind of order the declarations can tell apart, at ``position``: each side and
    type, closing the position where it can and not closing it."""
    kinds = []
    for side, order_type in product(Side, OrderType):
        kinds.append(Order(side, order_type, 50.0))  # closes nothing: half of 100
        closing_order = Order(side, order_type, abs(position))
        if closing_order.closes(position):
            kinds.append(closing_order)
    return kinds


def snapshots(declaration: Holds) -> Iterator[tuple[Sign, tuple[Order, ...]]]:
    """Every abstract snapshot (a sign, a multiset of abstract orders) the declaration
    satisfies: finite, so overlaps are found by enumeration, not by chance."""
    for sign in sorted(declaration.signs):
        position = _POSITIONS[sign]
        kinds = _abstract_orders(position)
        for count in range(len(declaration.orders) + 1):
            for orders in combinations_with_replacement(kinds, count):
                if declaration.match(position, orders):
                    yield sign, orders


def overlaps(declarations: Mapping[str, Holds]) -> Iterator[tuple[str, str, str]]:
    """``(first, second, snapshot)`` for each pair of states some snapshot satisfies both,
    with the first such snapshot described."""
    seen: dict[tuple[Sign, tuple[Order, ...]], str] = {}
    reported: set[tuple[str, str]] = set()
    for state, declaration in declarations.items():
        for snapshot in snapshots(declaration):
            key = (snapshot[0], tuple(sorted(snapshot[1], key=repr)))
            other = seen.setdefault(key, state)
            if other != state and (other, state) not in reported:
                reported.add((other, state))
                yield other, state, describe(_POSITIONS[snapshot[0]], snapshot[1])


def describe(position: float, orders: Sequence[Order]) -> str:
    listed = ", ".join(f"{o.side} {o.remaining:g} {o.order_type}" for o in orders) or "none"
    return f"(position {position:g}; open orders {listed})"

"""What a guard or an action sees: the instrument's context.

``InstrumentContext`` (``actors.fsm.engine``) holds the broker facts the engine keeps in
step with the broker's replies (position, open orders with their remaining quantities).
``Context`` adds what a strategy built with ``actors.fsm.build`` gets for free: its typed
``params``, its indicators as ``ind.<name>``, the last ``bar``, and, for strategies that
declare ``reads_portfolio``, the broker's ``portfolio`` figures. Strategies that keep
more extended state subclass ``Context`` (a dataclass) and name it in ``strategy(...)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tradeswarm.actors.fsm.engine import InstrumentContext
from tradeswarm.messages import Bar

__all__ = ["Account", "Context", "Indicators", "Portfolio", "PortfolioUnavailable"]


class Account(NamedTuple):
    """The broker's figures as of a bar time: after it matched the bar at ``ts_ns``, its
    cash, and its equity with every position marked at the last close it had passed."""

    ts_ns: int
    cash: float
    equity: float


class Portfolio(NamedTuple):
    """What an action sizes by: the broker's ``cash`` and ``equity`` (``Account``), and
    this instrument's ``position_value`` (position times this bar's close)."""

    cash: float
    equity: float
    position_value: float


class PortfolioUnavailable(RuntimeError):
    """The portfolio was read by a strategy that does not declare ``reads_portfolio``, or
    before the broker's figures for this bar arrived."""


class Indicators:
    """A strategy's indicators by name (``ctx.ind.fast``), updated in declaration order."""

    __slots__ = ("_by_name",)

    def __init__(self, by_name: Mapping[str, Any]) -> None:
        self._by_name = dict(by_name)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self._by_name) or "none"
            raise AttributeError(f"no indicator {name!r}; the indicators are {known}") from None

    def __reduce__(self) -> tuple[type[Indicators], tuple[dict[str, Any]]]:
        """Pickled by its mapping (a host's checkpoint): rebuilt through ``__init__``, since
        ``__getattr__`` cannot answer before the slot is set."""
        return (Indicators, (self._by_name,))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._by_name.values())

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self._by_name.items())

    def __len__(self) -> int:
        return len(self._by_name)


@dataclass(slots=True)
class Context(InstrumentContext):
    params: Any = None
    ind: Indicators = field(default_factory=lambda: Indicators({}))
    bar: Bar | None = None
    account: Account | None = None
    reads_portfolio: bool = False
    allow_fractional: bool = False  # the broker's setting: sizing rounds to whole shares

    @property
    def close(self) -> float:
        """The last bar's close (0.0 before the first bar)."""
        return self.bar.close if self.bar is not None else 0.0

    @property
    def portfolio(self) -> Portfolio:
        if not self.reads_portfolio:
            raise PortfolioUnavailable(
                "the strategy reads the portfolio; declare reads_portfolio=True in strategy(...)"
            )
        account, bar = self.account, self.bar
        if account is None or bar is None or account.ts_ns < bar.ts_ns:
            raise PortfolioUnavailable("the broker's figures for this bar have not arrived")
        return Portfolio(account.cash, account.equity, self.position * bar.close)

"""Incremental indicators for strategy authors: one bar in, one value out, bounded memory.

Theory of operation. Every indicator but ``crossover`` wraps a talipp indicator: talipp does
the arithmetic; this module picks the number from the bar (the source) and bounds memory.
talipp keeps every input and output in lists, which months of bars cannot afford, so past
``keep + PURGE_SLACK`` outputs they are cut back to ``keep = max(2 * warmup, MIN_KEEP)`` by
talipp's own ``purge_oldest`` (managed sequences and sub-indicators included). talipp reads
at most ``warmup + 1`` values back, so no value changes (tested over 50,000 inputs).
``warmup`` inputs make ``value`` not None: the engine warms a restarted instrument with that
many bars. ``crossover`` holds no history; it reads inputs the engine updated first.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, Generic, Literal, NamedTuple, TypeVar, get_args

from talipp.indicators import ATR, BB, EMA, RSI, SMA, StdDev
from talipp.ohlcv import OHLCV

from tradeswarm.messages import Bar

__all__ = ["Bands", "Indicator", "atr", "bollinger", "crossover", "ema", "rsi", "sma", "zscore"]

T = TypeVar("T")
Field = Literal["close", "open", "high", "low", "volume"]
Source = Field | Callable[[Bar], float] | None  # None: manual, fed only by ``add``

FIELDS: tuple[str, ...] = get_args(Field)
MIN_KEEP = 64  # talipp values kept after a purge, at least
PURGE_SLACK = 1024  # values allowed beyond keep: one purge (a list copy) per 1024 inputs
TIE_TOLERANCE = 1e-12  # crossover: a difference below this fraction of the inputs is 0
FLAT_TOLERANCE = 1e-12  # zscore: a deviation below this fraction of |mean| counts as 0


class Bands(NamedTuple):
    """Bollinger bands: ``middle`` is the moving average, the others ``k`` deviations off."""

    lower: float
    middle: float
    upper: float


class Indicator(Generic[T]):
    """One indicator of one instrument: ``value`` is None until ``warmup`` inputs are in."""

    __slots__ = ("name", "value", "warmup")

    def __init__(self, name: str, warmup: int) -> None:
        self.name = name  # shown in error messages and diagrams; set it to rename
        self.warmup = warmup
        self.value: T | None = None

    @property
    def ready(self) -> bool:
        return self.value is not None

    def update(self, bar: Bar) -> None:
        """Take one bar (the part of it the indicator's source picks)."""
        raise NotImplementedError

    def add(self, x: float) -> None:
        """Take one number directly, for series that are not bars (a pairs spread)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.name} = {self.value!r}>"


class _Talipp(Indicator[T]):
    """A talipp indicator fed from a source, purged so that its lists stay bounded."""

    __slots__ = ("_get", "_inner", "_keep", "_limit")

    def __init__(self, name: str, warmup: int, inner: Any, source: Source) -> None:
        super().__init__(name, warmup)
        self._inner = inner
        self._get = _getter(source)
        self._keep = max(2 * warmup, MIN_KEEP)
        self._limit = self._keep + PURGE_SLACK

    def update(self, bar: Bar) -> None:
        get = self._get
        if get is not None:
            self.value = self._feed(get(bar))

    def add(self, x: float) -> None:
        self.value = self._feed(x)

    def _feed(self, x: Any) -> Any:
        inner = self._inner
        inner.add(x)
        outputs = inner.output_values
        if len(outputs) > self._limit:
            inner.purge_oldest(len(outputs) - self._keep)
        return outputs[-1]

    def _talipp(self) -> tuple[Any, ...]:
        """The talipp objects behind this indicator (tests check that they stay bounded)."""
        return (self._inner,)


class _Bollinger(_Talipp[Bands]):
    __slots__ = ()

    def _feed(self, x: Any) -> Any:
        out = super()._feed(x)
        return None if out is None else Bands(out.lb, out.cb, out.ub)


class _Atr(_Talipp[float]):
    __slots__ = ()

    def update(self, bar: Bar) -> None:
        self.value = self._feed(OHLCV(bar.open, bar.high, bar.low, bar.close, bar.volume))

    def add(self, x: float) -> None:
        raise TypeError(f"{self.name} takes bars, not numbers: a true range needs OHLC")


class _ZScore(Indicator[float]):
    __slots__ = ("_deviation", "_get", "_mean")

    def __init__(self, name: str, period: int, source: Source) -> None:
        super().__init__(name, period)
        self._get = _getter(source)
        self._mean: _Talipp[float] = _Talipp(f"{name}.mean", period, SMA(period), None)
        self._deviation: _Talipp[float] = _Talipp(f"{name}.sd", period, StdDev(period), None)

    def update(self, bar: Bar) -> None:
        if self._get is not None:
            self.add(self._get(bar))

    def add(self, x: float) -> None:
        self._mean.add(x)
        self._deviation.add(x)
        mean, deviation = self._mean.value, self._deviation.value
        if mean is None or deviation is None or deviation <= FLAT_TOLERANCE * abs(mean):
            self.value = None
        else:
            self.value = (x - mean) / deviation

    def _talipp(self) -> tuple[Any, ...]:
        return self._mean._talipp() + self._deviation._talipp()


class _Level(Indicator[float]):  # a constant, for crossing a level (RSI crossing 30)
    __slots__ = ()

    def __init__(self, level: float) -> None:
        super().__init__(repr(level), 0)
        self.value = level


class _Crossover(Indicator[int]):
    """``value``: 1 on a bar where fast crosses above slow, -1 below, else 0. ``side``:
    which side fast is on now (1 above, -1 below, 0 a tie, None until both are ready),
    with the same tie tolerance, for rules that hold a regime rather than trade a cross."""

    __slots__ = ("_fast", "_nzd", "_slow", "side")

    def __init__(self, fast: Indicator[float], slow: Indicator[float]) -> None:
        super().__init__(f"crossover({fast.name}, {slow.name})", max(fast.warmup, slow.warmup) + 1)
        self._fast, self._slow = fast, slow
        self._nzd: float | None = None  # the last non-zero fast - slow; None: no previous bar
        self.side: int | None = None

    def update(self, bar: Bar) -> None:
        """Read the inputs' values (the engine updated them first); ``bar`` is not used.

        A difference within ``TIE_TOLERANCE`` of the inputs' size is a tie (0): averages
        that are equal in exact arithmetic differ by float noise when computed over
        different windows, and noise must not count as a cross."""
        fast, slow, previous = self._fast.value, self._slow.value, self._nzd
        if fast is None or slow is None:
            self._nzd = self.value = self.side = None
            return
        difference = fast - slow
        if abs(difference) <= TIE_TOLERANCE * max(abs(fast), abs(slow)):
            difference = 0.0
        self.side = (difference > 0) - (difference < 0)
        if previous is None:
            self._nzd, self.value = difference, None  # the seed, even if 0
            return
        if difference != 0:
            self._nzd = difference
        crossed_up = previous < 0 < difference
        crossed_down = previous > 0 > difference
        self.value = 1 if crossed_up else -1 if crossed_down else 0

    def add(self, x: float) -> None:
        raise TypeError(f"{self.name} takes no numbers: it reads its inputs' values on update(bar)")


def sma(period: int, source: Source = "close") -> Indicator[float]:
    """Simple moving average of the last ``period`` inputs (talipp SMA); warmup = period."""
    return _Talipp(_named("sma", period, source), period, SMA(period), source)


def ema(period: int, source: Source = "close") -> Indicator[float]:
    """Exponential moving average (talipp EMA): the SMA of the first ``period`` inputs, then
    ``ema = a * x + (1 - a) * ema`` with ``a = 2 / (period + 1)``; warmup = period."""
    return _Talipp(_named("ema", period, source), period, EMA(period), source)


def rsi(period: int = 14, source: Source = "close") -> Indicator[float]:
    """Wilder's RSI (talipp RSI): ``100 - 100 / (1 + avg_gain / avg_loss)``, 100 when the
    average loss is 0; it needs ``period`` changes, so warmup = period + 1 inputs."""
    return _Talipp(_named("rsi", period, source, minimum=2), period + 1, RSI(period), source)


def atr(period: int = 14) -> Indicator[float]:
    """Wilder's average true range (talipp ATR) of the bars' OHLC; the first true range is
    high - low, the first ATR the mean of ``period`` of them: warmup = period. Bars only."""
    return _Atr(_named("atr", period, "close"), period, ATR(period), None)


def bollinger(period: int = 20, k: float = 2.0, source: Source = "close") -> Indicator[Bands]:
    """Bollinger bands (talipp BB): SMA +- k population standard deviations (see
    ``zscore``) over the last ``period`` inputs; warmup = period."""
    name = _named("bollinger", period, source, more=f", {k}")
    return _Bollinger(name, period, BB(period, k), source)


def zscore(period: int, source: Source = "close") -> Indicator[float]:
    """Rolling z-score ``(x - mean) / sd`` over the last ``period`` inputs, ``x`` included.

    ``mean`` is talipp's SMA, ``sd`` talipp's StdDev, the *population* deviation:
    ``sd = sqrt(sum((x_i - mean)**2) / period)`` (divided by period, not period - 1).
    The value is None while sd is 0: on a flat series talipp leaves rounding noise of ~1e-16
    of the mean, which would give z = +-1 out of nothing, so sd <= FLAT_TOLERANCE * |mean|
    counts as 0. warmup = period (the value may stay None longer on flat input).
    """
    return _ZScore(_named("zscore", period, source, minimum=2), period, source)


def crossover(fast: Indicator[float] | float, slow: Indicator[float] | float) -> Indicator[int]:
    """+1 when ``fast`` crosses above ``slow``, -1 below, else 0: backtrader's CrossOver.

    ``nzd`` is the last non-zero ``fast - slow`` (seeded with the first difference, even 0),
    so touching does not reset it: below, equal, above is one cross up. A cross up needs
    the previous nzd < 0 and now fast > slow. The value is None until one bar after both
    inputs are ready (no previous difference): warmup = max(warmups) + 1; and None again,
    nzd forgotten, on a bar where an input has no value. Either side may be a constant.
    """
    if not isinstance(fast, Indicator) and not isinstance(slow, Indicator):
        raise TypeError("crossover needs at least one indicator, got two numbers")
    fast = fast if isinstance(fast, Indicator) else _Level(float(fast))
    slow = slow if isinstance(slow, Indicator) else _Level(float(slow))
    return _Crossover(fast, slow)


def _getter(source: Source) -> Callable[[Bar], float] | None:
    """Resolve the source once, so that an update costs one C-level attribute lookup."""
    if source is None or callable(source):
        return source
    if source not in FIELDS:
        raise ValueError(f"unknown source {source!r}: one of {', '.join(FIELDS)}, a callable, None")
    return attrgetter(source)


def _named(what: str, period: int, source: Source, *, minimum: int = 1, more: str = "") -> str:
    """Check the period (RSI divides by period - 1; a z-score over one input is never
    defined), then name the indicator: ``sma(10)``, ``bollinger(20, 2.0, high)``."""
    if not isinstance(period, int) or period < minimum:
        raise ValueError(f"{what}: period must be an int >= {minimum}, got {period!r}")
    if source == "close":
        return f"{what}({period}{more})"
    label = "manual" if source is None else getattr(source, "__name__", str(source))
    return f"{what}({period}{more}, {label})"

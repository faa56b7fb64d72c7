"""Indicators against independent computations, their warmups, sources, crossover's
backtrader semantics, and purging that bounds talipp's lists without changing one value."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tradeswarm.actors.fsm import indicators
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
from tradeswarm.messages import Bar

Chain = Callable[[], list[Indicator[Any]]]  # the indicators in update order, the last tested


def make_bar(close: float, *, spread: float = 1.0) -> Bar:
    return Bar(
        symbol="X",
        ts_ns=0,
        open=close - spread / 4,
        high=close + spread,
        low=close - spread,
        close=close,
        volume=1000.0,
    )


def random_bars(count: int, seed: int) -> list[Bar]:
    """A random walk with random ranges, opens and closes anywhere inside them."""
    rng = random.Random(seed)
    bars, price = [], 100.0
    for step in range(count):
        low, high = price - rng.uniform(0, 2), price + rng.uniform(0, 2)
        open_, price = rng.uniform(low, high), rng.uniform(low, high)
        bars.append(
            Bar(
                symbol="X",
                ts_ns=step,
                open=open_,
                high=high,
                low=low,
                close=price,
                volume=rng.uniform(1, 9),
            )
        )
    return bars


def run(chain: list[Indicator[Any]], bars: Sequence[Bar]) -> Iterator[Any]:
    for bar in bars:
        for indicator in chain:
            indicator.update(bar)
        yield chain[-1].value


def values(indicator: Indicator[Any], bars: Sequence[Bar]) -> list[Any]:
    return list(run([indicator], bars))


def as_array(outputs: Sequence[float | None]) -> np.ndarray:
    return np.array([math.nan if x is None else x for x in outputs])


BARS = random_bars(300, seed=7)
CLOSES = pd.Series([bar.close for bar in BARS])


# Values against independent computations


def test_sma_is_the_pandas_rolling_mean() -> None:
    expected = CLOSES.rolling(10).mean().to_numpy()
    np.testing.assert_allclose(as_array(values(sma(10), BARS)), expected, rtol=1e-10)


def test_ema_is_seeded_with_the_sma_then_smoothed_by_two_over_period_plus_one() -> None:
    period, alpha = 10, 2 / 11
    average = sum(CLOSES[:period]) / period
    expected: list[float | None] = [None] * (period - 1) + [average]
    for close in CLOSES[period:]:
        average = alpha * close + (1 - alpha) * average
        expected.append(average)
    np.testing.assert_allclose(as_array(values(ema(period), BARS)), as_array(expected), rtol=1e-10)


def wilder(inputs: Sequence[float], period: int) -> list[float | None]:
    """Wilder's smoothing: the mean of the first ``period`` inputs, then (a*(n-1) + x) / n."""
    average = sum(inputs[:period]) / period
    out: list[float | None] = [None] * (period - 1) + [average]
    for x in inputs[period:]:
        average = (average * (period - 1) + x) / period
        out.append(average)
    return out


def test_rsi_is_wilders_relative_strength_of_average_gains_and_losses() -> None:
    changes = CLOSES.diff().to_numpy()[1:]
    gains, losses = wilder(np.maximum(changes, 0), 14), wilder(np.maximum(-changes, 0), 14)
    expected: list[float | None] = [None]  # a change needs two closes
    for gain, loss in zip(gains, losses, strict=True):
        expected.append(None if gain is None or loss is None else 100 - 100 / (1 + gain / loss))
    np.testing.assert_allclose(as_array(values(rsi(14), BARS)), as_array(expected), rtol=1e-10)


def test_rsi_is_100_when_prices_only_rise() -> None:
    assert values(rsi(3), [make_bar(100 + i) for i in range(6)])[-1] == 100.0


def test_atr_is_wilders_average_of_true_ranges_the_first_being_high_minus_low() -> None:
    ranges = [BARS[0].high - BARS[0].low] + [
        max(bar.high - bar.low, abs(bar.high - previous.close), abs(bar.low - previous.close))
        for previous, bar in itertools.pairwise(BARS)
    ]
    np.testing.assert_allclose(
        as_array(values(atr(14), BARS)), as_array(wilder(ranges, 14)), rtol=1e-10
    )


def test_bollinger_bands_are_the_rolling_mean_plus_minus_k_population_deviations() -> None:
    mean, deviation = CLOSES.rolling(20).mean(), CLOSES.rolling(20).std(ddof=0)
    bands = values(bollinger(20, 2.5), BARS)
    assert bands[18] is None and isinstance(bands[19], Bands)
    for field, expected in (
        ("lower", mean - 2.5 * deviation),
        ("middle", mean),
        ("upper", mean + 2.5 * deviation),
    ):
        got = as_array([None if b is None else getattr(b, field) for b in bands])
        np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-10)


def test_zscore_is_the_distance_from_the_rolling_mean_in_population_deviations() -> None:
    expected = (CLOSES - CLOSES.rolling(20).mean()) / CLOSES.rolling(20).std(ddof=0)
    np.testing.assert_allclose(as_array(values(zscore(20), BARS)), expected.to_numpy(), rtol=1e-8)


# Over 20 copies of these, talipp's StdDev gives 0, 1.4e-17, 4.3e-14 and 1.1e-16.
@pytest.mark.parametrize("level", [0.0, 0.1, 101.37, 1 / 3])
def test_zscore_is_none_while_the_window_is_flat_despite_rounding_noise(level: float) -> None:
    z = zscore(20, source=None)
    for _ in range(60):
        z.add(level)
        assert z.value is None
    z.add(level + 1)
    assert z.value == pytest.approx(math.sqrt(19))  # 19 at the level, one 1 above


# Crossover: backtrader's CrossOver, hand-computed


def crossings(differences: Sequence[float]) -> list[int | None]:
    fast, slow = sma(1, source=None), sma(1, source=None)
    cross, out = crossover(fast, slow), []
    for difference in differences:
        fast.add(10.0 + difference)
        slow.add(10.0)
        cross.update(BARS[0])
        out.append(cross.value)
    return out


@pytest.mark.parametrize(
    ("differences", "expected"),
    [
        pytest.param([1, 1, 1], [None, 0, 0], id="first ready bar above is not a cross"),
        pytest.param([1, -1, -2, 1], [None, -1, 0, 1], id="down then up"),
        pytest.param([-1, 0, 1], [None, 0, 1], id="below, touch, above is one cross up"),
        pytest.param([-1, 1, 0, 1], [None, 1, 0, 0], id="up, equal, up is one cross"),
        pytest.param([1, -1, 0, 1], [None, -1, 0, 1], id="down, equal, up is a cross"),
        pytest.param([1, 0, 0, -1], [None, 0, 0, -1], id="equality keeps the last non-zero"),
        pytest.param([0, 1, -1], [None, 0, -1], id="a first difference of 0 is kept"),
    ],
)
def test_crossover_follows_backtraders_last_non_zero_difference(
    differences: list[float], expected: list[int | None]
) -> None:
    assert crossings(differences) == expected


def test_crossover_crosses_a_constant_level_on_either_side() -> None:
    strength = sma(1, source=None)
    up, down = crossover(strength, 30.0), crossover(30.0, strength)
    assert up.name == "crossover(sma(1, manual), 30.0)"
    seen = []
    for x in (45.0, 25.0, 30.0, 35.0):
        strength.add(x)
        up.update(BARS[0])
        down.update(BARS[0])
        seen.append((up.value, down.value))
    assert seen == [(None, None), (-1, 1), (0, 0), (1, -1)]


def test_crossover_of_two_numbers_is_refused() -> None:
    with pytest.raises(TypeError, match="at least one indicator"):
        crossover(1.0, 2.0)


def test_crossover_update_reads_its_inputs_without_updating_them() -> None:
    fast, slow = sma(1), sma(2)
    cross = crossover(fast, slow)
    for bar in BARS[:5]:
        cross.update(bar)
    assert (fast.value, slow.value, cross.value) == (None, None, None)


def test_crossover_is_none_and_forgets_its_difference_when_an_input_loses_its_value() -> None:
    z = zscore(2, source=None)  # None again on a flat window
    cross = crossover(z, 0.5)
    seen = []
    for x in (1.0, 2.0, 1.0, 1.0, 2.0, 1.0):
        z.add(x)
        cross.update(BARS[0])
        seen.append(cross.value)
    assert seen == [None, None, -1, None, None, -1]


def test_crossover_add_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"crossover\(sma\(2\), sma\(3\)\) takes no numbers"):
        crossover(sma(2), sma(3)).add(1.0)


# Warmup and readiness


def crossing_averages() -> list[Indicator[Any]]:
    fast, slow = sma(3), ema(5)
    return [fast, slow, crossover(fast, slow)]


def crossing_a_level() -> list[Indicator[Any]]:
    strength = rsi(4)
    return [strength, crossover(strength, 50.0)]


CHAINS: dict[str, tuple[Chain, int]] = {
    "sma(5)": (lambda: [sma(5)], 5),
    "ema(5)": (lambda: [ema(5)], 5),
    "rsi(5)": (lambda: [rsi(5)], 6),
    "rsi()": (lambda: [rsi()], 15),
    "atr(5)": (lambda: [atr(5)], 5),
    "atr()": (lambda: [atr()], 14),
    "bollinger(5)": (lambda: [bollinger(5)], 5),
    "bollinger()": (lambda: [bollinger()], 20),
    "zscore(5)": (lambda: [zscore(5)], 5),
    "crossover(sma(3), ema(5))": (crossing_averages, 6),
    "crossover(rsi(4), 50.0)": (crossing_a_level, 6),
}


@pytest.mark.parametrize("name", CHAINS)
def test_warmup_is_exactly_the_number_of_inputs_before_the_value_appears(name: str) -> None:
    build, warmup = CHAINS[name]
    chain = build()
    assert chain[-1].warmup == warmup
    outputs = list(run(chain, BARS[:100]))
    assert outputs[: warmup - 1] == [None] * (warmup - 1)
    assert None not in outputs[warmup - 1 :]


@pytest.mark.parametrize("name", CHAINS)
def test_ready_is_false_until_the_warmup_is_in_then_true(name: str) -> None:
    build, warmup = CHAINS[name]
    chain, readiness = build(), []
    for bar in BARS[: warmup + 3]:
        for indicator in chain:
            indicator.update(bar)
        readiness.append(chain[-1].ready)
    assert readiness == [False] * (warmup - 1) + [True] * 4


# Sources, names, refusals


def test_the_module_exports_exactly_the_strategy_authors_api() -> None:
    expected = {
        "Indicator",
        "Bands",
        "sma",
        "ema",
        "rsi",
        "atr",
        "bollinger",
        "zscore",
        "crossover",
    }
    assert sorted(indicators.__all__) == sorted(expected)


@pytest.mark.parametrize("field", indicators.FIELDS)
def test_a_bar_field_source_feeds_that_field(field: str) -> None:
    average = sma(1, source=field)  # type: ignore[arg-type]
    average.update(BARS[3])
    assert average.value == getattr(BARS[3], field)


def test_a_callable_source_is_called_with_each_bar() -> None:
    def midpoint(bar: Bar) -> float:
        return (bar.high + bar.low) / 2

    average = sma(2, source=midpoint)
    assert average.name == "sma(2, midpoint)"
    for close in (10.0, 20.0):
        average.update(make_bar(close, spread=3.0))
    assert average.value == 15.0


def test_a_manual_indicator_ignores_bars_and_takes_numbers_from_add() -> None:
    spread = ema(2, source=None)
    for bar in BARS[:10]:
        spread.update(bar)
    assert not spread.ready
    spread.add(1.0)
    spread.add(3.0)
    assert spread.value == 2.0


def test_an_unknown_source_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown source 'hlc3': one of close, open"):
        sma(3, source="hlc3")  # type: ignore[arg-type]


def test_atr_add_is_a_type_error_naming_the_indicator() -> None:
    with pytest.raises(TypeError, match=r"atr\(14\) takes bars, not numbers"):
        atr().add(1.0)


def test_names_say_what_how_long_and_which_source_and_can_be_set() -> None:
    names = [sma(10).name, ema(5, "high").name, bollinger().name, zscore(3, None).name, atr().name]
    assert names == [
        "sma(10)",
        "ema(5, high)",
        "bollinger(20, 2.0)",
        "zscore(3, manual)",
        "atr(14)",
    ]
    average = sma(3)
    average.name = "trend"
    assert crossover(average, 1.0).name == "crossover(trend, 1.0)"


@pytest.mark.parametrize(
    "build",
    [lambda: sma(0), lambda: rsi(1), lambda: zscore(1), lambda: atr(2.5)],  # type: ignore[arg-type]
)
def test_periods_below_the_minimum_or_not_whole_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="period must be an int"):
        build()


# Purging: bounded lists, identical values


def talipp_lengths(inner: Any) -> Iterator[int]:
    """Every list a talipp indicator holds, its sub-indicators' included."""
    yield len(inner.input_values)
    yield len(inner.output_values)
    for sequence in inner.managed_sequences:
        yield from (
            talipp_lengths(sequence) if hasattr(sequence, "output_values") else [len(sequence)]
        )
    for sub in inner.sub_indicators:
        yield from talipp_lengths(sub)


def longest_list(indicator: Indicator[Any]) -> int:
    return max(max(talipp_lengths(inner)) for inner in indicator._talipp())  # type: ignore[attr-defined]


BUILDERS: dict[str, Callable[[], Indicator[Any]]] = {
    "sma": lambda: sma(20),
    "ema": lambda: ema(20),
    "rsi": lambda: rsi(14),
    "atr": lambda: atr(14),
    "bollinger": lambda: bollinger(20, 2.0),
    "zscore": lambda: zscore(20),
}


@pytest.fixture(scope="module")
def many_bars() -> list[Bar]:
    return random_bars(50_000, seed=11)


@pytest.mark.parametrize("kind", BUILDERS)
def test_purging_bounds_talipps_lists_and_changes_no_value(
    kind: str, many_bars: list[Bar], monkeypatch: pytest.MonkeyPatch
) -> None:
    purged = BUILDERS[kind]()
    monkeypatch.setattr(indicators, "PURGE_SLACK", 10**9)
    unpurged = BUILDERS[kind]()
    limit = max(2 * purged.warmup, indicators.MIN_KEEP) + 1024
    longest = 0
    for step, bar in enumerate(many_bars):
        purged.update(bar)
        unpurged.update(bar)
        assert purged.value == unpurged.value, f"{kind} differs at input {step}"
        if step % 97 == 0:
            longest = max(longest, longest_list(purged))
    assert purged.ready
    assert longest <= limit
    assert longest_list(purged) <= limit
    assert longest_list(unpurged) >= len(many_bars)  # the reference really kept everything

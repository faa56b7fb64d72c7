"""The report's charts, drawn with matplotlib's Agg renderer into PNG bytes.

Only the object API is used (``Figure``, never ``pyplot``): no global state, no GUI
backend chosen or needed, safe to call from any thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 3.6, 100
MAX_LEGEND_SYMBOLS = 12
MAX_TIMELINE_SYMBOLS = 40
_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)  # matplotlib's tab10, in a fixed order


def _figure(height: float = HEIGHT_IN, rows: int = 1) -> tuple[Figure, list]:
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    axes = figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0].tolist()
    for ax in axes:
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    return figure, axes


def _png(figure: Figure) -> bytes:
    for ax in figure.axes:
        locator = mdates.AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _dates(index: pd.Index) -> np.ndarray:
    return pd.DatetimeIndex(index).to_numpy(dtype="datetime64[ns]")


def _money(value: float, _position: object = None) -> str:
    return f"{value:,.0f}"


def equity_chart(equity: pd.Series, benchmark: pd.Series | None, benchmark_name: str) -> bytes:
    """Equity, and the benchmark bought with the same money on the first day."""
    figure, (ax,) = _figure()
    ax.plot(_dates(equity.index), equity.to_numpy(), color=_COLORS[0], lw=1.2, label="equity")
    if benchmark is not None and len(benchmark):
        scaled = benchmark / benchmark.iloc[0] * equity.loc[benchmark.index[0]]
        ax.plot(
            _dates(scaled.index),
            scaled.to_numpy(),
            color="#888888",
            lw=1.0,
            label=f"{benchmark_name} (same start)",
        )
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title("Equity against the benchmark", loc="left")
    ax.legend(loc="upper left", frameon=False)
    return _png(figure)


def drawdown_chart(equity: pd.Series) -> bytes:
    """How far equity is below its running peak (the underwater curve)."""
    drawdown = equity / equity.cummax() - 1.0
    figure, (ax,) = _figure(HEIGHT_IN * 0.8)
    dates = _dates(drawdown.index)
    ax.fill_between(dates, drawdown.to_numpy(), 0.0, color=_COLORS[3], alpha=0.35, lw=0)
    ax.plot(dates, drawdown.to_numpy(), color=_COLORS[3], lw=0.8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(top=0.0)
    ax.set_title("Drawdown (underwater)", loc="left")
    return _png(figure)


def exposure_chart(values: pd.DataFrame, exposure: pd.DataFrame) -> bytes:
    """Market value held per symbol (longs stacked up, shorts down), and gross and net
    market value as a share of equity."""
    figure, (top, bottom) = _figure(HEIGHT_IN * 1.5, rows=2)
    dates = _dates(values.index)
    traded = [symbol for symbol in values.columns if (values[symbol] != 0).any()]
    title = "Market value held, by symbol"
    if len(traded) > MAX_LEGEND_SYMBOLS:  # too many to tell apart: the book's long and short
        title = f"Market value held ({len(traded)} symbols)"
        values = pd.DataFrame(
            {
                "long": values.clip(lower=0.0).sum(axis=1),
                "short": values.clip(upper=0.0).sum(axis=1),
            }
        )
        traded = [name for name in values.columns if (values[name] != 0).any()]
    colors = [_COLORS[n % len(_COLORS)] for n in range(len(traded))]
    if traded:
        longs = values[traded].clip(lower=0.0).to_numpy().T
        shorts = values[traded].clip(upper=0.0).to_numpy().T
        top.stackplot(dates, longs, colors=colors, labels=traded, step="post", lw=0)
        if (shorts < 0).any():
            top.stackplot(dates, shorts, colors=colors, step="post", lw=0)
        top.legend(loc="upper left", frameon=True, framealpha=0.8, ncols=min(len(traded), 6))
    top.axhline(0.0, color="#999999", lw=0.6)
    top.yaxis.set_major_formatter(FuncFormatter(_money))
    top.set_title(title, loc="left")
    gross = exposure["gross"].to_numpy()
    net = exposure["net"].to_numpy()
    bottom.fill_between(
        dates, gross, 0.0, step="post", color=_COLORS[0], alpha=0.3, lw=0, label="gross"
    )
    bottom.step(dates, net, where="post", color=_COLORS[2], lw=0.8, label="net")
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
    bottom.set_title("Exposure (market value / equity)", loc="left")
    bottom.legend(loc="upper left", frameon=True, framealpha=0.8, ncols=2)
    return _png(figure)


def state_timeline_chart(
    timeline: pd.DataFrame,
    symbols: Sequence[str],
    states: Sequence[str],
    initial: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> bytes:
    """Each instrument's FSM state over time, one row per symbol, one colour per state.

    ``timeline`` has the columns ``ts`` (timestamps), ``symbol``, ``from``, ``to``, in time
    order. A symbol is in ``initial`` (or its first row's ``from``) until its first row.
    """
    shown = list(symbols)[:MAX_TIMELINE_SYMBOLS]
    height = min(1.2 + 0.35 * max(len(shown), 1), 16.0)
    figure, (ax,) = _figure(height)
    names = list(dict.fromkeys([*states, *timeline["from"], *timeline["to"]]))
    colors = {state: _COLORS[n % len(_COLORS)] for n, state in enumerate(names)}
    left, right = (
        mdates.date2num(np.datetime64(start, "ns")),
        mdates.date2num(np.datetime64(end, "ns")),
    )
    groups = dict(tuple(timeline.groupby("symbol", sort=False)))
    for row, symbol in enumerate(shown):
        rows = groups.get(symbol)
        if rows is None or rows.empty:
            times, held = np.array([left]), [initial]
        else:
            stamps = mdates.date2num(_dates(pd.Index(rows["ts"])))
            times = np.concatenate([[left], stamps])
            held = [str(rows["from"].iloc[0]), *map(str, rows["to"])]
        ends = np.append(times[1:], right)
        for state in dict.fromkeys(held):
            mask = np.array([h == state for h in held])
            spans = [(s, e - s) for s, e in zip(times[mask], ends[mask], strict=True) if e > s]
            if spans:
                ax.broken_barh(spans, (row - 0.4, 0.8), facecolors=colors[state], lw=0)
    ax.set_yticks(range(len(shown)), shown)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(left, right)
    ax.grid(False, axis="y")
    title = "FSM state per instrument"
    if len(symbols) > len(shown):
        title += f" (first {len(shown)} of {len(symbols)} symbols)"
    ax.set_title(title, loc="left")
    handles = [Patch(facecolor=colors[state], label=state) for state in names]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08 * 3.6 / height),
        ncols=min(len(handles), 6),
        frameon=False,
    )
    return _png(figure)

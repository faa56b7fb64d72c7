"""The report of a finished run, built from its run folder alone.

``build_report(run_folder)`` reads ``scenario.toml``, ``fills.csv``, ``timeline.csv`` (and
``summary.json`` where present) and the scenario's data, and writes beside them:

* ``metrics.json``: the whole-run tear sheet, the trade statistics, the trailing 1/3/6/12
  month windows that end at the last month end, every rolling window, monthly and yearly
  returns;
* ``metrics.csv``: one row per window, ``all`` (the whole run, with the trade statistics)
  first, then every rolling window (``1m``, ``3m``, ...) by end date;
* ``trades.csv``: the closed round trips: symbol, opened, closed (session dates), P&L;
* ``equity.png``, ``drawdown.png``, ``exposure.png``, ``states.png``: the charts;
* ``report.html``: all of it on one page that opens offline.

Numbers in ``metrics.json`` are plain JSON; a metric that is not defined (too short a run,
a flat benchmark) is the string ``"NaN"``, and an infinite one ``"Infinity"`` or
``"-Infinity"``, so the file stays valid JSON that ``float()`` and JavaScript's
``Number()`` both read. Conventions of the metrics: ``scenarios.report.metrics``.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradeswarm.actors.fsm.diagram import DiagramError, render_svg, to_dot, to_mermaid
from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.report import charts as report_charts
from tradeswarm.scenarios.report import page as report_html
from tradeswarm.scenarios.report.equity import (
    FILLS_FILE,
    benchmark_prices,
    daily_equity,
    exposure_by_day,
    marks_by_day,
    positions_by_day,
    read_fills,
    run_scenario_file,
    scenario_closes,
    session_dates,
)
from tradeswarm.scenarios.report.metrics import METRICS, align_benchmark, rolling_table, tear_sheet
from tradeswarm.scenarios.report.trade_stats import FillRow, round_trips, trade_stats
from tradeswarm.scenarios.strategies import resolve_strategy

TIMELINE_FILE = "timeline.csv"
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"
METRICS_JSON = "metrics.json"
METRICS_CSV = "metrics.csv"
TRADES_CSV = "trades.csv"
TRAILING_MONTHS = (1, 3, 6, 12)
TRADES_IN_PAGE = 1000
TRADE_STAT_NAMES = (
    "round_trips",
    "win_rate",
    "average_win",
    "average_loss",
    "exposure",
    "turnover",
    "commissions",
)
CHARTS = (
    ("equity", "Equity against the benchmark"),
    ("drawdown", "Drawdown"),
    ("exposure", "Positions and exposure"),
    ("states", "FSM state timeline"),
)


@dataclass(frozen=True)
class RunData:
    """What a report is made of, read from a run folder and the scenario's data."""

    folder: Path
    scenario: Scenario
    summary: dict[str, Any]
    fills: list[FillRow]
    positions: pd.DataFrame  # session dates x symbols, end-of-day quantities
    marks: pd.DataFrame  # session dates x symbols, the price each position is marked at
    equity: pd.Series  # session dates
    benchmark: pd.Series  # dates, prices
    timeline: pd.DataFrame  # ts (naive UTC), symbol, from, event, to


def read_timeline(path: Path) -> pd.DataFrame:
    """``timeline.csv`` as a frame with ``ts`` parsed (naive UTC); empty if there is none."""
    columns = ["ts", "symbol", "from", "event", "to"]
    if not path.exists():
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns}).assign(
            ts=pd.Series(dtype="datetime64[ns]")
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; expected {columns}")
    stamps = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    frame["ts"] = stamps.dt.tz_localize(None).astype("datetime64[ns]")
    return frame[columns].sort_values("ts", kind="stable").reset_index(drop=True)


def load_run(run_folder: Path) -> RunData:
    folder = Path(run_folder)
    scenario = run_scenario_file(folder)
    fills_path = folder / FILLS_FILE
    if not fills_path.exists():
        raise UserError(f"{fills_path}: not found; is {folder} the folder of a finished run?")
    fills = read_fills(fills_path)
    closes = scenario_closes(scenario)
    equity = daily_equity(fills, closes, scenario.broker.starting_cash)
    if equity.empty:
        raise UserError(f"{folder}: the scenario's data has no bars, so there is nothing to report")
    positions = positions_by_day(fills, equity.index, sorted(scenario.data.symbols))
    marks = marks_by_day(fills, closes, equity.index).reindex(columns=positions.columns)
    summary_path = folder / SUMMARY_FILE
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return RunData(
        folder=folder,
        scenario=scenario,
        summary=summary,
        fills=fills,
        positions=positions,
        marks=marks,
        equity=equity,
        benchmark=benchmark_prices(scenario, closes),
        timeline=read_timeline(folder / TIMELINE_FILE),
    )


# -- metrics -----------------------------------------------------------------------------


def _number(value: Any) -> Any:
    """A JSON-safe number: NaN and infinities as the strings JavaScript's Number() reads."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _day(stamp: Any) -> str:
    return pd.Timestamp(stamp).strftime("%Y-%m-%d")


def _period_returns(equity: pd.Series, freq: str) -> pd.Series:
    """Compounded return of each calendar period, from the previous period's last day (the
    first period from the first day: a partial period counts what it holds)."""
    last = equity.groupby(equity.index.to_period(freq)).last()
    base = last.shift(1)
    base.iloc[0] = equity.iloc[0]
    return last / base - 1.0


def compute_metrics(run: RunData) -> dict[str, Any]:
    """Everything ``metrics.json`` holds, as plain JSON values."""
    equity = run.equity
    notes: list[str] = []
    try:
        sheet = asdict(tear_sheet(equity, run.benchmark))
        table = rolling_table(equity, run.benchmark, TRAILING_MONTHS)
        start, end = _day(sheet.pop("start")), _day(sheet.pop("end"))
    except ValueError as error:  # a bust account, or a benchmark that ends before the run
        notes.append(f"no tear sheet: {error}")
        sheet = dict.fromkeys(METRICS, math.nan)
        table = pd.DataFrame(
            columns=["start", *METRICS],
            index=pd.MultiIndex.from_tuples([], names=["end", "months"]),
        )
        start, end = _day(equity.index[0]), _day(equity.index[-1])
    stats = asdict(trade_stats(run.fills, run.positions, equity))
    rolling = [
        {
            "end": _day(end_day),
            "months": int(months),
            "start": _day(row["start"]),
            **{name: _number(row[name]) for name in METRICS},
        }
        for (end_day, months), row in table.iterrows()
    ]
    trailing_end = rolling[-1]["end"] if rolling else None
    trailing = {
        str(row["months"]): {k: v for k, v in row.items() if k not in ("end", "months")}
        for row in rolling
        if row["end"] == trailing_end
    }
    monthly = _period_returns(equity, "M")
    yearly = _period_returns(equity, "Y")
    return {
        "scenario": run.scenario.run.name,
        "strategy": run.scenario.strategy.name,
        "symbols": list(run.scenario.data.symbols),
        "benchmark": str(run.benchmark.name),
        "starting_cash": float(run.scenario.broker.starting_cash),
        "final_equity": float(equity.iloc[-1]),
        "start": start,
        "end": end,
        "days": len(equity),
        "tear_sheet": {name: _number(value) for name, value in sheet.items()},
        "trade_stats": {name: _number(stats[name]) for name in TRADE_STAT_NAMES},
        "trailing_end": trailing_end,
        "trailing": trailing,
        "rolling": rolling,
        "monthly_returns": [
            {"month": str(period), "return": _number(value)} for period, value in monthly.items()
        ],
        "yearly_returns": [
            {"year": str(period), "return": _number(value)} for period, value in yearly.items()
        ],
        "notes": notes,
    }


def write_metrics_csv(path: Path, metrics: dict[str, Any]) -> None:
    header = ["window", "months", "start", "end", *METRICS, *TRADE_STAT_NAMES]
    whole = {
        "window": "all",
        "months": "",
        "start": metrics["start"],
        "end": metrics["end"],
        **metrics["tear_sheet"],
        **metrics["trade_stats"],
    }
    rows = [whole]
    rows += [{"window": f"{row['months']}m", **row} for row in metrics["rolling"]]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, header, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def trip_rows(fills: list[FillRow]) -> list[dict[str, Any]]:
    trips = round_trips(fills)
    opened = session_dates([trip.opened_ns for trip in trips])
    closed = session_dates([trip.closed_ns for trip in trips])
    return [
        {
            "symbol": trip.symbol,
            "opened": _day(o),
            "closed": _day(c),
            "days": int((c - o).days),
            "pnl": float(trip.pnl),
        }
        for trip, o, c in zip(trips, opened, closed, strict=True)
    ]


def _write_trades(path: Path, trips: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["symbol", "opened", "closed", "days", "pnl"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(trips)


# -- charts and the page -----------------------------------------------------------------


def _strategy(scenario: Scenario) -> Strategy | None:
    try:
        return resolve_strategy(scenario.strategy.name)
    except UserError:
        return None


def draw_charts(run: RunData) -> dict[str, bytes]:
    equity = run.equity
    try:
        _, bench = align_benchmark(equity, run.benchmark)
    except ValueError:
        bench = None
    strategy = _strategy(run.scenario)
    timeline = run.timeline
    first_from = str(timeline["from"].iloc[0]) if len(timeline) else "?"
    initial = strategy.initial if strategy is not None else first_from
    states = list(strategy.states) if strategy is not None else []
    exposure = exposure_by_day(run.positions, run.marks, equity)
    values = (run.positions * run.marks.fillna(0.0)).where(run.positions != 0.0, 0.0)
    return {
        "equity": report_charts.equity_chart(equity, bench, str(run.benchmark.name)),
        "drawdown": report_charts.drawdown_chart(equity),
        "exposure": report_charts.exposure_chart(values, exposure),
        "states": report_charts.state_timeline_chart(
            timeline,
            sorted(run.scenario.data.symbols),
            states,
            initial,
            equity.index[0],
            equity.index[-1] + pd.Timedelta(days=1),
        ),
    }


def _diagram(scenario: Scenario) -> tuple[bytes | None, str, str]:
    """(SVG or None, Mermaid text, why there is no SVG)."""
    strategy = _strategy(scenario)
    if strategy is None:
        return None, "", f"strategy {scenario.strategy.name!r} cannot be loaded to draw it"
    text = to_mermaid(strategy)
    try:
        return render_svg(to_dot(strategy)), text, ""
    except DiagramError as error:
        return None, text, f"No SVG ({error}); the Mermaid source of the diagram:"


def _facts(run: RunData, metrics: dict[str, Any]) -> list[str]:
    scenario = run.scenario
    facts = [
        f"strategy {scenario.strategy.name} {dict(scenario.strategy.params)}",
        f"{len(scenario.data.symbols)} symbols: {', '.join(scenario.data.symbols[:20])}"
        + (" ..." if len(scenario.data.symbols) > 20 else ""),
        f"{metrics['start']} to {metrics['end']} ({metrics['days']:,} sessions), "
        f"benchmark {metrics['benchmark']}",
        f"starting cash {metrics['starting_cash']:,.2f}, final equity "
        f"{metrics['final_equity']:,.2f}",
    ]
    summary = run.summary
    if summary:
        facts.append(
            f"{summary.get('fills', len(run.fills)):,} fills, "
            f"{summary.get('bars_processed', 0):,} bars in {summary.get('wall_seconds', '?')} s "
            f"({summary.get('bar_events_per_second', 0):,} bar-events/s, "
            f"{summary.get('topology', '?')} topology)"
        )
    facts += metrics["notes"]
    return facts


def build_report(run_folder: Path) -> Path:
    """Write the metrics, the charts and ``report.html`` into the run folder; return the
    page's path. Raises ``UserError`` for a folder that is not a finished run's."""
    run = load_run(run_folder)
    folder = run.folder
    metrics = compute_metrics(run)
    (folder / METRICS_JSON).write_text(json.dumps(metrics, indent=2, allow_nan=False) + "\n")
    write_metrics_csv(folder / METRICS_CSV, metrics)
    trips = trip_rows(run.fills)
    _write_trades(folder / TRADES_CSV, trips)
    charts = draw_charts(run)
    for name, png in charts.items():
        (folder / f"{name}.png").write_bytes(png)
    svg, mermaid, why = _diagram(run.scenario)
    html = report_html.page(
        title=f"tradeswarm report: {run.scenario.run.name}",
        facts=_facts(run, metrics),
        metrics=metrics,
        charts=[(name, title, charts[name]) for name, title in CHARTS],
        diagram_svg=svg,
        diagram_text=mermaid,
        diagram_note=why,
        trips=trips,
        rolling_names=METRICS,
        trades_limit=TRADES_IN_PAGE,
    )
    path = folder / REPORT_FILE
    path.write_text(html, encoding="utf-8")
    return path


def load_metrics(run_folder: Path) -> dict[str, Any]:
    return json.loads((Path(run_folder) / METRICS_JSON).read_text())


# -- the terminal ------------------------------------------------------------------------


def _terminal(name: str, value: Any) -> str:
    return report_html.display(name, value).replace("\u2013", "-").replace("\u221e", "inf")


def tear_sheet_table(metrics: dict[str, Any]) -> str:
    """The tear sheet as a fixed-width table: the whole run, then the trailing windows
    (columns) ending at the last month end, then the trade statistics."""
    trailing = metrics.get("trailing", {})
    windows = [key for key in ("12", "6", "3", "1") if key in trailing]
    label_width = max(len(label) for label in report_html.LABELS.values()) + 2
    head = f"{'tear sheet':<{label_width}}{'whole run':>12}" + "".join(
        f"{f'last {w}m':>11}" for w in windows
    )
    lines = [
        f"{metrics['start']} to {metrics['end']} against {metrics['benchmark']}"
        + (f"; trailing windows end {metrics['trailing_end']}" if windows else ""),
        head,
        "-" * len(head),
    ]
    for name, value in metrics["tear_sheet"].items():
        row = f"{report_html.LABELS.get(name, name):<{label_width}}{_terminal(name, value):>12}"
        row += "".join(f"{_terminal(name, trailing[w].get(name)):>11}" for w in windows)
        lines.append(row)
    lines.append("-" * len(head))
    for name, value in metrics["trade_stats"].items():
        lines.append(
            f"{report_html.LABELS.get(name, name):<{label_width}}{_terminal(name, value):>12}"
        )
    return "\n".join(lines)

"""The report of a finished run, from memory just after it, or from its run folder.

``write_report(run)`` takes a run (``scenarios/report/run_data.py``) and writes into its
folder; ``build_report(run_folder)`` reads the folder back first:

* ``metrics.json``, ``metrics.csv``, ``trades.csv``: the numbers
  (``scenarios/report/run_metrics.py``);
* ``equity.png``, ``drawdown.png``, ``exposure.png``, ``states.png``: the charts;
* ``report.html``: all of it on one page that opens offline (``scenarios/report/page.py``).

This module only orchestrates: it decides what goes on the page and in which order, draws
the charts and the strategy's state diagram, and writes the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from tradeswarm.actors.fsm.diagram import DiagramError, render_svg, to_dot, to_mermaid
from tradeswarm.actors.fsm.engine import Strategy
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import Scenario
from tradeswarm.scenarios.report import charts as report_charts
from tradeswarm.scenarios.report import page as report_html
from tradeswarm.scenarios.report.formatting import recovery_lines
from tradeswarm.scenarios.report.metrics import METRICS, align_benchmark
from tradeswarm.scenarios.report.run_data import RunData, exposure_by_day, load_run
from tradeswarm.scenarios.report.run_metrics import (
    METRICS_CSV,
    METRICS_JSON,
    TRADES_CSV,
    compute_metrics,
    trip_rows,
    write_metrics_csv,
    write_metrics_json,
    write_trades_csv,
)
from tradeswarm.scenarios.strategies import resolve_strategy

REPORT_FILE = "report.html"
TRADES_IN_PAGE = 1000
CHARTS = (
    ("equity", "Equity against the benchmark"),
    ("drawdown", "Drawdown"),
    ("exposure", "Positions and exposure"),
    ("states", "FSM state timeline"),
)


def _strategy(scenario: Scenario) -> Strategy | None:
    try:
        return resolve_strategy(scenario.strategy.name, [scenario.folder])
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
        f"prices {scenario.data.prices()}",
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
        facts += [" ".join(line.split()) for line in recovery_lines(summary)]
    facts += metrics["notes"]
    return facts


def build_report(run_folder: Path) -> Path:
    """Rebuild the report of a run folder; raises ``UserError`` for a folder that is not a
    finished run's."""
    return write_report(load_run(run_folder))


def write_report(run: RunData) -> Path:
    """Write the metrics, the charts and ``report.html`` into the run's folder; return the
    page's path."""
    folder = run.folder
    metrics = compute_metrics(run)
    write_metrics_json(folder / METRICS_JSON, metrics)
    write_metrics_csv(folder / METRICS_CSV, metrics)
    trips = trip_rows(run)
    write_trades_csv(folder / TRADES_CSV, trips)
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

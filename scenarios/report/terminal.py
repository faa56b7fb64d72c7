"""The tear sheet in a terminal: what ``tradeswarm run`` and ``tradeswarm report`` print.

It reads ``metrics.json`` back rather than taking the metrics from memory, so what the
terminal shows is what the file holds; numbers are rounded as on the page, in ASCII.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tradeswarm.scenarios.report.formatting import LABELS, display
from tradeswarm.scenarios.report.run_metrics import METRICS_JSON


def load_metrics(run_folder: Path) -> dict[str, Any]:
    """The ``metrics.json`` that ``build_report`` wrote into ``run_folder``."""
    return json.loads((Path(run_folder) / METRICS_JSON).read_text())


def _terminal(name: str, value: Any) -> str:
    return display(name, value).replace("\u2013", "-").replace("\u221e", "inf")


def tear_sheet_table(metrics: dict[str, Any]) -> str:
    """The tear sheet as a fixed-width table: the whole run, then the trailing windows
    (columns) ending at the last month end, then the trade statistics."""
    trailing = metrics.get("trailing", {})
    windows = [key for key in ("12", "6", "3", "1") if key in trailing]
    label_width = max(len(label) for label in LABELS.values()) + 2
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
        row = f"{LABELS.get(name, name):<{label_width}}{_terminal(name, value):>12}"
        row += "".join(f"{_terminal(name, trailing[w].get(name)):>11}" for w in windows)
        lines.append(row)
    lines.append("-" * len(head))
    for name, value in metrics["trade_stats"].items():
        lines.append(f"{LABELS.get(name, name):<{label_width}}{_terminal(name, value):>12}")
    return "\n".join(lines)

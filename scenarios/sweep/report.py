"""A sweep's report: the ledger as a sortable table and, for two swept parameters, a heatmap
of a metric (Sharpe by default), like backtesting.py's ``plot_heatmaps``. One HTML file
that opens offline: the heatmap is an inline PNG, the sorting a few lines of script.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from tradeswarm.scenarios.sweep.ledger import FIGURES, TIMING, read_ledger

__all__ = ["write_sweep_report"]

_SORT_SCRIPT = """
document.querySelectorAll("th").forEach((th, column) => th.addEventListener("click", () => {
  const body = th.closest("table").tBodies[0];
  const rows = Array.from(body.rows);
  const up = th.dataset.up !== "1";
  th.dataset.up = up ? "1" : "0";
  const key = r => { const t = r.cells[column].dataset.value; const n = Number(t);
                     return t !== "" && !isNaN(n) ? n : t; };
  rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (up ? 1 : -1));
  rows.forEach(r => body.appendChild(r));
}));
"""
_STYLE = """
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
th { cursor: pointer; background: #f0f0f0; }
td.failed { color: #b00; }
"""


def write_sweep_report(ledger: Path, grid_keys: list[str], metric: str = "sharpe") -> Path:
    """``report.html`` beside the ledger; returns its path."""
    table = read_ledger(ledger)
    heatmap = _heatmap(table, grid_keys, metric)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>tradeswarm sweep</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Sweep: {html.escape(str(ledger))}</h1>",
        f"<p>{len(table)} variants, {int((table['status'] != 'ok').sum())} failed.</p>",
    ]
    if heatmap is not None:
        parts.append(f"<h2>{html.escape(metric)}</h2><img alt='heatmap' src='{heatmap}'>")
    parts += [_table(table), f"<script>{_SORT_SCRIPT}</script></body></html>"]
    page = Path(ledger).parent / "report.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page


def _table(table: pd.DataFrame) -> str:
    columns = [column for column in table.columns if column not in TIMING]
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in columns)
    rows = []
    for _, row in table.iterrows():
        failed = row["status"] != "ok"
        cells = "".join(_cell(row[column], failed and column == "error") for column in columns)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell(value: Any, failed: bool) -> str:
    if isinstance(value, float):
        shown = "" if math.isnan(value) else f"{value:.4g}"
        raw = "" if math.isnan(value) else repr(value)
    else:
        shown = raw = "" if value is None or (isinstance(value, float)) else str(value)
    css = " class='failed'" if failed else ""
    return f"<td{css} data-value='{html.escape(raw)}'>{html.escape(shown)}</td>"


def _heatmap(table: pd.DataFrame, grid_keys: list[str], metric: str) -> str | None:
    """A PNG data URI of ``metric`` over the first two grid keys that vary, averaged over
    the others; None when fewer than two vary."""
    swept = [key for key in grid_keys if key in table and table[key].nunique() > 1]
    if len(swept) < 2 or metric not in FIGURES:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y = swept[:2]
    values = table[table["status"] == "ok"].pivot_table(index=y, columns=x, values=metric)
    figure, axes = plt.subplots(figsize=(1.2 + 0.7 * len(values.columns), 1 + 0.5 * len(values)))
    image = axes.imshow(values.to_numpy(dtype=float), cmap="viridis", aspect="auto")
    axes.set_xticks(range(len(values.columns)), [_label(v) for v in values.columns])
    axes.set_yticks(range(len(values.index)), [_label(v) for v in values.index])
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    figure.colorbar(image, ax=axes, label=metric)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _label(value: Any) -> str:
    try:
        return json.dumps(json.loads(value)) if isinstance(value, str) else f"{value:g}"
    except (ValueError, TypeError):
        return str(value)

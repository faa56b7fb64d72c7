"""``report.html``: one self-contained page that opens offline.

Images are data URIs, style and the one script are inline (read from ``static/``), the
state diagram is inline SVG; nothing is fetched. Every tear-sheet number sits in an element
``data-metric="<name>" data-value="<exact value>"`` whose ``data-value`` is the same text
as the number in ``metrics.json``; the text shown is rounded for people. On load, the
script checks that every image decoded and writes the count into
``<div id="render-check" data-images-ok="N" data-images-total="M">``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any

from tradeswarm.scenarios.report.formatting import LABELS, display, sign_class, value_text

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

STATIC_PACKAGE = "tradeswarm.scenarios.report"


@cache
def static_text(name: str) -> str:
    """A file of ``static/`` (the page's style sheet or script), read once from the
    installed package: CSS and JavaScript are kept in files of their own so editors and
    linters see them as what they are, and inlined so the page still fetches nothing."""
    return files(STATIC_PACKAGE).joinpath("static", name).read_text(encoding="utf-8")


def _image(name: str, title: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img class="chart" id="chart-{escape(name)}" alt="{escape(title)}" '
        f'src="data:image/png;base64,{data}">'
    )


def inline_svg(svg: bytes | str) -> str:
    """An SVG document as an inline element: no XML prolog, doctype or comments, and no
    namespace URIs (HTML puts ``<svg>`` in its namespace by itself), so the page holds no
    address at all."""
    text = svg.decode() if isinstance(svg, bytes) else svg
    text = re.sub(r"<\?xml.*?\?>", "", text, flags=re.S)
    text = re.sub(r"<!DOCTYPE.*?>", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    return text.strip()


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    head_html = "".join(f"<th>{escape(cell)}</th>" for cell in head)
    body = "\n".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head_html}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _cell(name: str, value: Any) -> str:
    return f"<td{sign_class(value, name)}>{escape(display(name, value))}</td>"


def tear_sheet_html(metrics: Mapping[str, Any]) -> str:
    trailing = metrics.get("trailing", {})
    windows = [key for key in ("12", "6", "3", "1") if key in trailing]
    head = ["metric", "whole run", *(f"last {w} m" for w in windows)]
    rows = []
    for name, value in metrics["tear_sheet"].items():
        if name in ("start", "end"):
            continue
        cells = [
            f"<td>{escape(LABELS.get(name, name))}</td>",
            f'<td data-metric="{escape(name)}" data-value="{escape(value_text(value))}"'
            f"{sign_class(value, name)}>{escape(display(name, value))}</td>",
            *(_cell(name, trailing[w].get(name)) for w in windows),
        ]
        rows.append(cells)
    sheet = _table(head, rows, "tear-sheet")
    trade_rows = [
        [
            f"<td>{escape(LABELS.get(name, name))}</td>",
            f'<td data-metric="{escape(name)}" data-value="{escape(value_text(value))}"'
            f"{sign_class(value, name)}>"
            f"{escape(display(name, value))}</td>",
        ]
        for name, value in metrics["trade_stats"].items()
    ]
    trades = _table(["trade statistic", "whole run"], trade_rows, "trade-stats")
    ends = ", ".join(f"{w} m: from {trailing[w]['start']}" for w in windows)
    note = (
        f'<p class="note">Trailing windows end {escape(str(metrics.get("trailing_end")))} '
        f"({escape(ends)}).</p>"
        if windows
        else '<p class="note">No complete month yet: no trailing windows.</p>'
    )
    return f"{sheet}\n{note}\n{trades}"


def monthly_html(metrics: Mapping[str, Any]) -> str:
    by_year: dict[str, dict[int, Any]] = {}
    for row in metrics["monthly_returns"]:
        year, month = row["month"].split("-")
        by_year.setdefault(year, {})[int(month)] = row["return"]
    yearly = {row["year"]: row["return"] for row in metrics["yearly_returns"]}
    rows = []
    for year in sorted(by_year):
        cells = [f"<td>{escape(year)}</td>"]
        cells += [
            _cell("return", by_year[year][m]) if m in by_year[year] else "<td></td>"
            for m in range(1, 13)
        ]
        cells.append(_cell("return", yearly.get(year)))
        rows.append(cells)
    return _table(["year", *MONTHS, "year"], rows, "monthly")


def _ordinal(day: str) -> int:
    return int(day.replace("-", ""))


def rolling_html(metrics: Mapping[str, Any], names: Sequence[str]) -> str:
    rows = [
        [
            f"<td>{escape(row['end'])}</td>",
            f"<td>{row['months']}</td>",
            f"<td>{escape(row['start'])}</td>",
            *(_cell(name, row[name]) for name in names),
        ]
        for row in sorted(metrics["rolling"], key=lambda r: (-_ordinal(r["end"]), r["months"]))
    ]
    if not rows:
        return '<p class="note">No complete month: no rolling windows.</p>'
    head = ["end", "months", "from", *(LABELS.get(n, n) for n in names)]
    return f'<div class="scroll">{_table(head, rows, "rolling")}</div>'


def trades_html(trips: Sequence[Mapping[str, Any]], limit: int) -> str:
    if not trips:
        return '<p class="note">No round trip was closed.</p>'
    shown = trips[-limit:]
    rows = [
        [
            f"<td>{escape(trip['symbol'])}</td>",
            f"<td>{escape(trip['opened'])}</td>",
            f"<td>{escape(trip['closed'])}</td>",
            f"<td>{trip['days']}</td>",
            _cell("pnl", trip["pnl"]),
        ]
        for trip in shown
    ]
    note = (
        f'<p class="note">The last {len(shown):,} of {len(trips):,} round trips; all are '
        "in trades.csv.</p>"
        if len(shown) < len(trips)
        else ""
    )
    table = _table(["symbol", "opened", "closed", "days", "P&L"], rows, "trades")
    return f'{note}<div class="scroll">{table}</div>'


def page(
    *,
    title: str,
    facts: Sequence[str],
    metrics: Mapping[str, Any],
    charts: Sequence[tuple[str, str, bytes]],
    diagram_svg: bytes | None,
    diagram_text: str,
    diagram_note: str,
    trips: Sequence[Mapping[str, Any]],
    rolling_names: Sequence[str],
    trades_limit: int,
) -> str:
    """The whole page; ``charts`` are (name, title, PNG bytes)."""
    if diagram_svg is not None:
        diagram = f'<div class="diagram" id="fsm-diagram">{inline_svg(diagram_svg)}</div>'
    else:
        diagram = (
            f'<p class="note">{escape(diagram_note)}</p>'
            f'<pre class="mermaid-source" id="fsm-diagram">{escape(diagram_text)}</pre>'
        )
    facts_html = "".join(f'<p class="facts">{escape(fact)}</p>' for fact in facts)
    images = "\n".join(_image(name, chart_title, png) for name, chart_title, png in charts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
{static_text("report.css")}</style>
</head>
<body>
<h1>{escape(title)}</h1>
{facts_html}
<h2>Tear sheet</h2>
{tear_sheet_html(metrics)}
<h2>Charts</h2>
{images}
<h2>Strategy state machine</h2>
{diagram}
<h2>Monthly returns</h2>
{monthly_html(metrics)}
<h2>Rolling windows</h2>
{rolling_html(metrics, rolling_names)}
<h2>Round trips</h2>
{trades_html(trips, trades_limit)}
<script>
{static_text("report.js")}</script>
</body>
</html>
"""

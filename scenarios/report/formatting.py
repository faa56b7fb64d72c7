"""How a metric reads on the page and in the terminal: its label, and its value rounded
for people (percentages, money, ratios), with a sign class for colouring."""

from __future__ import annotations

import math
from typing import Any

PERCENT_METRICS = frozenset(
    {
        "total_return",
        "benchmark_return",
        "alpha",
        "annual_volatility",
        "max_drawdown",
        "win_rate",
        "exposure",
        "return",
    }
)
MONEY_METRICS = frozenset({"average_win", "average_loss", "commissions", "pnl"})
LABELS = {
    "total_return": "total return",
    "benchmark_return": "benchmark return",
    "alpha": "alpha (annual)",
    "beta": "beta",
    "sharpe": "Sharpe",
    "sortino": "Sortino",
    "annual_volatility": "annual volatility",
    "max_drawdown": "max drawdown",
    "round_trips": "round trips",
    "win_rate": "win rate",
    "average_win": "average win",
    "average_loss": "average loss",
    "exposure": "exposure (days invested)",
    "turnover": "turnover (x equity)",
    "commissions": "commissions",
}
SIGNED_METRICS = frozenset(
    {
        "total_return",
        "benchmark_return",
        "alpha",
        "sharpe",
        "sortino",
        "max_drawdown",
        "average_win",
        "average_loss",
        "return",
        "pnl",
    }
)  # coloured red below zero, green above


def value_text(value: Any) -> str:
    """The exact text of a number, as ``json.dumps`` writes it (``NaN``, ``Infinity``)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def display(name: str, value: Any) -> str:
    """A number rounded for a person; NaN is a dash."""
    if isinstance(value, str):
        value = float(value) if value in ("NaN", "Infinity", "-Infinity") else value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    if isinstance(value, float) and math.isinf(value):
        return "+\u221e" if value > 0 else "-\u221e"
    if not isinstance(value, int | float):
        return str(value)
    if name in PERCENT_METRICS:
        if round(value * 10_000) == 0:
            return "0.00%"  # neither "-0.00%" nor "+0.00%"
        unsigned = ("win_rate", "exposure", "annual_volatility")
        return f"{value:.2%}" if name in unsigned else f"{value:+.2%}"
    if name in MONEY_METRICS:
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.2f}"


def sign_class(value: Any, name: str = "return") -> str:
    if name not in SIGNED_METRICS:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if value < 0:
            return ' class="neg"'
        if value > 0:
            return ' class="pos"'
    return ""


def recovery_lines(summary: dict[str, Any]) -> list[str]:
    """Every fault injected and every restart, one line each."""
    lines = []
    chaos = summary.get("chaos")
    if chaos is not None:
        for kill in chaos["kills"]:
            at = f"bar {kill['at_bar']:,}" if kill["at_bar"] is not None else "(run ended first)"
            lines.append(f"chaos         {kill['signal']} {kill['process']} at {at}")
        lines.append(
            f"chaos         order path: {chaos['duplicated']} duplicated, "
            f"{chaos['reversed']} reversed, {chaos['held']} held back, "
            f"{chaos.get('dropped', 0)} dropped (seed {chaos['seed']})"
        )
    for restart in summary.get("restarts", []):
        back = restart["recovery_seconds"]
        took = f"back in {back:.2f} s" if back is not None else "not back"
        lines.append(f"restart       {restart['process']} {restart['cause']}; {took}")
    for record in summary.get("reconciliations", []):
        state = record["state_before"]
        if record["state_after"] != state:
            state += f" -> {record['state_after']}"
        differed = "; ".join(record["differences"])
        lines.append(f"reconciled    {record['actor']} to the broker ({state}): {differed}")
    return lines

"""What a run leaves on disk: ``fills.csv``, ``timeline.csv``, ``equity.csv``,
``positions.csv``, ``summary.json`` (the broker writes its journal itself)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tradeswarm.messages import AccountStatement, Fill, Transition

FILLS_HEADER = ("ts", "symbol", "side", "quantity", "price", "commission", "order_id")
TIMELINE_HEADER = ("ts", "symbol", "from", "event", "to")
EQUITY_HEADER = ("date", "ts", "cash", "equity")
POSITIONS_HEADER = ("date", "symbol", "quantity", "close")


def iso_utc(ts_ns: int) -> str:
    seconds, nanos = divmod(ts_ns, 10**9)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z" if nanos else f"{stamp}Z"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def write_fills(path: Path, fills: Iterable[Fill]) -> int:
    count = 0
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FILLS_HEADER)
        for fill in fills:
            writer.writerow(
                (
                    iso_utc(fill.ts_ns),
                    fill.symbol,
                    fill.side.value,
                    _number(fill.quantity),
                    _number(fill.price),
                    _number(fill.commission),
                    fill.client_order_id,
                )
            )
            count += 1
    return count


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")


def write_timeline(path: Path, transitions: Iterable[Transition]) -> int:
    """Every FSM transition, ordered by time then symbol (each symbol's own order kept)."""
    rows = sorted(transitions, key=lambda row: (row.ts_ns, row.symbol))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TIMELINE_HEADER)
        writer.writerows(
            (iso_utc(row.ts_ns), row.symbol, row.from_state, row.event, row.to_state)
            for row in rows
        )
    return len(rows)


def write_equity(path: Path, statements: Iterable[AccountStatement]) -> None:
    """The broker's end-of-session statements: one row per session, in order."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EQUITY_HEADER)
        writer.writerows(
            (item.session, iso_utc(item.ts_ns), repr(item.cash), repr(item.equity))
            for item in statements
        )


def write_positions(path: Path, statements: Iterable[AccountStatement]) -> None:
    """Every symbol's quantity and last price at each session's close (0 when flat), from
    the broker's statements: the positions and marks a report plots."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(POSITIONS_HEADER)
        for item in statements:
            for symbol, close in item.closes.items():
                quantity = item.positions.get(symbol, 0.0)
                writer.writerow((item.session, symbol, _number(quantity), repr(close)))

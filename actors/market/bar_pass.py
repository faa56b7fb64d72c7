"""One pass over a bar file: every chunk split by symbol, checked, placed in its session.

Theory of operation. A pass reads the fields it needs (a first pass only the timestamp,
close and adj_close; a full pass all of them), chunk by chunk. Each chunk is split by
symbol (rows of symbols not asked for are skipped unread), then each symbol's rows are
checked as whole columns: timestamps decoded, numbers valid, timestamps after the previous
row's (across chunks too), bars inside the calendar's sessions. All checks run before any
row is kept, and the first bad row of the chunk, in file order, raises its ``DataError``;
so a chunk is yielded whole or not at all, and the rows before it were all good. What the
pass learns of each symbol (rows, first and last bar, last adj_close / close, the gaps
between timestamps) stays in its ``Track``; the rows themselves are only yielded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tradeswarm.actors.market.bar_file import BarFile, Chunk
from tradeswarm.actors.market.bar_times import Clock, decode, key_text
from tradeswarm.actors.market.layout import Layout
from tradeswarm.actors.market.price_columns import float_columns
from tradeswarm.actors.market.row_checks import (
    BadRow,
    earliest,
    first_bad_number,
    first_out_of_order,
)
from tradeswarm.actors.market.stamps import (
    daily_closes,
    intraday_closes,
    intraday_limits,
    outside_problem,
)

__all__ = ["BarPass", "Rows", "Track"]

_FIX_OUTSIDE = (
    'remove the row, set data.outside_sessions = "drop", or choose the calendar of its exchange'
)
_FIX_LENGTH = 'set data.bar_seconds to the bar length, or data.stamp = "close" if it stamps closes'


@dataclass
class Track:
    """What a pass has learnt of one symbol so far (``rows`` counts the bars kept)."""

    rows: int = 0
    previous: tuple[int, int] | None = None  # (key, file row) of the last row read
    last_close: tuple[int, int] | None = None  # (close ns, file row) of the last bar kept
    first_bar: tuple[int, int] | None = None  # (time, latest close) of the first bar kept
    last_bar: tuple[int, int] | None = None
    final_ratio: float | None = None
    # (low * adj_close / close, file row, adj_close) of the row whose adjusted low is least:
    # with the final ratio, it says whether adjusting leaves every price positive.
    lowest_adjusted: tuple[float, int, float] | None = None
    gaps: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class Rows:
    """One symbol's good rows of one chunk: file rows, close times (when the bar length is
    known), and the numbers read, as float64 columns."""

    file_rows: np.ndarray
    closes: np.ndarray | None
    numbers: dict[str, np.ndarray]


@dataclass(frozen=True)
class _Checked:
    file_rows: np.ndarray
    keys: np.ndarray
    times: np.ndarray  # a daily bar's session close; an intraday bar's own stamp
    limits: np.ndarray  # the latest close of an intraday bar stamped at its open
    outside: np.ndarray
    numbers: dict[str, np.ndarray]

    def inside(self) -> _Checked:
        """These rows without those outside the sessions (dropped, or about to raise)."""
        if not bool(self.outside.any()):
            return self
        kept = ~self.outside
        return _Checked(
            file_rows=self.file_rows[kept],
            keys=self.keys[kept],
            times=self.times[kept],
            limits=self.limits[kept],
            outside=self.outside[kept],
            numbers={name: column[kept] for name, column in self.numbers.items()},
        )


class BarPass:
    """A pass over ``bar_file`` for ``symbols``; ``by_column`` when a symbol column selects
    the rows (else every row is ``symbols[0]``'s). ``bar_ns`` maps a symbol to its bar
    length when known, so rows come out stamped; ``count_gaps`` keeps the gaps for inferring
    it. Iterate ``run`` to read; ``tracks`` and ``symbols_found`` hold what it learnt."""

    def __init__(
        self,
        bar_file: BarFile,
        clock: Clock,
        symbols: Sequence[str],
        layout: Layout,
        calendar: str | None,
        *,
        by_column: bool,
        bar_ns: dict[str, int] | None = None,
        count_gaps: bool = False,
    ) -> None:
        self.bar_file, self.clock, self.layout, self.calendar = bar_file, clock, layout, calendar
        self.symbols, self.by_column = list(symbols), by_column
        self.bar_ns, self.count_gaps = bar_ns, count_gaps
        self.tracks = {symbol: Track() for symbol in symbols}
        self.symbols_found: set[str] = set()
        self._value_set = pa.array(self.symbols, pa.string())

    def run(self, chunks: Iterable[Chunk]) -> Iterator[dict[str, Rows]]:
        """Each chunk's good rows by symbol (symbols without rows in it left out)."""
        for first_row, table in chunks:
            checked: dict[str, _Checked] = {}
            closes: dict[str, np.ndarray | None] = {}
            bad: BadRow | None = None
            for symbol, (rows, part) in self._split(first_row, table).items():
                every, problem = self._check(symbol, rows, part)
                self.tracks[symbol].previous = (int(every.keys[-1]), int(rows[-1]))
                checked[symbol] = every.inside()
                closes[symbol], too_close = self._closes(symbol, checked[symbol])
                bad = earliest(bad, earliest(problem, too_close))
            if bad is not None:
                raise self.bar_file.row_error(bad)
            yield {
                symbol: self._keep(symbol, checked[symbol], closes[symbol]) for symbol in checked
            }

    def _split(self, first_row: int, table: pa.Table) -> dict[str, tuple[np.ndarray, pa.Table]]:
        rows = np.arange(first_row, first_row + table.num_rows, dtype=np.int64)
        if not self.by_column:
            return {self.symbols[0]: (rows, table)}
        column = pc.cast(table.column("symbol"), pa.string())
        self.symbols_found.update(pc.unique(column).drop_null().to_pylist())
        codes = pc.fill_null(pc.index_in(column, value_set=self._value_set), -1).to_numpy()
        parts = {}
        for code, symbol in enumerate(self.symbols):
            positions = np.flatnonzero(codes == code)
            if len(positions):
                parts[symbol] = (rows[positions], table.take(positions))
        return parts

    def _check(
        self, symbol: str, rows: np.ndarray, part: pa.Table
    ) -> tuple[_Checked, BadRow | None]:
        daily = self.clock.daily
        keys, bad_time = decode(part.column("timestamp"), self.clock, rows)
        numbers, bad_value = float_columns(part, rows)
        bad_number = first_bad_number(numbers, rows)
        previous = self.tracks[symbol].previous
        bad_order = first_out_of_order(keys, rows, lambda key: key_text(key, daily), previous)
        if daily:
            times, outside = daily_closes(keys, self.calendar)
            limits = times
        else:
            times = keys
            limits, outside = intraday_limits(keys, self.layout.stamp, self.calendar)
        bad_outside = None
        if self.layout.outside_sessions == "error" and bool(outside.any()):
            at = int(np.argmax(outside))
            assert self.calendar is not None  # nothing is outside without a calendar
            problem = outside_problem(int(keys[at]), daily, self.layout.stamp, self.calendar)
            text = key_text(int(keys[at]), daily)
            bad_outside = BadRow(int(rows[at]), "timestamp", text, problem, _FIX_OUTSIDE)
        checked = _Checked(rows, keys, times, limits, outside, numbers)
        return checked, earliest(bad_time, bad_order, bad_value, bad_number, bad_outside)

    def _closes(self, symbol: str, checked: _Checked) -> tuple[np.ndarray | None, BadRow | None]:
        """Close times of the rows to keep, and the first that closes with the one before.

        Only a bar stamped at its open and capped at its session's end can close with the
        bar before it: two bars less than a bar length apart at the end of a session.
        """
        times, limits = checked.times, checked.limits
        if self.clock.daily or self.layout.stamp == "close":
            return times, None
        if self.bar_ns is None:
            return None, None
        closes = intraday_closes(times, limits, "open", self.bar_ns[symbol])
        track = self.tracks[symbol]
        before = np.empty_like(closes)
        before[1:] = closes[:-1]
        before[:1] = track.last_close[0] if track.last_close else np.iinfo(np.int64).min
        clash = closes <= before
        if not bool(clash.any()):
            return closes, None
        at = int(np.argmax(clash))
        rows = checked.file_rows
        if at:
            previous_row, previous_time = int(rows[at - 1]), int(times[at - 1])
        else:
            assert track.last_close is not None and track.last_bar is not None
            previous_row, previous_time = track.last_close[1], track.last_bar[0]
        seconds = self.bar_ns[symbol] / 10**9
        return closes, BadRow(
            int(rows[at]),
            "timestamp",
            key_text(int(times[at]), False),
            f"closing with the bar before it, {{previous}}, once bars of {seconds:g} s are "
            "cut at the session's end",
            _FIX_LENGTH,
            previous_row,
            key_text(previous_time, False),
        )

    def _keep(self, symbol: str, checked: _Checked, closes: np.ndarray | None) -> Rows:
        track = self.tracks[symbol]
        rows, times, numbers = checked.file_rows, checked.times, checked.numbers
        if len(rows):
            if self.count_gaps and not self.clock.daily:
                start = [track.last_bar[0]] if track.last_bar is not None else []
                gaps = np.diff(np.concatenate([start, times]).astype(np.int64))
                values, counts = np.unique(gaps[gaps > 0], return_counts=True)
                track.gaps.update(dict(zip(values.tolist(), counts.tolist(), strict=True)))
            track.first_bar = track.first_bar or (int(times[0]), int(checked.limits[0]))
            track.last_bar = (int(times[-1]), int(checked.limits[-1]))
            if closes is not None:
                track.last_close = (int(closes[-1]), int(rows[-1]))
            if "adj_close" in numbers and "close" in numbers:
                track.final_ratio = float(numbers["adj_close"][-1] / numbers["close"][-1])
                if "low" in numbers:
                    _track_lowest(track, numbers, rows)
            track.rows += len(rows)
        return Rows(rows, closes, numbers)


def _track_lowest(track: Track, numbers: dict[str, np.ndarray], rows: np.ndarray) -> None:
    adjusted = numbers["low"] * numbers["adj_close"] / numbers["close"]
    at = int(np.argmin(adjusted))
    if track.lowest_adjusted is None or adjusted[at] < track.lowest_adjusted[0]:
        track.lowest_adjusted = (
            float(adjusted[at]),
            int(rows[at]),
            float(numbers["adj_close"][at]),
        )

"""pandas DataFrames given to the Python API, made into the Parquet files a run reads.

Why files: the market data streams bars from files in whatever process it runs, and a
file is what a run folder keeps so the run can be reported or replayed later. A frame is
written once, as it is; the readers then check and read it like any user's file, so a
frame and the same bars in a CSV give the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradeswarm.scenarios.config.errors import UserError

__all__ = ["frames_as_files"]

Frames: TypeAlias = Mapping[str, pd.DataFrame] | pd.DataFrame


def frames_as_files(frames: Frames, folder: Path) -> dict[str, Any]:
    """Write ``frames`` into ``folder`` and return the ``[data]`` overrides that read them.

    A mapping gives one frame per symbol; one frame holds every symbol in a ``symbol``
    column. Timestamps may be the index (a DatetimeIndex) or a column.
    """
    folder.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, Any] = {"data.source": "files", "data.format": "parquet"}
    if isinstance(frames, pd.DataFrame):
        table = _as_table(frames, "data")
        column = next((n for n in table.column_names if n.lower() in ("symbol", "ticker")), None)
        if column is None:
            raise UserError(
                "data: one DataFrame for several symbols needs a 'symbol' column; or give "
                "a dict of one frame per symbol"
            )
        pq.write_table(table, folder / "bars.parquet")
        symbols = sorted({str(s) for s in table.column(column).to_pylist()})
        overrides.update({"data.path": str(folder / "bars.parquet"), "data.symbols": symbols})
        return overrides
    if not frames:
        raise UserError("data: the dict of DataFrames is empty; give one frame per symbol")
    for symbol, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise UserError(f"data[{symbol!r}]: a {type(frame).__name__}, not a DataFrame")
        pq.write_table(_as_table(frame, f"data[{symbol!r}]"), folder / f"{symbol}.parquet")
    overrides.update({"data.path": str(folder / "{symbol}.parquet"), "data.symbols": list(frames)})
    return overrides


def _as_table(frame: pd.DataFrame, name: str) -> pa.Table:
    if isinstance(frame.index, pd.DatetimeIndex):
        frame = frame.reset_index(names=frame.index.name or "timestamp")
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as error:
        raise UserError(f"{name}: cannot store the DataFrame as Parquet: {error}") from None

"""Scenario files (TOML): what to trade, on which data, with which broker, how.

The file is validated whole before any actor starts: an unknown key, a wrong type or a
missing data file is one error naming the file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import msgspec
import tomli_w

from tradeswarm.actors.broker.models import (
    Commission,
    FixedBasisPointsSlippage,
    PerShare,
    Slippage,
)
from tradeswarm.actors.broker.settings import BrokerSettings, FillTiming
from tradeswarm.scenarios.config.checks import check_values
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.explain import explain
from tradeswarm.scenarios.config.overrides import apply_overrides


class _Section(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class RunSection(_Section, kw_only=True):
    name: str = "run"
    seed: int = 0
    topology: Literal["single", "processes"] = "single"
    transport: Literal["ipc", "tcp"] = "ipc"
    instrument_shards: int | Literal["auto"] = "auto"
    output: str = "runs/{name}"
    timeout_seconds: float = 600.0
    heartbeat_seconds: float = 10.0  # an actor silent this long is frozen: it is replaced
    # An instrument host that dies or freezes is restarted, at most max_restarts times in
    # any restart_window_seconds; one more and the run fails, naming it and the cause.
    max_restarts: int = 3
    restart_window_seconds: float = 60.0
    # Messages of the bar stream each subscriber may have queued (0: no bound; the broker's
    # credit already bounds the stream). One that falls behind the bound loses frames,
    # sees the gap, and takes what it missed from the market data's snapshot.
    stream_hwm: int = 0
    # A restarted actor replays the input log written since its last checkpoint: one is
    # taken each time this much log has been written (0: never; a restart replays all).
    checkpoint_mib: float = 16.0


class DataSection(_Section, kw_only=True):
    """Where the bars come from and how to read them (``actors.market.layout`` says what
    each reading option means)."""

    source: Literal["files", "csv", "synthetic"] = "files"  # "csv": the older name of files
    symbols: list[str]
    path: str = "data/{symbol}.csv"  # without {symbol}: one file holding every symbol
    format: Literal["auto", "csv", "parquet"] = "auto"
    adjust: Literal["back", "none"] | bool = "back"  # true/false: the older spelling
    columns: dict[str, str] = msgspec.field(default_factory=dict)
    timezone: str = ""  # of timestamps without a UTC offset
    stamp: Literal["open", "close"] = "open"  # what an intraday timestamp names
    bar_seconds: int = 0  # 0: inferred from the timestamps
    outside_sessions: Literal["error", "drop"] = "error"
    calendar: str = "XNYS"  # an exchange-calendars name; "" for sessions read off the bars
    timer_seconds: float = 0.0  # a "timer" event this often within each session; 0 = none
    bars_per_symbol: int = 10_000
    start: str = "2024-01-02"
    start_price: float = 100.0
    drift: float = 0.05
    volatility: float = 0.2

    def prices(self) -> str:
        """Which prices the run's fills, equity and report are in, in words."""
        if self.source == "synthetic":
            return "synthetic"
        if self.adjust in ("none", False):
            return "as traded"
        return "back-adjusted by adj_close / close; the last bar's prices are as traded"


class StrategySection(_Section, kw_only=True):
    name: str
    params: dict[str, Any] = msgspec.field(default_factory=dict)


class BrokerSection(_Section, kw_only=True):
    starting_cash: float = 100_000.0
    fill_at: Literal["next_open", "same_close"] = "next_open"
    commission_per_share: float = 0.0
    commission_minimum: float = 0.0
    slippage_bps: float = 0.0
    allow_fractional: bool = False
    resubmit_next_session: bool = False
    last_minute_seconds: float = 60.0
    slippage: dict[str, Any] = msgspec.field(default_factory=dict)
    commission: dict[str, Any] = msgspec.field(default_factory=dict)

    def settings(self) -> BrokerSettings:
        """Raises ``ValueError`` naming the key when a model or its parameters are wrong.

        The older cost keys map onto the models: ``slippage_bps`` onto
        ``FixedBasisPointsSlippage(basis_points=slippage_bps, volume_limit=None)``,
        ``commission_per_share``/``commission_minimum`` onto
        ``PerShare(cost=commission_per_share, min_trade_cost=commission_minimum)``."""
        slippage = _model("broker.slippage", Slippage, self.slippage)
        commission = _model("broker.commission", Commission, self.commission)
        if self.slippage_bps:
            if self.slippage:
                raise ValueError("set either slippage_bps or a slippage model, not both")
            slippage = FixedBasisPointsSlippage(basis_points=self.slippage_bps, volume_limit=None)
        if self.commission_per_share or self.commission_minimum:
            if self.commission:
                raise ValueError(
                    "set either commission_per_share/commission_minimum or a commission "
                    "model, not both"
                )
            commission = PerShare(
                cost=self.commission_per_share, min_trade_cost=self.commission_minimum
            )
        return BrokerSettings(
            starting_cash=self.starting_cash,
            fill_at=FillTiming(self.fill_at),
            slippage=slippage,
            commission=commission,
            allow_fractional=self.allow_fractional,
            last_minute_ns=round(self.last_minute_seconds * 1e9),
            resubmit_next_session=self.resubmit_next_session,
        )


def _model(key: str, kind: Any, table: dict[str, Any]) -> Any:
    """``{model = "volume_share", volume_limit = 0.025}`` -> ``VolumeShareSlippage(...)``,
    its parameters type-checked."""
    params = {"model": "none", **table}
    names = [model.__struct_config__.tag for model in kind.__args__]
    if params["model"] not in names:
        raise ValueError(f"key '{key}.model' is {params['model']!r}; use one of {', '.join(names)}")
    try:
        return msgspec.convert(params, kind)
    except msgspec.ValidationError as error:
        raise ValueError(explain(error, kind, prefix=key)) from None


class ReportSection(_Section, kw_only=True):
    benchmark: str = ""  # a CSV path or a symbol of the data; "" = the S&P 500 shipped here


class Scenario(_Section, kw_only=True):
    run: RunSection = msgspec.field(default_factory=RunSection)
    data: DataSection
    strategy: StrategySection
    broker: BrokerSection = msgspec.field(default_factory=BrokerSection)
    report: ReportSection = msgspec.field(default_factory=ReportSection)
    path: str = ""  # where it was read from; set by ``load_scenario``

    @property
    def folder(self) -> Path:
        return Path(self.path).parent


def load_scenario(path: Path, overrides: Iterable[tuple[str, Any]] = ()) -> Scenario:
    """The scenario file at ``path``, with ``overrides`` (``--set``) applied, checked."""
    return scenario_from_table(apply_overrides(read_table(path), overrides), path)


def read_table(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UserError(f"{path}: no such scenario file") from None
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:  # a folder, no permission, not text
        raise UserError(f"{path}: cannot read the scenario file: {error}") from None


def scenario_from_table(raw: dict[str, Any], path: Path) -> Scenario:
    """A scenario from its table; ``path`` names it in errors and anchors relative paths
    (a scenario made in code passes the folder its data paths are relative to, plus a
    file name)."""
    if "path" in raw:
        raise UserError(f"{path}: unknown key 'path' at the top level; remove it")
    try:
        scenario = msgspec.convert(raw, Scenario)
    except msgspec.ValidationError as error:
        raise UserError(f"{path}: {explain(error, Scenario)}") from None
    scenario = msgspec.structs.replace(scenario, path=str(path))
    check_values(scenario)
    return scenario


def frozen_copy(scenario: Scenario) -> str:
    """The scenario as TOML with its data paths made absolute, for the run folder: a report
    or a replay rebuilt from the folder must find the same data wherever it runs."""
    raw = msgspec.to_builtins(scenario)
    raw.pop("path")
    raw["data"]["path"] = str((scenario.folder / scenario.data.path).resolve())
    benchmark = scenario.folder / scenario.report.benchmark
    if scenario.report.benchmark and benchmark.is_file():
        raw["report"]["benchmark"] = str(benchmark.resolve())
    return tomli_w.dumps(raw)

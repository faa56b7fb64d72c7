"""The report of a real run folder: the demo scenario through the CLI, then build_report."""

from __future__ import annotations

import base64
import csv
import json
import math
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.integration.harness import (
    SCENARIOS,
    run_cli,
    runs_the_swarm,
    write_synthetic_scenario,
)
from tradeswarm.actors.fsm.diagram import DiagramError
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.report import build as report
from tradeswarm.scenarios.report.build import build_report
from tradeswarm.scenarios.report.charts import state_timeline_chart
from tradeswarm.scenarios.report.metrics import METRICS
from tradeswarm.scenarios.report.page import inline_svg
from tradeswarm.scenarios.report.run_data import read_timeline
from tradeswarm.scenarios.report.terminal import load_metrics, tear_sheet_table

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# .ci/run installs Graphviz; the README promises the tests pass with Python alone.
needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz 'dot' is not installed (Debian: apt-get install -y graphviz)",
)
REPORT_FILES = (
    "metrics.json",
    "metrics.csv",
    "trades.csv",
    "equity.png",
    "drawdown.png",
    "exposure.png",
    "states.png",
    "report.html",
)


def make_run(folder: Path, scenario_file: Path, *extra: str) -> Path:
    out = folder / "run"
    result = run_cli("run", str(scenario_file), "--out", str(out), "--quiet", *extra, cwd=folder)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
@runs_the_swarm
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo run, its report written by ``run`` from memory (kept as ``*.from_run``),
    then rebuilt from the folder as ``tradeswarm report`` does."""
    out = make_run(tmp_path_factory.mktemp("demo"), SCENARIOS / "sma_demo.toml")
    for name in ("metrics.json", "trades.csv", "report.html"):
        shutil.copy(out / name, out / f"{name}.from_run")
    build_report(out)
    return out


@pytest.mark.parametrize("name", ["metrics.json", "trades.csv", "report.html"])
def test_the_report_rebuilt_from_the_folder_is_the_one_the_run_wrote(
    demo_run: Path, name: str
) -> None:
    assert (demo_run / name).read_bytes() == (demo_run / f"{name}.from_run").read_bytes()


@pytest.fixture(scope="module")
@runs_the_swarm
def minute_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("minute")
    scenario = write_synthetic_scenario(folder, symbols=3, bars=1500, topology="single")
    out = make_run(folder, scenario)
    build_report(out)
    return out


class MetricCells(HTMLParser):
    """Every ``data-metric`` element's name, exact value and shown text; every src/href."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, tuple[str, str]] = {}
        self.links: list[str] = []
        self.tags: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name in ("src", "href")]
        if "data-metric" in found:
            self._open = found["data-metric"]
            self.cells[self._open or ""] = (found.get("data-value") or "", "")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            value, text = self.cells[self._open]
            self.cells[self._open] = (value, text + data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parsed(folder: Path) -> MetricCells:
    parser = MetricCells()
    parser.feed((folder / "report.html").read_text(encoding="utf-8"))
    return parser


def strict_json(path: Path) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"{path}: {constant} is not JSON")

    return json.loads(path.read_text(), parse_constant=refuse)


def as_float(value: Any) -> float:
    return float(value)  # "NaN", "Infinity" and numbers alike


def test_every_report_file_is_written(demo_run: Path) -> None:
    for name in REPORT_FILES:
        assert (demo_run / name).stat().st_size > 0, name
    for name in ("equity", "drawdown", "exposure", "states"):
        assert (demo_run / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)


def test_the_page_fetches_nothing(demo_run: Path) -> None:
    html = (demo_run / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html
    assert "https://" not in html
    page = parsed(demo_run)
    assert "link" not in page.tags and "iframe" not in page.tags
    assert page.links, "the charts are images"
    for link in page.links:
        assert link.startswith("data:image/png;base64,"), link[:80]
        assert base64.b64decode(link.split(",", 1)[1]).startswith(PNG_SIGNATURE)
    assert len(page.links) == 4
    assert html.count('id="fsm-diagram"') == 1  # inline SVG with Graphviz, else the Mermaid text


@needs_graphviz
def test_with_graphviz_the_fsm_diagram_is_inline_svg(demo_run: Path) -> None:
    html = (demo_run / "report.html").read_text(encoding="utf-8")
    assert '<div class="diagram" id="fsm-diagram"><svg' in html
    assert "EXIT_PENDING" in html.split('id="fsm-diagram"', 1)[1]
    assert "mermaid-source" not in html


def test_metrics_json_is_strict_json_and_agrees_with_the_run(demo_run: Path) -> None:
    metrics = strict_json(demo_run / "metrics.json")
    summary = json.loads((demo_run / "summary.json").read_text())
    assert metrics["final_equity"] == pytest.approx(summary["final_equity"], abs=1e-6)
    assert metrics["tear_sheet"]["total_return"] == pytest.approx(summary["return"], abs=1e-9)
    assert metrics["trade_stats"]["round_trips"] == summary["round_trips"]
    assert metrics["benchmark"] == "SPX"
    assert set(metrics["tear_sheet"]) == set(METRICS)
    assert sorted(metrics["trailing"], key=int) == ["1", "3", "6", "12"]
    assert metrics["notes"] == []


def test_monthly_returns_compound_to_the_total(demo_run: Path) -> None:
    metrics = load_metrics(demo_run)
    growth = math.prod(1.0 + row["return"] for row in metrics["monthly_returns"])
    assert growth - 1.0 == pytest.approx(metrics["tear_sheet"]["total_return"], abs=1e-12)
    yearly = math.prod(1.0 + row["return"] for row in metrics["yearly_returns"])
    assert yearly == pytest.approx(growth, abs=1e-12)


def test_every_number_on_the_page_is_the_one_in_metrics_json(demo_run: Path) -> None:
    metrics = load_metrics(demo_run)
    expected = {**metrics["tear_sheet"], **metrics["trade_stats"]}
    cells = parsed(demo_run).cells
    assert set(cells) == set(expected)
    for name, (value, text) in cells.items():
        assert value == json.dumps(expected[name]).strip('"'), name
        assert as_float(value) == as_float(expected[name]) or math.isnan(as_float(value))
        assert text.strip(), name


def test_metrics_csv_holds_the_whole_run_then_every_rolling_window(demo_run: Path) -> None:
    metrics = load_metrics(demo_run)
    with (demo_run / "metrics.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    whole = rows[0]
    assert whole["window"] == "all"
    for name, value in {**metrics["tear_sheet"], **metrics["trade_stats"]}.items():
        assert as_float(whole[name]) == as_float(value), name
    assert len(rows) == 1 + len(metrics["rolling"])
    assert {row["window"] for row in rows[1:]} == {"1m", "3m", "6m", "12m"}
    last = metrics["rolling"][-1]
    assert rows[-1]["end"] == last["end"] and float(rows[-1]["sharpe"]) == last["sharpe"]


def test_trades_csv_lists_every_round_trip(demo_run: Path) -> None:
    with (demo_run / "trades.csv").open() as handle:
        trips = list(csv.DictReader(handle))
    assert len(trips) == load_metrics(demo_run)["trade_stats"]["round_trips"]
    assert all(trip["opened"] <= trip["closed"] for trip in trips)


def test_tear_sheet_table_is_fixed_width(demo_run: Path) -> None:
    table = tear_sheet_table(load_metrics(demo_run))
    lines = table.splitlines()
    header, body = lines[1], lines[3:11]
    assert header.startswith("tear sheet") and "last 12m" in header and "last 1m" in header
    assert all(len(line) == len(header) for line in body), table
    assert "sharpe" in table.lower() and "max drawdown" in table and "win rate" in table


def test_a_minute_bar_run_reports_without_complete_months(minute_run: Path) -> None:
    metrics = strict_json(minute_run / "metrics.json")
    summary = json.loads((minute_run / "summary.json").read_text())
    assert metrics["final_equity"] == pytest.approx(summary["final_equity"], abs=1e-6)
    assert metrics["benchmark"].startswith("equal-weight")  # the shipped SPX ends in 2018
    assert metrics["rolling"] == [] and metrics["trailing"] == {}
    assert metrics["days"] == 4  # 1500 minute bars: three sessions of 390 and a part
    assert "No complete month" in (minute_run / "report.html").read_text(encoding="utf-8")
    assert "last" not in tear_sheet_table(metrics).splitlines()[1]


def test_without_graphviz_the_page_shows_the_mermaid_source(
    demo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_dot(_text: str) -> bytes:
        raise DiagramError("the Graphviz 'dot' program is not on PATH")

    monkeypatch.setattr(report, "render_svg", no_dot)
    for name in ("scenario.toml", "fills.csv", "timeline.csv", "summary.json", "equity.csv"):
        shutil.copy(demo_run / name, tmp_path / name)
    shutil.copy(demo_run / "positions.csv", tmp_path / "positions.csv")
    html = build_report(tmp_path).read_text(encoding="utf-8")
    assert '<pre class="mermaid-source" id="fsm-diagram">stateDiagram-v2' in html
    assert "<svg" not in html


def test_a_folder_that_is_not_a_run_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"scenario\.toml"):
        build_report(tmp_path)


def test_an_empty_or_missing_timeline_draws_every_symbol_in_its_initial_state(
    tmp_path: Path,
) -> None:
    (tmp_path / "timeline.csv").write_text("ts,symbol,from,event,to\n")
    for timeline in (read_timeline(tmp_path / "timeline.csv"), read_timeline(tmp_path / "no")):
        assert timeline.empty and list(timeline.columns) == ["ts", "symbol", "from", "event", "to"]
        png = state_timeline_chart(
            timeline,
            ["A", "B"],
            ["FLAT", "LONG"],
            "FLAT",
            pd.Timestamp("2024-01-02"),
            pd.Timestamp("2024-01-10"),
        )
        assert png.startswith(PNG_SIGNATURE)


def test_inline_svg_drops_prolog_doctype_and_namespaces() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<!-- made by dot -->\n'
        b'<svg width="8pt" xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:xlink="http://www.w3.org/1999/xlink"><g/></svg>\n'
    )
    assert inline_svg(svg) == '<svg width="8pt"><g/></svg>'
    assert not re.search("http", inline_svg(svg))

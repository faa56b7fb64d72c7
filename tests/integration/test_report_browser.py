"""report.html in a real browser: headless Chromium, offline, from a file URL.

The page's own script checks on load that every image decoded (naturalWidth > 0) and
writes ``<div id="render-check" data-images-ok="N" data-images-total="M">``; ``--dump-dom``
prints the DOM after load, so the test reads the browser's verdict, and the tear-sheet
numbers as the browser parsed them, and compares those with ``metrics.json``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.integration.harness import SCENARIOS, run_cli
from tradeswarm.scenarios.report.build import build_report

BROWSER_TIMEOUT_SECONDS = 60
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian: apt-get install -y chromium)",
)


class Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.render_check: dict[str, str | None] | None = None
        self.metrics: dict[str, str] = {}
        self.shown: dict[str, str] = {}
        self.images: list[dict[str, str | None]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id") == "render-check":
            self.render_check = found
        if tag == "img":
            self.images.append(found)
        if "data-metric" in found:
            self._open = found["data-metric"] or ""
            self.metrics[self._open] = found.get("data-value") or ""
            self.shown[self._open] = ""

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.shown[self._open] += data

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def browse(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *action,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_SECONDS,
    )


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    out = folder / "run"
    result = run_cli(
        "run", str(SCENARIOS / "sma_demo.toml"), "--out", str(out), "--quiet", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    if not (out / "scenario.toml").exists():  # until the runner writes it
        text = (SCENARIOS / "sma_demo.toml").read_text()
        data = (SCENARIOS / "data").resolve()
        (out / "scenario.toml").write_text(
            text.replace('path = "data/{symbol}.csv"', f'path = "{data}/{{symbol}}.csv"')
        )
    return build_report(out)


@pytest.fixture(scope="module")
def dumped(report_page: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Dom, str]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    result = browse(report_page, profile, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = Dom()
    dom.feed(result.stdout)
    return dom, result.stderr


def test_every_chart_decoded_in_the_browser(dumped: tuple[Dom, str]) -> None:
    dom, _ = dumped
    assert dom.render_check is not None, "the page's load script did not run"
    assert len(dom.images) == 4
    assert dom.render_check["data-images-total"] == "4"
    assert dom.render_check["data-images-ok"] == "4"


def test_the_browser_logged_no_console_message(dumped: tuple[Dom, str]) -> None:
    _, log = dumped
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert console == []


def test_the_numbers_the_browser_shows_are_metrics_json(
    dumped: tuple[Dom, str], report_page: Path
) -> None:
    dom, _ = dumped
    metrics = json.loads((report_page.parent / "metrics.json").read_text())
    expected = {**metrics["tear_sheet"], **metrics["trade_stats"]}
    assert set(dom.metrics) == set(expected)
    for name, value in dom.metrics.items():
        want = float(expected[name])
        assert float(value) == want or (math.isnan(want) and math.isnan(float(value))), name
    assert dom.shown["total_return"].strip() == f"{metrics['tear_sheet']['total_return']:+.2%}"
    assert dom.shown["round_trips"].strip() == f"{metrics['trade_stats']['round_trips']:,}"


def test_a_screenshot_of_the_page_is_not_blank(
    report_page: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    profile = tmp_path_factory.mktemp("chromium-shot")
    shot = profile / "page.png"
    result = browse(report_page, profile, f"--screenshot={shot}", "--window-size=1100,1400")
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1100, 1400)
    assert len(data) > 20_000  # text, tables and a chart: a blank page compresses to ~5 kB
    assert not re.search(r":CONSOLE", result.stderr)

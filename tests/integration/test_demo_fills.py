"""Every demo's fills, pinned by hash: a refactoring that changes one trade fails here.

The demos run in the ``single`` topology to keep the suite quick; the determinism tests
prove that ``processes`` gives the same bytes. A deliberate change of a strategy or of the
broker's rules updates the pin in the same commit, with the reason in its message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.integration.harness import SCENARIOS, run_cli

# sma_demo trades crossings since the strategy-authoring rewrite (its regime rule, pinned
# below, gives the fills from before); pairs_demo's z-score is the zscore indicator's, with
# the population deviation. Every other demo kept its fills through that rewrite.
DEMO_FILLS_SHA256 = {
    "sma_demo.toml": "d758b8e6f71606d118c03f504a80cc402903e859631556e78d3a954d3355b2fb",
    "long_short_demo.toml": "6d6f930485d0146d2db4c00733accfb7b5aa7c708128fa956e37e8e79b2f6999",
    "mean_reversion_demo.toml": "12a3c1a81491250310f059d3e958b36a5e883a6bcc85f85025ab85031d4156be",
    "breakout_demo.toml": "a861c0a0b6217f4b8497cad1d238e15314409be89c3b050b2fad31675bd6938f",
    "pairs_demo.toml": "4dcacfbbaf7b7f6c8f250fb273ee3b2eb00213fe3bf21fe78c6a9b4e23c00987",
}


def test_every_demo_scenario_is_pinned() -> None:
    assert set(DEMO_FILLS_SHA256) == {path.name for path in SCENARIOS.glob("*_demo.toml")}


@pytest.mark.parametrize("demo", sorted(DEMO_FILLS_SHA256))
def test_demo_fills_are_byte_identical_to_the_pinned_run(demo: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run_cli(
        "run",
        str(SCENARIOS / demo),
        "--topology",
        "single",
        "--out",
        str(out),
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256((out / "fills.csv").read_bytes()).hexdigest()
    assert digest == DEMO_FILLS_SHA256[demo]


def test_sma_crossover_with_the_regime_rule_gives_the_fills_it_gave_before_crossings(
    tmp_path: Path,
) -> None:
    """The regime rule is the strategy as it was before it traded crossings: its fills are
    the ones pinned for sma_demo then."""
    scenario = tmp_path / "regime.toml"
    text = (SCENARIOS / "sma_demo.toml").read_text()
    text = text.replace("quantity = 100 }", "quantity = 100, regime = true }")
    text = text.replace('"data/{symbol}.csv"', f'"{SCENARIOS}/data/{{symbol}}.csv"')
    scenario.write_text(text)
    out = tmp_path / "run"
    result = run_cli(
        "run", str(scenario), "--topology", "single", "--out", str(out), "--quiet", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256((out / "fills.csv").read_bytes()).hexdigest()
    assert digest == "d393e7ecfe38665e7c62efb0739f66d840edcd0d29c06274e72a367a2a000e1f"

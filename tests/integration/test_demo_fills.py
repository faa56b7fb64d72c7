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

# Since the pyarrow readers, back-adjustment is normalised to the last bar (the prices of
# the last bar are those that traded, as yfinance's and Quantopian's are), which moved
# every price of the shipped daily data and so every pin. sma_demo trades crossings; its
# older regime rule is pinned below.
DEMO_FILLS_SHA256 = {
    "sma_demo.toml": "5b4be03450feee22326b4c6f18bbaa2d8f71c6c9d455a034e2489ba50a467e49",
    "long_short_demo.toml": "c872836436887743714e88859a4a1145f580cc1baf9cfd3df10f3dddb10decf0",
    "mean_reversion_demo.toml": "e9f46f33ef6e83a2dc4b69484d9ce9237a593fd5a2091af89a197d4b7327c413",
    "breakout_demo.toml": "850322e7ea980dd06b286906f04e2a3f7bd52d7d903e574552607650b77449d0",
    "pairs_demo.toml": "0083c428c911333f542175525ea90ece0949a41c91a42849d9867a3b58b1b292",
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


def test_sma_crossover_with_the_regime_rule_is_pinned_too(
    tmp_path: Path,
) -> None:
    """The regime rule is the strategy as it was before it traded crossings (holding long
    while fast > slow): pinned, since nothing else runs it on real data."""
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
    assert digest == "6847475f0ff0accef10ac2be647f68c2fdb198b5ffb6fe07af45c5831d3717e0"

"""A value outside a key's choices is told with the choices, in the scenario's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import load_scenario

MINIMAL = '[data]\nsymbols = ["AAPL"]\n[strategy]\nname = "sma_crossover"\n'


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            ("data.adjust", "sideways"),
            "key 'data.adjust' is 'sideways'; use one of 'back', 'none', true, false",
        ),
        (
            ("data.source", "parquet"),
            "key 'data.source' is 'parquet'; use one of 'csv', 'files', 'synthetic' (a Parquet "
            'file is source = "files" with format = "parquet")',
        ),
        (("data.format", "xls"), "key 'data.format' is 'xls'; use one of 'auto', 'csv', 'parquet'"),
        (("data.stamp", "middle"), "key 'data.stamp' is 'middle'; use one of 'close', 'open'"),
        (
            ("data.outside_sessions", "keep"),
            "key 'data.outside_sessions' is 'keep'; use one of 'drop', 'error'",
        ),
    ],
)
def test_a_bad_choice_lists_the_valid_ones(
    tmp_path: Path, override: tuple[str, str], message: str
) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(MINIMAL)
    with pytest.raises(UserError) as caught:
        load_scenario(path, [override])
    assert str(caught.value) == f"{path}: {message}"


def test_true_and_false_still_choose_back_and_none(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(MINIMAL)
    assert load_scenario(path, [("data.adjust", False)]).data.adjust is False

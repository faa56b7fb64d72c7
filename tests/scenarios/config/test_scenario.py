"""Scenario files: the demo loads, and every mistake a user can make is one ``UserError`` that
names the file and the dotted key to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradeswarm.actors.broker.models import FixedBasisPointsSlippage, PerShare
from tradeswarm.actors.broker.settings import BrokerSettings, FillTiming
from tradeswarm.scenarios.config.errors import UserError
from tradeswarm.scenarios.config.scenario import load_scenario
from tradeswarm.scenarios.run.data_source import data_paths
from tradeswarm.scenarios.run.plan import shard_count

DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "sma_demo.toml"
MINIMAL = """\
[data]
symbols = ["AAPL"]

[strategy]
name = "sma_crossover"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(UserError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    return message


def test_the_demo_scenario_loads() -> None:
    scenario = load_scenario(DEMO)
    assert scenario.path == str(DEMO)
    assert scenario.run.name == "sma-demo"
    assert scenario.run.seed == 7
    assert scenario.run.topology == "processes"
    assert scenario.data.symbols == ["AAPL", "MSFT", "IBM"]
    assert scenario.strategy.name == "sma_crossover"
    assert scenario.strategy.params == {"fast": 10, "slow": 30, "quantity": 100}
    assert scenario.broker.settings().fill_at is FillTiming.NEXT_OPEN


def test_the_demo_scenarios_data_paths_are_relative_to_the_file() -> None:
    scenario = load_scenario(DEMO)
    for symbol in scenario.data.symbols:
        path = Path(data_paths(scenario)[symbol])
        assert path == DEMO.parent / "data" / f"{symbol}.csv"
        assert path.is_file()


def test_a_minimal_scenario_takes_every_default(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, MINIMAL))
    assert scenario.run.topology == "single"
    assert scenario.data.source == "files"
    assert scenario.data.adjust == "back"
    assert scenario.strategy.params == {}
    assert scenario.broker.settings() == BrokerSettings()


def test_the_broker_section_becomes_broker_settings(tmp_path: Path) -> None:
    text = MINIMAL + (
        '\n[broker]\nstarting_cash = 5000.0\nfill_at = "same_close"\n'
        "commission_per_share = 0.01\ncommission_minimum = 1.0\nslippage_bps = 5.0\n"
    )
    settings = load_scenario(write(tmp_path, text)).broker.settings()
    assert settings == BrokerSettings(
        starting_cash=5000.0,
        fill_at=FillTiming.SAME_CLOSE,
        commission=PerShare(cost=0.01, min_trade_cost=1.0),
        slippage=FixedBasisPointsSlippage(basis_points=5.0, volume_limit=None),
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("slippage_bps = 3.0\n[broker.slippage]\nmodel = 'volume_share'", "not both"),
        ("commission_minimum = 1.0\n[broker.commission]\nmodel = 'per_trade'", "not both"),
        ("[broker.commission]\nmodel = 'per_lot'", "broker.commission.model' is 'per_lot'; use"),
        ("[broker.commission]\nmodel = 'per_share'\ncost = 'x'", "broker.commission.cost'"),
        ("[broker.slippage]\nmodel = 'volume_share'\nimpact = 1", "broker.slippage.impact"),
    ],
    ids=["slippage_twice", "commission_twice", "unknown_model", "wrong_type", "unknown_param"],
)
def test_a_wrong_cost_model_is_refused_naming_its_key(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        load_scenario(write(tmp_path, MINIMAL + "\n[broker]\n" + table))


def test_an_absolute_data_path_is_kept(tmp_path: Path) -> None:
    text = MINIMAL.replace('["AAPL"]', f'["AAPL"]\npath = "{tmp_path}/{{symbol}}.csv"')
    scenario = load_scenario(write(tmp_path, text))
    assert data_paths(scenario) == {"AAPL": str(tmp_path / "AAPL.csv")}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("foo = 1\n" + MINIMAL, "foo"),
        ('path = "elsewhere.toml"\n' + MINIMAL, "path"),
        (MINIMAL.replace("\n\n[strategy]", "\nfoo = 1\n\n[strategy]"), "data.foo"),
        (MINIMAL + "\n[broker]\nfoo = 1\n", "broker.foo"),
        (MINIMAL + "\n[run]\nsede = 7\n", "run.sede"),
        (MINIMAL + "\n[nonsense]\n", "nonsense"),
    ],
    ids=["top_level", "top_level_path", "data", "broker", "run", "section"],
)
def test_an_unknown_key_names_the_file_and_the_dotted_key(
    tmp_path: Path, text: str, key: str
) -> None:
    message = error_of(write(tmp_path, text))
    assert f"unknown key '{key}'" in message


@pytest.mark.parametrize(
    ("text", "key", "detail"),
    [
        (MINIMAL + '\n[run]\nseed = "x"\n', "run.seed", "expected `int`, got `str`"),
        (MINIMAL.replace('["AAPL"]', "3"), "data.symbols", "expected `array`, got `int`"),
        (MINIMAL.replace('["AAPL"]', '["AAPL", 3]'), "data.symbols[1]", "expected `str`"),
        (MINIMAL + '\n[broker]\nstarting_cash = "lots"\n', "broker.starting_cash", "`float`"),
        ("data = 3\n" + MINIMAL.split("\n\n")[1], "data", "expected `object`, got `int`"),
    ],
    ids=["seed", "symbols", "symbol", "starting_cash", "data_section"],
)
def test_a_value_of_the_wrong_type_names_the_key_and_the_type_wanted(
    tmp_path: Path, text: str, key: str, detail: str
) -> None:
    message = error_of(write(tmp_path, text))
    assert f"key '{key}'" in message
    assert detail in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (MINIMAL.split("\n\n")[1], "data"),
        (MINIMAL.split("\n\n")[0], "strategy"),
        (MINIMAL.replace('symbols = ["AAPL"]', 'source = "csv"'), "data.symbols"),
    ],
    ids=["data", "strategy", "data_symbols"],
)
def test_a_missing_key_is_named(tmp_path: Path, text: str, key: str) -> None:
    assert f"missing key '{key}'" in error_of(write(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        (MINIMAL + '\n[run]\ntopology = "cluster"\n', "run.topology", "cluster"),
        (MINIMAL + '\n[run]\ntransport = "carrier_pigeon"\n', "run.transport", "carrier_pigeon"),
        (MINIMAL + '\n[broker]\nfill_at = "whenever"\n', "broker.fill_at", "whenever"),
    ],
    ids=["topology", "transport", "fill_at"],
)
def test_a_value_outside_its_choices_names_the_key_and_the_value(
    tmp_path: Path, text: str, key: str, value: str
) -> None:
    message = error_of(write(tmp_path, text))
    assert f"key '{key}'" in message
    assert value in message


@pytest.mark.parametrize(
    ("symbols", "complaint"),
    [("[]", "is empty"), ('["AAPL", "MSFT", "AAPL"]', "repeats a symbol")],
    ids=["empty", "duplicate"],
)
def test_a_bad_symbol_list_is_refused(tmp_path: Path, symbols: str, complaint: str) -> None:
    message = error_of(write(tmp_path, MINIMAL.replace('["AAPL"]', symbols)))
    assert f"key 'data.symbols' {complaint}" in message


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("[run]\ninstrument_shards = 0", "run.instrument_shards"),
        ("[broker]\nstarting_cash = 0.0", "broker.starting_cash"),
    ],
    ids=["instrument_shards", "starting_cash"],
)
def test_a_number_out_of_range_names_the_key(tmp_path: Path, section: str, key: str) -> None:
    message = error_of(write(tmp_path, MINIMAL + "\n" + section + "\n"))
    assert f"key '{key}'" in message and "must" in message


def test_a_number_out_of_range_in_data_names_the_key(tmp_path: Path) -> None:
    text = MINIMAL.replace('["AAPL"]', '["AAPL"]\nbars_per_symbol = 0')
    assert "key 'data.bars_per_symbol' must" in error_of(write(tmp_path, text))


def test_invalid_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, MINIMAL + "\n[broker\n"))
    assert "not valid TOML" in message
    assert "line 7" in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    assert "no such scenario file" in error_of(missing)


def test_a_folder_instead_of_a_file_is_a_user_error(tmp_path: Path) -> None:
    assert "cannot read the scenario file" in error_of(tmp_path)


def test_a_file_that_is_not_text_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert "cannot read the scenario file" in error_of(path)


def test_instrument_shards_is_a_count_or_auto(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '\n[run]\ninstrument_shards = "auto"\n')
    assert load_scenario(path).run.instrument_shards == "auto"
    assert shard_count("auto") >= 1
    assert shard_count(3) == 3
    message = error_of(write(tmp_path, MINIMAL + '\n[run]\ninstrument_shards = "many"\n'))
    assert "run.instrument_shards" in message

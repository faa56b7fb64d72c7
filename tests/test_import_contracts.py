"""The import contracts in pyproject.toml (checked by ``lint-imports``) cover what they claim.

import-linter cannot say "every module of a package but one", so two contracts list modules
by name: the core modules of broker/ and market/ (all but the actor shell), and the runtime's
modules (all but the launcher); these tests fail when a new module is added and not listed,
instead of leaving it unchecked.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHELL = "actor"  # the pykka/ZeroMQ shell of a cluster (broker/: a package); the rest is core
LAUNCHER = "node"  # starts every kind of actor, so it may import them all


def importlinter() -> dict[str, Any]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    return dict(config)


def contract(name_start: str) -> dict[str, Any]:
    (found,) = [c for c in importlinter()["contracts"] if c["name"].startswith(name_start)]
    return dict(found)


def modules_of(folder: str) -> set[str]:
    return {path.stem for path in (REPO / folder).glob("*.py") if path.stem != "__init__"}


def test_the_root_packages_are_the_three_installed_packages() -> None:
    assert importlinter()["root_packages"] == [
        "tradeswarm.messages",
        "tradeswarm.actors",
        "tradeswarm.scenarios",
    ]
    for folder in ("messages", "actors", "scenarios"):  # grimp needs regular packages
        assert (REPO / folder / "__init__.py").is_file(), folder


def test_every_core_module_of_broker_and_market_is_held_to_the_sans_io_contract() -> None:
    sans_io = contract("the sans-IO cores")
    listed = set(sans_io["source_modules"])
    assert "tradeswarm.actors.fsm" in listed
    for cluster in ("broker", "market"):
        cores = modules_of(f"actors/{cluster}") - {SHELL}
        assert cores, cluster
        in_contract = {
            module.rsplit(".", 1)[1]
            for module in listed
            if module.startswith(f"tradeswarm.actors.{cluster}.")
        }
        assert in_contract == cores, f"actors/{cluster}: list its core modules in pyproject.toml"
    assert set(sans_io["forbidden_modules"]) == {"zmq", "pykka", "tradeswarm.actors.runtime"}


def test_every_runtime_module_but_the_launcher_is_kept_from_the_broker_and_the_market() -> None:
    listed = set(contract("the runtime hosts the FSM")["source_modules"])
    runtime = modules_of("actors/runtime") - {LAUNCHER}
    assert listed == {f"tradeswarm.actors.runtime.{module}" for module in runtime}


def test_the_scenarios_layers_name_every_subpackage() -> None:
    layers = contract("inside scenarios")["layers"]
    named = {name.strip() for layer in layers for name in layer.split("|")}
    subpackages = {path.parent.name for path in (REPO / "scenarios").glob("*/__init__.py")}
    modules = {path.stem for path in (REPO / "scenarios").glob("*.py")} - {"__init__"}
    assert named == subpackages | modules

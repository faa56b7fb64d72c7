"""A user's own modules named messages, actors and scenarios neither shadow tradeswarm's nor
are shadowed by them: tradeswarm lives under one installed namespace, ``tradeswarm.*``.

The user's folder holds ``messages.py``, ``actors.py`` and ``scenarios.py``, each of which
refuses to be imported by tradeswarm and has no attribute tradeswarm's module of that name
has, and a strategy (the library's SMA crossover, adapted) that imports all three and takes
its parameters from them. The folder is on PYTHONPATH and is the working directory, as for
a user who runs ``tradeswarm run`` there; the repository is not on the path.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.integration.harness import (
    CLI_TIMEOUT_SECONDS,
    CliResult,
    cli_command,
    write_synthetic_scenario,
)

USER_QUANTITY = 7  # messages.QUANTITY: every fill of the run is this size

# Imported by anything from tradeswarm, the module fails; asked for any other name than its
# own (``Bar``, ``decode``, ...), it says whose module it is.
GUARD = """
import sys

OWNER = "{owner}"


def _importer() -> str:
    frame = sys._getframe(2)  # 0 is this function, 1 this module's own code
    while frame is not None and frame.f_globals.get("__name__", "").startswith("importlib"):
        frame = frame.f_back
    return "" if frame is None else str(frame.f_globals.get("__name__", ""))


if _importer().startswith("tradeswarm"):
    raise ImportError(f"tradeswarm imported the user's {{__file__}}")


def __getattr__(name: str) -> object:
    raise AttributeError(f"the user's {{__file__}} has no {{name!r}}: not tradeswarm's module")
"""

USER_MODULES = {
    "messages.py": GUARD.format(owner="user messages") + f"\nQUANTITY = {USER_QUANTITY}\n",
    "actors.py": GUARD.format(owner="user actors") + "\nFAST = 3\n",
    "scenarios.py": GUARD.format(owner="user scenarios") + "\nSLOW = 12\n",
}

STRATEGY_MODULE = '''
"""The library's SMA crossover, adapted: its parameters come from the user's own modules."""

from dataclasses import replace
from typing import Any, Mapping

import actors
import messages
import scenarios
from tradeswarm.scenarios.strategies import sma_crossover

assert (messages.OWNER, actors.OWNER, scenarios.OWNER) == (
    "user messages", "user actors", "user scenarios"
), "the strategy did not import the user's modules"


def new_context(symbol: str, params: Mapping[str, Any]) -> Any:
    return sma_crossover.STRATEGY.new_context(
        symbol,
        {"fast": actors.FAST, "slow": scenarios.SLOW, "quantity": messages.QUANTITY,
         "regime": True},
    )


STRATEGY = replace(sma_crossover.STRATEGY, name="users_sma", new_context=new_context)
'''


def user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    for name, text in USER_MODULES.items():
        (folder / name).write_text(text)
    (folder / "users_sma.py").write_text(textwrap.dedent(STRATEGY_MODULE))
    scenario = write_synthetic_scenario(folder, symbols=3, bars=600, name="mine")
    text = scenario.read_text().replace('name = "sma_crossover"', 'name = "users_sma:STRATEGY"')
    scenario.write_text(text.replace("params = { fast = 5, slow = 20, quantity = 10 }\n", ""))
    return folder


def run_as_user(folder: Path, *args: str) -> CliResult:
    """The CLI from the user's folder, with only that folder on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(folder)
    env["TRADESWARM_TEST_TAG"] = uuid.uuid4().hex
    completed = subprocess.run(
        cli_command(*args),
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


@pytest.mark.parametrize("topology", ["single", "processes"])
def test_a_users_messages_actors_and_scenarios_modules_are_the_ones_their_strategy_imports(
    tmp_path: Path, topology: str
) -> None:
    folder = user_folder(tmp_path)
    result = run_as_user(folder, "run", "mine.toml", "--topology", topology, "--out", "out")
    assert result.returncode == 0, result.stderr
    with (folder / "out" / "fills.csv").open() as handle:
        fills = list(csv.DictReader(handle))
    assert len(fills) > 10
    assert {float(fill["quantity"]) for fill in fills} == {USER_QUANTITY}
    assert "users_sma" in result.stdout


def test_a_users_module_refuses_to_be_imported_by_tradeswarm(tmp_path: Path) -> None:
    """The guard the test above relies on fires when the importer is a tradeswarm module,
    and only then."""
    folder = user_folder(tmp_path)
    (folder / "importer.py").write_text("import messages\n")
    as_tradeswarm = "import runpy; runpy.run_path('importer.py', run_name='tradeswarm.x')"
    refused = subprocess.run(
        [sys.executable, "-c", as_tradeswarm], cwd=folder, capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert "ImportError: tradeswarm imported the user's" in refused.stderr
    as_user = "import runpy; runpy.run_path('importer.py', run_name='users_code')"
    accepted = subprocess.run(
        [sys.executable, "-c", as_user], cwd=folder, capture_output=True, text=True
    )
    assert accepted.returncode == 0, accepted.stderr

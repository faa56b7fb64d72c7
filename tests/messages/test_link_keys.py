"""The run's keys: each process gets its own client key, the state key file is private."""

from __future__ import annotations

import stat
from pathlib import Path

from tradeswarm.messages.link_keys import (
    is_local,
    new_run_keys,
    read_state_key,
    write_state_key,
)


def test_each_node_has_its_own_key_and_knows_whose_the_others_are() -> None:
    keys = new_run_keys(["market", "broker", "instruments-0"])
    shares = {name: keys.for_node(name) for name in keys.nodes}
    client_keys = {share.client_public for share in shares.values()}
    assert len(client_keys) == 3
    for name, share in shares.items():
        assert share.clients[share.client_public] == name
        assert share.server_public == keys.server_public
        assert share.state_public not in share.clients  # the state key is no actor's
    assert new_run_keys(["market"]).server_public != keys.server_public  # per run


def test_the_state_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    keys = new_run_keys(["swarm"])
    path = tmp_path / "state.key"
    write_state_key(path, keys.state_reader())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_state_key(path) == keys.state_reader()
    assert keys.server_secret not in path.read_text()


def test_only_inproc_goes_without_keys() -> None:
    assert is_local("inproc://run-control")
    assert not is_local("ipc:///tmp/ts-x/control.sock")
    assert not is_local("tcp://127.0.0.1:5555")

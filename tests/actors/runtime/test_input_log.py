"""The input log gives back exactly what was logged up to the last decision point, and cuts
the file there, so a restarted owner appends after the decision it replays last."""

from __future__ import annotations

from pathlib import Path

from tradeswarm.actors.runtime.input_log import (
    BARS,
    BROKER,
    DECIDED,
    InputLog,
    read_input_log,
    read_whole_input_log,
)


def test_records_come_back_in_order_with_a_decision_mark_only_after_inputs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "inputs" / "host.log"
    log = InputLog(path)
    log.decided()  # nothing came yet: no mark
    log.append(BARS, b"batch-0")
    log.append(BROKER, b"")
    log.decided()
    log.decided()  # an idle poll: no second mark
    log.flush()
    log.append(BROKER, b"fill")
    log.close()
    assert list(read_input_log(path)) == [(BARS, b"batch-0"), (BROKER, b""), (DECIDED, b"")]
    assert path.stat().st_mode & 0o777 == 0o600


def test_nothing_reaches_the_file_before_a_flush_and_a_reopened_log_appends(
    tmp_path: Path,
) -> None:
    path = tmp_path / "host.log"
    log = InputLog(path)
    log.append(BARS, b"x" * 100_000)
    assert path.stat().st_size == 0
    log.decided()
    log.flush()
    assert path.stat().st_size == 100_010
    log.close()
    again = InputLog(path)
    again.append(BROKER, b"after the restart")
    again.decided()
    again.close()
    assert [kind for kind, _ in read_input_log(path)] == [BARS, DECIDED, BROKER, DECIDED]


def test_what_follows_the_last_decision_is_cut_off_before_the_owner_appends_again(
    tmp_path: Path,
) -> None:
    """Inputs no decision used (flushed by a stop, or a record cut short by a kill) are
    dropped from the file: the peers send them again, and they are logged again."""
    path = tmp_path / "host.log"
    log = InputLog(path)
    log.append(BARS, b"whole")
    log.decided()
    log.append(BROKER, b"taken, never decided on")
    log.append(BROKER, b"cut short by the kill")
    log.close()
    path.write_bytes(path.read_bytes()[:-5])
    assert list(read_input_log(path)) == [(BARS, b"whole"), (DECIDED, b"")]
    again = InputLog(path)
    again.append(BROKER, b"taken again")
    again.decided()
    again.close()
    assert [frame for _, frame in read_input_log(path)] == [b"whole", b"", b"taken again", b""]
    assert list(read_input_log(tmp_path / "missing.log")) == []


def test_the_whole_log_of_a_running_owner_keeps_what_came_after_its_last_decision(
    tmp_path: Path,
) -> None:
    """A host that rebuilds itself from its own log while it runs has taken those inputs
    already: they come back, and the file is not cut."""
    path = tmp_path / "host.log"
    log = InputLog(path)
    log.append(BARS, b"decided on")
    log.decided()
    log.append(BROKER, b"taken since")
    log.flush()
    size = path.stat().st_size
    assert read_whole_input_log(path) == [
        (BARS, b"decided on"),
        (DECIDED, b""),
        (BROKER, b"taken since"),
    ]
    assert path.stat().st_size == size
    log.close()

"""The input log gives back exactly what was logged, up to a record cut short by a kill."""

from __future__ import annotations

from pathlib import Path

from tradeswarm.actors.runtime.input_log import BARS, BROKER, DECIDED, InputLog, read_input_log


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
    assert list(read_input_log(path)) == [
        (BARS, b"batch-0"),
        (BROKER, b""),
        (DECIDED, b""),
        (BROKER, b"fill"),
    ]
    assert path.stat().st_mode & 0o777 == 0o600


def test_nothing_reaches_the_file_before_a_flush_and_a_reopened_log_appends(
    tmp_path: Path,
) -> None:
    path = tmp_path / "host.log"
    log = InputLog(path)
    log.append(BARS, b"x" * 100_000)
    assert path.stat().st_size == 0
    log.flush()
    assert path.stat().st_size == 100_005
    log.close()
    again = InputLog(path)
    again.append(BROKER, b"after the restart")
    again.close()
    assert [kind for kind, _ in read_input_log(path)] == [BARS, BROKER]


def test_a_record_cut_short_ends_the_log(tmp_path: Path) -> None:
    path = tmp_path / "host.log"
    log = InputLog(path)
    log.append(BARS, b"whole")
    log.append(BROKER, b"cut short by the kill")
    log.close()
    path.write_bytes(path.read_bytes()[:-5])
    assert list(read_input_log(path)) == [(BARS, b"whole")]
    assert list(read_input_log(tmp_path / "missing.log")) == []

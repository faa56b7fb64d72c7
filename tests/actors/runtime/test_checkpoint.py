"""A checkpoint holds an instrument exactly: restored into a fresh instrument, the rest of
the run sends what the instrument that was never stopped sends. Written atomically; one
that cannot be taken turns checkpoints off instead of failing the run."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import pytest

from tradeswarm.actors.runtime.checkpoint import (
    CheckpointError,
    Checkpoints,
    read_checkpoint,
    write_checkpoint,
)
from tradeswarm.actors.runtime.instrument import Instrument
from tradeswarm.messages import Bar, BarBatch, Fill, OrderAck, OrderRequest, decode
from tradeswarm.scenarios.strategies import resolve_strategy

SMA = resolve_strategy("sma_crossover")
PARAMS = {"fast": 3, "slow": 8, "quantity": 10}
BARS_PER_BATCH = 10


def wave(ts_ns: int) -> Bar:
    close = 100.0 + 10.0 * math.sin(ts_ns / 7.0)
    return Bar(
        symbol="AAA",
        ts_ns=ts_ns,
        open=close,
        high=close + 1,
        low=close - 1,
        close=close,
        volume=1e6,
    )


class Broker:
    """Fills every order at the close of the batch it was decided in, in full."""

    def __init__(self) -> None:
        self.sent: list[object] = []
        self._fills = 0

    def send(self, body: bytes) -> None:
        self.sent.append(decode(body))

    def answer(self, instrument: Instrument, start: int, through_ts_ns: int) -> None:
        for message in self.sent[start:]:
            if isinstance(message, OrderRequest):
                self._fills += 1
                instrument.take_broker_message(
                    OrderAck(client_order_id=message.client_order_id, symbol="AAA", ts_ns=0)
                )
                instrument.take_broker_message(
                    Fill(
                        client_order_id=message.client_order_id,
                        symbol="AAA",
                        side=message.side,
                        quantity=message.quantity,
                        price=wave(through_ts_ns).close,
                        commission=0.0,
                        ts_ns=through_ts_ns,
                        remaining=0.0,
                        fill_seq=self._fills,
                    )
                )
        instrument.take_broker_progress(through_ts_ns)


def new_instrument(broker: Broker) -> Instrument:
    return Instrument(
        symbol="AAA", strategy=SMA, params=PARAMS, send=broker.send, flush=lambda: None
    )


def drive(instrument: Instrument, broker: Broker, batches: range) -> None:
    for seq in batches:
        first = seq * BARS_PER_BATCH + 1
        bars = [wave(ts_ns) for ts_ns in range(first, first + BARS_PER_BATCH)]
        start = len(broker.sent)
        instrument.take_bars(BarBatch(symbol="AAA", seq=seq, items=bars))
        instrument.run()
        broker.answer(instrument, start, bars[-1].ts_ns)
        instrument.run()


def test_an_instrument_restored_from_its_checkpoint_sends_what_the_uninterrupted_one_sends() -> (
    None
):
    whole = Broker()
    uninterrupted = new_instrument(whole)
    drive(uninterrupted, whole, range(0, 40))
    assert uninterrupted.counters["orders"] >= 6, "the wave should trade several times"

    before = Broker()
    stopped = new_instrument(before)
    drive(stopped, before, range(0, 17))
    state = pickle.loads(pickle.dumps(stopped.checkpoint_state()))
    after = Broker()
    after._fills = before._fills
    restored = new_instrument(after)
    restored.restore_state(state)
    drive(restored, after, range(17, 40))

    assert before.sent + after.sent == whole.sent
    assert restored.state == uninterrupted.state
    assert restored.counters == uninterrupted.counters
    assert restored.transitions.rows == uninterrupted.transitions.rows


def test_a_checkpoint_is_replaced_whole_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "host.log.checkpoint"
    assert read_checkpoint(path) is None
    write_checkpoint(path, 10, {"a": 1})
    write_checkpoint(path, 20, {"a": 2})
    assert read_checkpoint(path) == (20, {"a": 2})
    assert [item.name for item in tmp_path.iterdir()] == ["host.log.checkpoint"]
    assert path.stat().st_mode & 0o077 == 0  # the run's user alone


def test_a_checkpoint_of_another_format_or_garbage_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "host.log.checkpoint"
    path.write_bytes(pickle.dumps((0, 10, {})))
    with pytest.raises(CheckpointError, match=r"host\.log\.checkpoint: checkpoint format 0"):
        read_checkpoint(path)
    path.write_bytes(b"not a pickle")
    with pytest.raises(CheckpointError, match="unreadable checkpoint"):
        read_checkpoint(path)


def test_checkpoints_are_due_every_so_many_bytes_and_off_when_the_state_does_not_pickle(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checkpoints = Checkpoints(
        tmp_path / "host.log", every_bytes=100, owner="instruments-0", clock=lambda: 0.0
    )
    assert not checkpoints.due(99) and checkpoints.due(100)
    checkpoints.take(100, {"fine": True})
    assert not checkpoints.due(150) and checkpoints.due(200)
    checkpoints.take(200, {"user context": lambda: None})  # a lambda does not pickle
    assert "instruments-0: checkpoints are off" in caplog.text
    assert not checkpoints.due(10_000)
    assert checkpoints.counters["checkpoints"] == 1
    assert read_checkpoint(tmp_path / "host.log.checkpoint") == (100, {"fine": True})
    never = Checkpoints(tmp_path / "other.log", every_bytes=0, owner="instruments-1")
    assert not never.due(10**9) and never.load() is None


def test_a_checkpoint_that_took_long_holds_the_next_back_to_keep_their_cost_small(
    tmp_path: Path,
) -> None:
    now = [10.0]

    def clock() -> float:
        now[0] += 0.5  # every reading: the checkpoint takes 0.5 s
        return now[0]

    checkpoints = Checkpoints(tmp_path / "host.log", every_bytes=100, owner="broker", clock=clock)
    checkpoints.take(100, {"state": 1})  # from 10.5 to 11.0: none before 11.0 + 19 x 0.5
    now[0] = 19.9  # read as 20.4
    assert not checkpoints.due(10_000)  # enough log, too soon
    now[0] = 20.6
    assert checkpoints.due(10_000)
    assert not checkpoints.due(150)  # soon enough, too little log


def test_a_checkpoint_the_broker_refuted_is_deleted_and_the_next_one_is_due_at_once(
    tmp_path: Path,
) -> None:
    writer = Checkpoints(tmp_path / "host.log", every_bytes=100, owner="h", clock=lambda: 0.0)
    writer.take(5_000, {"wrong": True})
    restarted = Checkpoints(tmp_path / "host.log", every_bytes=100, owner="h", clock=lambda: 0.0)
    assert restarted.load() == (5_000, {"wrong": True}) and restarted.loaded
    assert not restarted.due(5_050)
    restarted.discard()
    assert not restarted.loaded and restarted.load() is None
    assert restarted.due(5_050)

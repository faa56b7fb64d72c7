"""The journal: what is appended reads back the same, any msgpack reader can stream the file,
and a damaged file is one ``DecodeError`` that says where."""

from __future__ import annotations

from pathlib import Path

import msgpack
import msgspec
import pytest

from tests.messages.test_codec import SAMPLES
from tradeswarm.actors.broker.journal import Journal, read_journal
from tradeswarm.messages import (
    MESSAGE_TYPES,
    ActorFailed,
    DecodeError,
    Fill,
    Message,
    OrderAck,
    OrderRequest,
    Side,
    encode,
)

T0 = 1_700_000_000_000_000_000
REQUEST = OrderRequest(
    client_order_id="o1", symbol="AAPL", side=Side.BUY, quantity=10.0, decided_ts_ns=T0, seq=1
)
ACK = OrderAck(client_order_id="o1", symbol="AAPL", ts_ns=T0)
FILL = Fill(
    client_order_id="o1",
    symbol="AAPL",
    side=Side.BUY,
    quantity=10.0,
    price=10.5,
    commission=1.0,
    ts_ns=T0 + 60 * 10**9,
    remaining=0.0,
    fill_seq=1,
)
RUN = [REQUEST, ACK, FILL]


def write_journal(path: Path, messages: list[Message]) -> None:
    journal = Journal(path)
    for message in messages:
        journal.append(message)
    journal.flush()
    journal.close()


def test_appended_messages_read_back_the_same_and_in_order(tmp_path: Path) -> None:
    path = tmp_path / "journal.msgpack"
    write_journal(path, RUN)
    assert list(read_journal(path)) == RUN


def test_one_of_every_message_type_reads_back_the_same(tmp_path: Path) -> None:
    messages = [SAMPLES[message_type] for message_type in MESSAGE_TYPES]
    path = tmp_path / "journal.msgpack"
    write_journal(path, messages)
    assert list(read_journal(path)) == messages


def test_after_flush_the_file_holds_everything_appended_so_far(tmp_path: Path) -> None:
    path = tmp_path / "journal.msgpack"
    journal = Journal(path)
    journal.append(REQUEST)
    journal.flush()
    assert list(read_journal(path)) == [REQUEST]
    journal.append(ACK)
    journal.flush()
    assert list(read_journal(path)) == [REQUEST, ACK]
    journal.close()
    journal.close()  # closing twice is harmless


def test_the_journal_creates_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "demo" / "journal.msgpack"
    write_journal(path, [ACK])
    assert list(read_journal(path)) == [ACK]


def test_an_empty_journal_reads_as_no_messages(tmp_path: Path) -> None:
    path = tmp_path / "journal.msgpack"
    write_journal(path, [])
    assert path.read_bytes() == b""
    assert list(read_journal(path)) == []


def test_the_stock_msgpack_unpacker_streams_the_file_as_plain_values(tmp_path: Path) -> None:
    path = tmp_path / "journal.msgpack"
    write_journal(path, RUN)
    with path.open("rb") as handle:
        values = list(msgpack.Unpacker(handle, raw=False))
    assert values == [msgspec.to_builtins(message) for message in RUN]
    assert [value[:2] for value in values] == [["OrderRequest", 1], ["OrderAck", 1], ["Fill", 1]]


def test_the_file_is_the_messages_encodings_one_after_another(tmp_path: Path) -> None:
    path = tmp_path / "journal.msgpack"
    write_journal(path, RUN)
    assert path.read_bytes() == b"".join(encode(message) for message in RUN)


def test_a_journal_cut_short_by_a_crash_raises_decode_error_after_the_whole_messages(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.msgpack"
    write_journal(path, RUN)
    path.write_bytes(path.read_bytes()[:-5])
    reader = read_journal(path)
    assert [next(reader), next(reader)] == [REQUEST, ACK]
    with pytest.raises(DecodeError) as caught:
        next(reader)
    whole = len(encode(REQUEST)) + len(encode(ACK))
    assert caught.value.reason.startswith(f"{path}: no whole message at byte {whole}")


def test_a_value_that_is_not_a_message_raises_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.msgpack"
    path.write_bytes(encode(ACK) + msgpack.packb(["NotAMessage", 1]))
    reader = read_journal(path)
    assert next(reader) == ACK
    with pytest.raises(DecodeError, match="not a valid message"):
        next(reader)


def test_a_journal_larger_than_msgpacks_default_buffer_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "journal.msgpack"
    big = ActorFailed(actor="broker", reason="x" * 60_000)
    count = 101 * 2**20 // 60_000 + 1  # just over msgpack's 100 MiB default buffer limit
    write_journal(path, [big] * count)
    assert sum(1 for message in read_journal(path) if message == big) == count

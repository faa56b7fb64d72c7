"""The wire: every message round-trips, is plain msgpack any reader can use, keeps a pinned
layout, and every way bytes can be wrong is one ``DecodeError`` with a reason."""

from __future__ import annotations

import msgpack
import msgspec
import pytest

import tradeswarm.messages as messages
from tradeswarm.messages import (
    AccountStatement,
    ActorFailed,
    ActorFinished,
    ActorReady,
    ActorStopped,
    Bar,
    BarBatch,
    BarsPublished,
    BrokerProgress,
    BrokerResults,
    CancelReason,
    CancelRequest,
    DecodeError,
    Fill,
    Heartbeat,
    JournalHeader,
    Message,
    OpenOrder,
    OrderAck,
    OrderCancelled,
    OrderReject,
    OrderRequest,
    OrderType,
    PeerSignal,
    Position,
    ReplaceRequest,
    RunProgress,
    SessionEvent,
    SessionEventKind,
    ShutdownRequest,
    Side,
    StartRequest,
    StepDone,
    TimeInForce,
    TradingState,
    TradingStateRequest,
    decode,
    encode,
    from_builtins,
)
from tradeswarm.messages.recovery import (
    ActorRecovered,
    Reconciled,
    RepliesLogged,
    ResendRequest,
    ResumeReply,
    ResumeRequest,
    ResyncRequest,
    SnapshotEnd,
    StreamHead,
)
from tradeswarm.messages.topics import bar_topic

T0 = 1_700_000_000_000_000_000
T1 = 1_700_000_060_000_000_000

BAR = Bar(symbol="AAPL", ts_ns=T0, open=10.5, high=11.0, low=10.0, close=10.75, volume=1200.0)
SESSION_OPEN = SessionEvent(
    kind=SessionEventKind.SESSION_OPEN, ts_ns=T0, session="2023-11-14", close_ts_ns=T1
)
ORDER = OrderRequest(
    client_order_id="sma-AAPL-1",
    symbol="AAPL",
    side=Side.BUY,
    quantity=100.0,
    decided_ts_ns=T0,
    seq=1,
)
FILL = Fill(
    client_order_id="sma-AAPL-1",
    symbol="AAPL",
    side=Side.BUY,
    quantity=100.0,
    price=10.5,
    commission=1.0,
    ts_ns=T1,
    remaining=0.0,
    fill_seq=1,
)
REPLACE = ReplaceRequest(
    client_order_id="sma-AAPL-2",
    symbol="AAPL",
    quantity=80.0,
    limit_price=9.25,
    decided_ts_ns=T1,
    seq=4,
)
STEP_DONE = StepDone(sender="instrument-AAPL", through_ts_ns=T0)

STATEMENT = AccountStatement(
    session="2023-11-14",
    ts_ns=T0,
    cash=98_950.0,
    equity=100_025.0,
    positions={"AAPL": 100.0},
    closes={"AAPL": 10.75, "MSFT": 370.5},
)

SAMPLES: dict[type[Message], Message] = {
    Bar: BAR,
    BarBatch: BarBatch(symbol="AAPL", seq=3, items=[SESSION_OPEN, BAR]),
    SessionEvent: SESSION_OPEN,
    BarsPublished: BarsPublished(
        seq=0,
        through_ts_ns=T0,
        timestamps=[T0],
        sessions=[SESSION_OPEN],
        batches={"AAPL": 3},
        final=True,
    ),
    OrderRequest: OrderRequest(
        client_order_id="sma-AAPL-2",
        symbol="AAPL",
        side=Side.SELL,
        quantity=50.0,
        order_type=OrderType.STOP_LIMIT,
        limit_price=9.5,
        stop_price=9.75,
        time_in_force=TimeInForce.DAY,
        decided_ts_ns=T0,
        seq=2,
    ),
    CancelRequest: CancelRequest(
        client_order_id="sma-AAPL-2", symbol="AAPL", decided_ts_ns=T1, seq=3
    ),
    OrderAck: OrderAck(client_order_id="sma-AAPL-1", symbol="AAPL", ts_ns=T0),
    OrderReject: OrderReject(
        client_order_id="sma-AAPL-1", symbol="AAPL", reason="insufficient_cash", ts_ns=T0
    ),
    Fill: FILL,
    OrderCancelled: OrderCancelled(
        client_order_id="sma-AAPL-2", symbol="AAPL", reason="requested", ts_ns=T1
    ),
    TradingStateRequest: TradingStateRequest(request_id="state-1"),
    TradingState: TradingState(
        request_id="state-1",
        cash=98_949.0,
        equity=100_024.0,
        positions=[Position(symbol="AAPL", quantity=100.0, average_cost=10.5, last_price=10.75)],
        open_orders=[
            OpenOrder(
                client_order_id="sma-AAPL-2",
                symbol="AAPL",
                side=Side.SELL,
                quantity=50.0,
                filled_quantity=0.0,
                order_type=OrderType.MARKET,
                limit_price=None,
                stop_price=None,
                time_in_force=TimeInForce.GTC,
                status="accepted",
            )
        ],
        last_ts_ns=T1,
        fills=1,
    ),
    StepDone: STEP_DONE,
    BrokerProgress: BrokerProgress(through_ts_ns=T0),
    ActorReady: ActorReady(actor="broker"),
    StartRequest: StartRequest(),
    ActorFinished: ActorFinished(actor="broker", counters={"fills": 1, "orders": 2}),
    ShutdownRequest: ShutdownRequest(),
    ActorStopped: ActorStopped(actor="broker", counters={"fills": 1}),
    ActorFailed: ActorFailed(actor="instrument-AAPL", reason="ZeroDivisionError: division"),
    RunProgress: RunProgress(through_ts_ns=1_700_000_000_000_000_000, bars=4_096),
    PeerSignal: PeerSignal(
        sender="KO",
        target="PEP",
        name="peer_close",
        value=61.25,
        decided_ts_ns=1_700_000_000_000_000_000,
        seq=7,
    ),
    ReplaceRequest: REPLACE,
    AccountStatement: STATEMENT,
    BrokerResults: BrokerResults(fills=[FILL], statements=[STATEMENT]),
    Heartbeat: Heartbeat(actor="instruments-0"),
    JournalHeader: JournalHeader(prices="as traded", symbols=["AAPL"], starting_cash=1e5),
    ResumeRequest: ResumeRequest(host="instruments-0", replies_seen=12),
    ResumeReply: ResumeReply(host="instruments-0", from_index=12),
    SnapshotEnd: SnapshotEnd(host="instruments-0", chunks=2),
    ActorRecovered: ActorRecovered(actor="instruments-0", replayed_inputs=80, replay_seconds=0.5),
    ResyncRequest: ResyncRequest(peer="broker"),
    StreamHead: StreamHead(marks=12),
    ResendRequest: ResendRequest(),
    RepliesLogged: RepliesLogged(host="instruments-0", replies=2048),
    Reconciled: Reconciled(
        actor="instrument/AAPL",
        differences=["position 20 here, 10 at the broker"],
        state_before="long",
        state_after="long",
    ),
}

every_message_type = pytest.mark.parametrize(
    "message_type", messages.MESSAGE_TYPES, ids=lambda message_type: message_type.__name__
)


def test_there_is_a_sample_of_every_message_type_and_no_other() -> None:
    assert set(SAMPLES) == set(messages.MESSAGE_TYPES)
    assert all(type(sample) is message_type for message_type, sample in SAMPLES.items())


@every_message_type
def test_a_message_decodes_to_an_equal_message(message_type: type[Message]) -> None:
    sample = SAMPLES[message_type]
    decoded = decode(encode(sample))
    assert type(decoded) is message_type
    assert decoded == sample


@every_message_type
def test_the_stock_msgpack_reader_sees_a_list_of_tag_version_and_fields_in_order(
    message_type: type[Message],
) -> None:
    sample = SAMPLES[message_type]
    value = msgpack.unpackb(encode(sample), raw=False)
    field_names = message_type.__struct_fields__
    assert field_names[0] == "schema_version"
    expected_fields = [msgspec.to_builtins(getattr(sample, name)) for name in field_names[1:]]
    assert value == [message_type.__name__, 1, *expected_fields]


@every_message_type
def test_from_builtins_turns_the_stock_readers_output_back_into_the_message(
    message_type: type[Message],
) -> None:
    sample = SAMPLES[message_type]
    assert from_builtins(msgpack.unpackb(encode(sample), raw=False)) == sample


@every_message_type
def test_a_message_written_by_the_stock_msgpack_writer_decodes(
    message_type: type[Message],
) -> None:
    sample = SAMPLES[message_type]
    written = msgpack.packb(msgspec.to_builtins(sample), use_bin_type=True)
    assert decode(written) == sample


@every_message_type
def test_a_message_with_fields_appended_by_a_newer_writer_still_decodes(
    message_type: type[Message],
) -> None:
    sample = SAMPLES[message_type]
    newer = [*msgpack.unpackb(encode(sample), raw=False), "a field from the future"]
    assert decode(msgpack.packb(newer)) == sample


@every_message_type
def test_a_message_of_another_schema_version_is_refused_by_decode_and_from_builtins(
    message_type: type[Message],
) -> None:
    value = msgpack.unpackb(encode(SAMPLES[message_type]), raw=False)
    value[1] = 2
    for attempt in (lambda: decode(msgpack.packb(value)), lambda: from_builtins(value)):
        with pytest.raises(DecodeError) as caught:
            attempt()
        assert caught.value.reason == (
            f"{message_type.__name__} has schema version 2, this build reads 1"
        )


# Golden bytes: one pinned layout per type. A reordered, renamed or retyped field fails here.

GOLDEN = {
    "Bar": (
        BAR,
        "99"  # array of 9
        "a3 426172"  # "Bar"
        "01"  # schema_version 1
        "a4 4141504c"  # symbol "AAPL"
        "cf 17979cfe362a0000"  # ts_ns, uint64
        "cb 4025000000000000"  # open 10.5
        "cb 4026000000000000"  # high 11.0
        "cb 4024000000000000"  # low 10.0
        "cb 4025800000000000"  # close 10.75
        "cb 4092c00000000000",  # volume 1200.0
    ),
    "OrderRequest": (
        ORDER,
        "9c"  # array of 12
        "ac 4f726465725265717565737401"  # "OrderRequest", schema_version 1
        "aa 736d612d4141504c2d31"  # client_order_id "sma-AAPL-1"
        "a4 4141504c"  # symbol "AAPL"
        "a3 627579"  # side "buy"
        "cb 4059000000000000"  # quantity 100.0
        "a6 6d61726b6574"  # order_type "market"
        "c0"  # limit_price nil
        "c0"  # stop_price nil
        "a3 677463"  # time_in_force "gtc"
        "cf 17979cfe362a0000"  # decided_ts_ns
        "01",  # seq 1
    ),
    "Fill": (
        FILL,
        "9b"  # array of 11
        "a4 46696c6c 01"  # "Fill", schema_version 1
        "aa 736d612d4141504c2d31"  # client_order_id "sma-AAPL-1"
        "a4 4141504c"  # symbol "AAPL"
        "a3 627579"  # side "buy"
        "cb 4059000000000000"  # quantity 100.0
        "cb 4025000000000000"  # price 10.5
        "cb 3ff0000000000000"  # commission 1.0
        "cf 17979d0c2e715800"  # ts_ns
        "cb 0000000000000000"  # remaining 0.0
        "01",  # fill_seq 1
    ),
    "SessionEvent": (
        SESSION_OPEN,
        "96"  # array of 6
        "ac 53657373696f6e4576656e74 01"  # "SessionEvent", schema_version 1
        "ac 73657373696f6e5f6f70656e"  # kind "session_open"
        "cf 17979cfe362a0000"  # ts_ns
        "aa 323032332d31312d3134"  # session "2023-11-14"
        "cf 17979d0c2e715800",  # close_ts_ns, appended later
    ),
    "StepDone": (
        STEP_DONE,
        "95"  # array of 5
        "a8 53746570446f6e65 01"  # "StepDone", schema_version 1
        "af 696e737472756d656e742d4141504c"  # sender "instrument-AAPL"
        "cf 17979cfe362a0000"  # through_ts_ns
        "00",  # requests, appended later
    ),
    "ReplaceRequest": (
        REPLACE,
        "99"  # array of 9
        "ae 5265706c6163655265717565737401"  # "ReplaceRequest", schema_version 1
        "aa 736d612d4141504c2d32"  # client_order_id "sma-AAPL-2"
        "a4 4141504c"  # symbol "AAPL"
        "cb 4054000000000000"  # quantity 80.0
        "cb 4022800000000000"  # limit_price 9.25
        "c0"  # stop_price nil: unchanged
        "cf 17979d0c2e715800"  # decided_ts_ns
        "04",  # seq 4
    ),
    "OrderCancelled": (
        OrderCancelled(
            client_order_id="sma-AAPL-1",
            symbol="AAPL",
            reason=CancelReason.LAST_MINUTE,
            ts_ns=T0,
            resubmitted_as="sma-AAPL-1/next",
        ),
        "97"  # array of 7
        "ae 4f7264657243616e63656c6c6564 01"  # "OrderCancelled", schema_version 1
        "aa 736d612d4141504c2d31"  # client_order_id "sma-AAPL-1"
        "a4 4141504c"  # symbol "AAPL"
        "ab 6c6173745f6d696e757465"  # reason "last_minute"
        "cf 17979cfe362a0000"  # ts_ns
        "af 736d612d4141504c2d312f6e657874",  # resubmitted_as "sma-AAPL-1/next", appended
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_a_message_encodes_to_its_pinned_golden_bytes(name: str) -> None:
    sample, golden_hex = GOLDEN[name]
    golden = bytes.fromhex(golden_hex)
    assert encode(sample).hex() == golden.hex()
    assert decode(golden) == sample


def test_a_session_event_written_before_close_ts_ns_existed_decodes_with_it_zero() -> None:
    old = bytes.fromhex(
        "95"  # array of 5: no close_ts_ns
        "ac 53657373696f6e4576656e74 01"  # "SessionEvent", schema_version 1
        "ac 73657373696f6e5f6f70656e"  # kind "session_open"
        "cf 17979cfe362a0000"  # ts_ns
        "aa 323032332d31312d3134"  # session "2023-11-14"
    )
    event = decode(old)
    assert isinstance(event, SessionEvent)
    assert event == SessionEvent(kind=SessionEventKind.SESSION_OPEN, ts_ns=T0, session="2023-11-14")
    assert event.close_ts_ns == 0


def test_a_cancel_written_before_resubmitted_as_existed_decodes_as_not_resubmitted() -> None:
    old = bytes.fromhex(
        "96"  # array of 6: no resubmitted_as
        "ae 4f7264657243616e63656c6c6564 01"  # "OrderCancelled", schema_version 1
        "aa 736d612d4141504c2d31"  # client_order_id "sma-AAPL-1"
        "a4 4141504c"  # symbol "AAPL"
        "ab 6c6173745f6d696e757465"  # reason "last_minute"
        "cf 17979cfe362a0000"  # ts_ns
    )
    cancelled = decode(old)
    assert isinstance(cancelled, OrderCancelled)
    assert (cancelled.reason, cancelled.resubmitted_as) == (CancelReason.LAST_MINUTE, "")


def test_a_reason_the_wire_does_not_know_is_a_decode_error() -> None:
    cancelled = OrderCancelled(client_order_id="o", symbol="AAPL", reason="gone", ts_ns=T0)  # type: ignore[arg-type]
    with pytest.raises(DecodeError, match=r"Invalid enum value 'gone'"):
        decode(encode(cancelled))


# Every way bytes can be wrong: one error type, with a reason that says which way.

STEP_DONE_BYTES = encode(STEP_DONE)

BAD_BYTES = {
    "garbage": (b"\xc1\xc1\xc1", "not msgpack or truncated"),
    "empty": (b"", "not msgpack or truncated"),
    "truncated": (STEP_DONE_BYTES[:-3], "not msgpack or truncated"),
    "trailing_bytes": (STEP_DONE_BYTES + b"\x01", "not msgpack or truncated"),
    "not_an_array": (msgpack.packb({"sender": "x"}), "not a valid message"),
    "unknown_tag": (msgpack.packb(["NoSuchMessage", 1, "x", 5]), "not a valid message"),
    "wrong_field_type": (
        msgpack.packb(["StepDone", 1, "instrument-AAPL", "five"]),
        "not a valid message",
    ),
    "missing_field": (msgpack.packb(["StepDone", 1, "instrument-AAPL"]), "not a valid message"),
    "wrong_enum_value": (
        msgpack.packb(["SessionEvent", 1, "lunch_break", T0, "2023-11-14"]),
        "not a valid message",
    ),
    "wrong_schema_version": (
        msgpack.packb(["StepDone", 7, "instrument-AAPL", T0]),
        "StepDone has schema version 7, this build reads 1",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BYTES))
def test_bad_bytes_raise_one_decode_error_whose_reason_says_why(case: str) -> None:
    data, reason_start = BAD_BYTES[case]
    with pytest.raises(DecodeError) as caught:
        decode(data)
    assert caught.value.reason.startswith(reason_start)
    assert str(caught.value) == caught.value.reason


def test_the_reason_for_a_wrong_field_names_where_it_is() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(msgpack.packb(["StepDone", 1, "instrument-AAPL", "five"]))
    assert "$[3]" in caught.value.reason
    assert "int" in caught.value.reason


def test_decode_error_is_a_value_error_so_generic_handlers_catch_it() -> None:
    assert issubclass(DecodeError, ValueError)


def test_from_builtins_refuses_a_value_that_is_not_a_message() -> None:
    with pytest.raises(DecodeError) as caught:
        from_builtins(["StepDone", 1, "instrument-AAPL"])
    assert caught.value.reason.startswith("not a valid message")


# Topics


def test_a_bar_topic_ends_with_the_separator() -> None:
    assert bar_topic("AAPL") == b"bar/AAPL/"
    assert bar_topic("AAPL").endswith(b"/")


def test_one_symbols_topic_is_not_a_prefix_of_a_longer_symbols_topic() -> None:
    assert not bar_topic("AAPLX").startswith(bar_topic("AAPL"))
    assert not b"bar/AAPLX/".startswith(b"bar/AAPL/")

"""The reading options: defaults for the common file, msgpack on the way to a child process,
and a bad option refused by its scenario key."""

from __future__ import annotations

import msgpack
import msgspec
import pytest

from tradeswarm.actors.market.layout import Layout


def test_the_defaults_read_a_vendor_file_as_it_comes() -> None:
    layout = Layout()
    assert (layout.format, layout.columns, layout.timezone) == ("auto", {}, "")
    assert (layout.stamp, layout.bar_seconds) == ("open", 0)
    assert (layout.outside_sessions, layout.adjust) == ("error", "back")


def test_a_layout_round_trips_through_msgpack_unchanged() -> None:
    layout = Layout(
        format="parquet",
        columns={"timestamp": "Time (UTC)", "adj_close": "Adj"},
        timezone="Asia/Tokyo",
        stamp="close",
        bar_seconds=300,
        outside_sessions="drop",
        adjust="none",
    )
    wire = msgspec.msgpack.encode(layout)
    assert msgspec.msgpack.decode(wire, type=Layout) == layout
    assert msgpack.unpackb(wire)["columns"] == {"timestamp": "Time (UTC)", "adj_close": "Adj"}


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"timezone": "Mars/Olympus"}, "data.timezone is 'Mars/Olympus', not an IANA time zone"),
        ({"bar_seconds": -60}, "data.bar_seconds is -60"),
        ({"columns": {"price": "Close"}}, "data.columns names 'price', not a column"),
    ],
)
def test_a_bad_option_is_refused_by_its_scenario_key(options: dict[str, object], key: str) -> None:
    with pytest.raises(ValueError, match=key):
        Layout(**options)  # type: ignore[arg-type]
    wire = msgspec.msgpack.encode({**msgspec.structs.asdict(Layout()), **options})
    with pytest.raises(msgspec.ValidationError, match=key):
        msgspec.msgpack.decode(wire, type=Layout)


def test_an_unknown_choice_is_refused_when_decoded() -> None:
    wire = msgspec.msgpack.encode({"adjust": "forward"})
    with pytest.raises(msgspec.ValidationError, match="adjust"):
        msgspec.msgpack.decode(wire, type=Layout)

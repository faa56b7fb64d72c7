"""Peer-controlled bytes cannot write into the terminal or forge a log line."""

from __future__ import annotations

from tradeswarm.messages.printable import printable


def test_control_characters_and_escape_sequences_are_escaped() -> None:
    forged = b"inst/x\n\x1b[2J\x1b[1;32mrun finished OK\r\x00"
    text = printable(forged)
    assert all(" " <= char <= "~" for char in text)
    assert text == "inst/x\\n\\x1b[2J\\x1b[1;32mrun finished OK\\r\\x00"


def test_bytes_that_are_no_utf8_and_non_ascii_text_stay_visible() -> None:
    assert printable(b"\xff\xfe") == "\\xff\\xfe"
    assert printable("café") == "caf\\xe9"


def test_a_long_value_is_cut_and_says_how_much_was_left_out() -> None:
    text = printable("a" * 10_000, limit=20)
    assert text == "a" * 20 + "... (9980 more characters)"

"""Peer-controlled bytes made safe to print.

A socket identity, a reason in an ``ActorFailed`` or the text of a decode error comes
from whoever sent it. Printed raw, a newline forges a log line and an ESC sequence
rewrites the user's terminal; printed whole, one frame can be megabytes. Everything a
peer chose passes through ``printable`` before it reaches a log or the terminal.
"""

from __future__ import annotations

MAX_PRINTED = 200


def printable(value: bytes | str, limit: int = MAX_PRINTED) -> str:
    """``value`` with every control or non-ASCII character escaped (``\\n``, ``\\x1b``),
    cut to ``limit`` characters with a note of how much was left out."""
    text = value.decode("utf-8", errors="backslashreplace") if isinstance(value, bytes) else value
    escaped = "".join(char if " " <= char <= "~" else _escape(char) for char in text[:limit])
    if len(text) > limit:
        escaped += f"... ({len(text) - limit} more characters)"
    return escaped


def _escape(char: str) -> str:
    return char.encode("unicode_escape").decode("ascii")

"""The root of every wire type.

Every message is a frozen ``msgspec.Struct`` encoded as a plain msgpack array:
``[tag, schema_version, field, ...]``. Any msgpack library in any language can
read that; ``tests/messages`` proves it with the stock ``msgpack`` package.
Fields are only ever appended to a type, never reordered, so old readers keep
working; a golden-bytes test pins each layout.
"""

from __future__ import annotations

import msgspec

SCHEMA_VERSION = 1


class Message(msgspec.Struct, frozen=True, array_like=True, kw_only=True, tag=True):
    """A message kind; its tag is the class name."""

    schema_version: int = SCHEMA_VERSION


class Record(msgspec.Struct, frozen=True, array_like=True, kw_only=True):
    """A value nested inside a message (no tag of its own)."""

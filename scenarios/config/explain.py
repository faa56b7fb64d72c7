"""msgspec's validation errors told in the words of a scenario file: the key, and the fix.

msgspec says ``Invalid enum value 'parquet' - at `$.data.source```; a user needs the key
(``data.source``) and the values it takes, which the schema knows: the error's path is
walked through the struct's type information to find them.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["explain"]

HINTS = {  # a value users try, and where what they meant lives
    ("data.source", "parquet"): 'a Parquet file is source = "files" with format = "parquet"',
    ("data.source", "file"): 'one file for every symbol is source = "files" with a path '
    "without {symbol}",
}


def explain(error: msgspec.ValidationError, schema: Any, prefix: str = "") -> str:
    """One line for ``error``, raised converting a table to ``schema`` (a Struct type);
    ``prefix`` is the key the table sits under, for tables converted on their own."""
    text = str(error)
    message, _, where = text.rpartition(" - at `")
    if not message:  # msgspec names no place for an error in the top-level table
        message, where = text, "$`"
    parts = [part for part in where.rstrip("`").removeprefix("$").split(".") if part]
    key = ".".join([prefix, *parts] if prefix else parts)
    if message.startswith(("Object contains unknown field", "Object missing required field")):
        field_name = message.split("`")[1]
        full = f"{key}.{field_name}" if key else field_name
        if message.startswith("Object contains"):
            return f"unknown key '{full}'; remove it or check its spelling"
        return f"missing key '{full}'; add it"
    if message.startswith("Invalid enum value"):
        value = message.removeprefix("Invalid enum value ").strip()
        choices = _choices(msgspec.inspect.type_info(schema), parts)
        if choices:
            listed = ", ".join(_toml(choice) for choice in choices)
            hint = HINTS.get((key, value.strip("'")))
            return f"key '{key}' is {value}; use one of {listed}" + (f" ({hint})" if hint else "")
    return f"key '{key or '(top level)'}': {message[0].lower()}{message[1:]}"


def _choices(info: Any, parts: list[str]) -> list[Any]:
    """The literal values the field at ``parts`` takes (true/false too where a bool does)."""
    for part in parts:
        info = _struct_of(info)
        if info is None:
            return []
        field = next((f for f in info.fields if f.name == part), None)
        if field is None:
            return []
        info = field.type
    options = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
    values: list[Any] = []
    for option in options:
        if isinstance(option, msgspec.inspect.LiteralType):
            values.extend(option.values)
        elif isinstance(option, msgspec.inspect.BoolType):
            values.extend([True, False])
    return values


def _toml(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _struct_of(info: Any) -> msgspec.inspect.StructType | None:
    options = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
    return next((o for o in options if isinstance(o, msgspec.inspect.StructType)), None)

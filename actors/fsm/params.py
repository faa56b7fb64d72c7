"""A strategy's parameters: a typed struct with defaults, checked where a scenario sets them.

A strategy declares ``class MyParams(Params): fast: int = 10``; a scenario's
``[strategy] params`` table is converted to it with every key and type checked, so a typo
(``fsat = 5``) or a wrong type (``fast = 10.7``) is an error naming the key, found before
any actor starts, not a default silently used. ``validate`` is the place for rules that
tie fields together (``fast < slow``); it raises ``ValueError`` with a sentence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

__all__ = ["Params", "ParamsError", "convert_params"]

P = TypeVar("P", bound="Params")


class Params(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The base of every strategy's parameters; a strategy without any uses it as is."""

    def validate(self) -> None:
        """Raise ``ValueError`` when the fields do not fit together."""


class ParamsError(ValueError):
    """Parameters a strategy cannot take; ``key`` names the offending one, if one does."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"key 'strategy.params.{key}': {message}" if key else message)
        self.key = key


def convert_params(kind: type[P], raw: Mapping[str, Any] | Params) -> P:
    """``raw`` (a scenario's table, or parameters already typed) as ``kind``, checked."""
    if isinstance(raw, Params):
        if not isinstance(raw, kind):
            raise ParamsError("", f"parameters of {type(raw).__name__}, not {kind.__name__}")
        params = raw
    else:
        known = ", ".join(kind.__struct_fields__) or "none"
        try:
            params = msgspec.convert(dict(raw), kind)
        except msgspec.ValidationError as error:
            text = str(error)
            message, _, where = text.rpartition(" - at `")
            if not message:
                message, where = text, "$`"
            key = where.rstrip("`").removeprefix("$").lstrip(".")
            if message.startswith("Object contains unknown field"):
                key = message.split("`")[1]
                raise ParamsError(key, f"unknown parameter; the parameters are {known}") from None
            raise ParamsError(key, f"{message[0].lower()}{message[1:]}") from None
    for name in params.__struct_fields__:
        value = getattr(params, name)
        if isinstance(value, float) and not math.isfinite(value):
            raise ParamsError(name, f"is {value}, not a finite number")
    try:
        params.validate()
    except ValueError as error:
        raise ParamsError("", str(error)) from None
    return params

"""Seeded input/output values for any botocore shape: what the oracle tests feed both sides.

``ValueBuilder(seed).build(shape)`` covers every member of every structure (to a depth limit
for recursive shapes), respecting each member's location: header values are single-line
ASCII, URI labels non-empty and slash-free (unless greedy), host labels DNS-safe.
``comparable(value, shape)`` folds the differences that are not differences (aware datetimes
to epoch milliseconds, floats to 6 places, streaming bodies read) so two dicts can be ``==``.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import Any

from botocore.model import Shape

_ALNUM = string.ascii_letters + string.digits
_BODY_EXTRA = "-_. &<>'\"/é"
_MAX_DEPTH = 5


class ValueBuilder:
    def __init__(self, seed: int | str = 0, *, tricky_strings: bool = True, millis: bool = False) -> None:
        self.random = random.Random(seed)
        self.tricky_strings = tricky_strings
        self.millis = millis

    def build(self, shape: Shape | None) -> dict[str, Any]:
        if shape is None:
            return {}
        return self._value(shape, location=None, depth=0, stack=())

    # ------------------------------------------------------------------------------------
    def _value(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        type_name = shape.type_name
        builder = getattr(self, f"_{type_name}")
        return builder(shape, location, depth, stack)

    def _structure(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        if shape.metadata.get("document"):
            return {"doc": [1, "two", True, None], "n": 3}
        members = shape.members
        required = set(shape.required_members)
        names = list(members)
        if shape.is_tagged_union:
            names = [self.random.choice(names)] if names else []
        value: dict[str, Any] = {}
        for name in names:
            member = members[name]
            if member.serialization.get("eventstream") or getattr(member, "event_stream_name", None):
                continue
            if member.type_name == "structure" and member.serialization.get("eventstream"):
                continue
            recursive = member.name in stack
            if (recursive or depth >= _MAX_DEPTH) and name not in required:
                continue
            member_location = member.serialization.get("location")
            if member.serialization.get("hostLabel"):
                member_location = "hostLabel"
            value[name] = self._value(member, member_location, depth + 1, (*stack, shape.name))
        return value

    def _list(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        count = max(shape.metadata.get("min", 0), self.random.randint(1, 2))
        return [self._value(shape.member, location, depth + 1, stack) for _ in range(count)]

    def _map(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        count = max(shape.metadata.get("min", 0), self.random.randint(1, 2))
        result: dict[str, Any] = {}
        for index in range(count):
            key = self._string(shape.key, "header" if location == "headers" else "mapkey", depth, stack)
            result[f"{key}{index}" if not shape.key.enum else key] = self._value(
                shape.value, location, depth + 1, stack
            )
        return result

    def _string(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        if shape.enum:
            return self.random.choice(shape.enum)
        if shape.serialization.get("jsonvalue"):
            return {"key": "value", "n": [1, 2]}
        low = max(1, shape.metadata.get("min", 1))
        high = shape.metadata.get("max", 16)
        length = max(low, min(high, self.random.randint(4, 12)))
        alphabet = _ALNUM
        if location in (None, "querystring", "mapkey_body") and self.tricky_strings:
            alphabet = _ALNUM + _BODY_EXTRA
        if location == "hostLabel":
            alphabet = string.ascii_lowercase + string.digits
        text = "".join(self.random.choice(alphabet) for _ in range(length))
        return text.strip() or "x"

    def _integer(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        low = int(shape.metadata.get("min", 0))
        high = int(shape.metadata.get("max", low + 1000))
        return self.random.randint(low, max(low, high))

    _long = _integer

    def _float(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        return self.random.randint(0, 10000) / 4

    _double = _float

    def _boolean(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        return self.random.choice([True, False])

    def _blob(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        return bytes(self.random.randrange(256) for _ in range(self.random.randint(1, 24)))

    def _timestamp(self, shape: Shape, location: str | None, depth: int, stack: tuple[str, ...]) -> Any:
        seconds = self.random.randint(946684800, 1893456000)
        millis = self.random.randint(0, 999) * 1000 if self.millis else 0
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(microsecond=millis)


def comparable(value: Any) -> Any:
    """Fold representation-only differences so parsed and expected values compare with ==."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [comparable(item) for item in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return ("ts", round(value.timestamp() * 1000))
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, bool):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if hasattr(value, "read"):
        return value.read()
    return value

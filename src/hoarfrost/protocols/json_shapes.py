"""Shape-driven value codecs for the JSON family of bodies (json, rest-json, rpc-v2-cbor).

A body codec translates between *wire-native* values (what ``json.loads`` / ``cbor2.loads``
yield, or what ``json.dumps`` / ``cbor2.dumps`` accept) and Python values typed as botocore's
shapes (aware datetimes, bytes, ints, floats, ...). The walk is the same for every protocol of
the family; only the leaves differ (JSON carries blobs in base64 and timestamps as numbers or
strings, CBOR carries raw byte strings and tag-1 epochs), so a protocol picks a ``BodyCodec``
subclass and nothing else.

Per-shape work is done once: ``decoder(shape)`` / ``encoder(shape)`` compile a small closure
for a shape object and cache it, so a request costs dictionary look-ups and the closures'
loops. Structures, lists and maps resolve their children lazily on first use, which keeps
recursive shapes (botocore hands out a new ``Shape`` per nesting level) finite.

Decoding is strict about JSON types (a string where an integer belongs raises
``ShapeTypeError``; protocols answer ``SerializationException``, as AWS's JSON services do).
Encoding trusts handlers and converts only what the wire needs converted.
"""

from __future__ import annotations

import binascii
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import cbor2
from botocore.model import ServiceModel, Shape

from hoarfrost.core import spec_patches
from hoarfrost.core.errors import ServiceError
from hoarfrost.protocols import wire

Codec = Callable[[Any], Any]


class ShapeTypeError(ValueError):
    """A wire value does not have the type its shape requires."""


class SerializationException(ServiceError):
    """What AWS's JSON-family services answer for a body that does not parse or mistyped values."""

    code = "SerializationException"
    status = 400


def _same(value: Any) -> Any:
    return value


def _kind(value: Any) -> str:
    """Coral's names for JSON value kinds, used in SerializationException messages."""
    if isinstance(value, bool):
        return "BOOLEAN_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, (bytes, bytearray)):
        return "BYTE_STRING"
    return type(value).__name__.upper()


def _mismatch(value: Any, target: str) -> ShapeTypeError:
    return ShapeTypeError(f"{_kind(value)} can not be converted to {target}")


_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def wire_name(member_name: str, member: Shape) -> str:
    """The key a member travels under in a JSON body (``locationName`` / ``jsonName``)."""
    name: str = member.serialization.get("name", member_name)
    return name


class BodyCodec:
    """Walks botocore shapes for a JSON-like body; subclasses define the leaf rules.

    ``decode``/``encode`` skip ``None`` members (absent on the wire). Unknown keys in a
    request body are ignored, as the real services do.
    """

    # Whether a structure member's wire key honours ``locationName`` (JSON does; botocore's
    # CBOR response parser reads the plain member name).
    use_wire_names = True

    def __init__(self) -> None:
        # id(shape) -> (shape, closure). The shape is kept in the value so its id cannot be
        # reused while the entry lives; shapes come from the process-wide model cache.
        self._decoders: dict[int, tuple[Shape, Codec]] = {}
        self._encoders: dict[int, tuple[Shape, Codec]] = {}
        self._partial: dict[tuple[int, tuple[str, ...], bool], tuple[Shape, Codec]] = {}

    # -- public ------------------------------------------------------------------------------
    def decoder(self, shape: Shape) -> Codec:
        entry = self._decoders.get(id(shape))
        if entry is None or entry[0] is not shape:
            entry = (shape, self._compile(shape, decode=True))
            self._decoders[id(shape)] = entry
        return entry[1]

    def encoder(self, shape: Shape) -> Codec:
        entry = self._encoders.get(id(shape))
        if entry is None or entry[0] is not shape:
            entry = (shape, self._compile(shape, decode=False))
            self._encoders[id(shape)] = entry
        return entry[1]

    def members_codec(self, shape: Shape, names: tuple[str, ...], *, decode: bool) -> Codec:
        """A structure codec limited to ``names`` (a rest body: the members without a location)."""
        key = (id(shape), names, decode)
        entry = self._partial.get(key)
        if entry is None or entry[0] is not shape:
            entry = (shape, self._structure(shape, decode, list(names)))
            self._partial[key] = entry
        return entry[1]

    def decode(self, shape: Shape, value: Any) -> Any:
        return self.decoder(shape)(value)

    def encode(self, shape: Shape, value: Any) -> Any:
        return self.encoder(shape)(value)

    def member_plan(
        self, shape: Shape, names: list[str] | None = None, *, decode: bool
    ) -> list[tuple[str, str, Codec]]:
        """(member name, wire key, codec) for ``names`` (default: every member) of a structure.

        The rest protocols use this to decode/encode only the body members of a structure whose
        other members travel in the URI, query string or headers."""
        members = shape.members
        get = self.decoder if decode else self.encoder
        return [
            (name, self._key(name, members[name]), get(members[name]))
            for name in (names if names is not None else list(members))
        ]

    # -- compilation -------------------------------------------------------------------------
    def _key(self, name: str, member: Shape) -> str:
        return wire_name(name, member) if self.use_wire_names else name

    def _compile(self, shape: Shape, *, decode: bool) -> Codec:
        type_name = shape.type_name
        if type_name == "structure":
            if shape.is_document_type:
                return _same
            return self._structure(shape, decode)
        if type_name == "list":
            return self._list(shape, decode)
        if type_name == "map":
            return self._map(shape, decode)
        leaf: Callable[[Shape], Callable[[Any], Any]] | None = getattr(
            self, f"_{'decode' if decode else 'encode'}_{type_name}", None)
        if leaf is None:
            return _same
        return leaf(shape)

    def _structure(self, shape: Shape, decode: bool, names: list[str] | None = None) -> Codec:
        plan: list[tuple[str, str, Codec]] | None = None

        def resolve() -> list[tuple[str, str, Codec]]:
            nonlocal plan
            if plan is None:
                plan = self.member_plan(shape, names, decode=decode)
            return plan

        if decode:
            def decode_structure(value: Any) -> Any:
                if not isinstance(value, dict):
                    raise _mismatch(value, f"a {shape.name} structure")
                result: dict[str, Any] = {}
                for name, key, codec in plan or resolve():
                    item = value.get(key)
                    if item is not None:
                        result[name] = item if codec is _same else codec(item)
                return result

            return decode_structure

        by_name: dict[str, tuple[str, Codec]] | None = None

        def encode_structure(value: Any) -> Any:
            # Walks the members the value holds, not every member of the shape: a sparse
            # structure (a DynamoDB AttributeValue sets one of its ten) costs what it holds.
            nonlocal by_name
            if by_name is None:
                by_name = {name: (key, codec) for name, key, codec in plan or resolve()}
            members = by_name
            result: dict[str, Any] = {}
            for name, item in value.items():
                if item is not None:
                    entry = members.get(name)
                    if entry is not None:
                        key, codec = entry
                        result[key] = item if codec is _same else codec(item)
            return result

        return encode_structure

    def _list(self, shape: Shape, decode: bool) -> Codec:
        member = shape.member
        child: Codec | None = None

        def resolve() -> Codec:
            nonlocal child
            child = (self.decoder if decode else self.encoder)(member)
            return child

        def walk_list(value: Any) -> Any:
            if decode and not isinstance(value, list):
                raise _mismatch(value, f"a {shape.name} list")
            codec = child or resolve()
            if codec is _same:
                return list(value)
            return [None if item is None else codec(item) for item in value]

        return walk_list

    def _map(self, shape: Shape, decode: bool) -> Codec:
        value_shape = shape.value
        child: Codec | None = None

        def resolve() -> Codec:
            nonlocal child
            child = (self.decoder if decode else self.encoder)(value_shape)
            return child

        def walk_map(value: Any) -> Any:
            if decode and not isinstance(value, dict):
                raise _mismatch(value, f"a {shape.name} map")
            codec = child or resolve()
            if codec is _same:
                return dict(value)
            return {key: None if item is None else codec(item) for key, item in value.items()}

        return walk_map

    # -- leaves shared by every body codec -----------------------------------------------------
    def _decode_string(self, shape: Shape) -> Codec:
        if shape.serialization.get("jsonvalue"):
            return _same  # a JSON document carried in a string member: botocore sends it as is

        def decode_string(value: Any) -> Any:
            if not isinstance(value, str):
                raise _mismatch(value, "String")
            return value

        return decode_string

    def _decode_integer(self, shape: Shape) -> Codec:
        target = "Integer" if shape.type_name == "integer" else "Long"

        def decode_integer(value: Any) -> Any:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise _mismatch(value, target)

        return decode_integer

    _decode_long = _decode_integer

    def _decode_boolean(self, shape: Shape) -> Codec:
        def decode_boolean(value: Any) -> Any:
            if not isinstance(value, bool):
                raise _mismatch(value, "Boolean")
            return value

        return decode_boolean

    def _decode_float(self, shape: Shape) -> Codec:
        target = "Double" if shape.type_name == "double" else "Float"

        def decode_float(value: Any) -> Any:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            if isinstance(value, str) and value in _SPECIAL_FLOATS:
                return _SPECIAL_FLOATS[value]
            raise _mismatch(value, target)

        return decode_float

    _decode_double = _decode_float


class JsonBodyCodec(BodyCodec):
    """json and rest-json bodies: blobs in base64, timestamps as epoch seconds by default."""

    def _decode_blob(self, shape: Shape) -> Codec:
        def decode_blob(value: Any) -> Any:
            if not isinstance(value, str):
                raise _mismatch(value, "a base64 Blob")
            try:
                return wire.b64decode(value)
            except (binascii.Error, ValueError) as exc:
                raise ShapeTypeError(f"Base64 encoded value is invalid: {exc}") from exc

        return decode_blob

    def _decode_timestamp(self, shape: Shape) -> Codec:
        def decode_timestamp(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise _mismatch(value, "Timestamp")
            try:
                return wire.parse_timestamp(value)
            except (ValueError, OverflowError, OSError) as exc:
                raise ShapeTypeError(f"{value!r} can not be converted to Timestamp") from exc

        return decode_timestamp

    def _encode_blob(self, shape: Shape) -> Codec:
        def encode_blob(value: Any) -> Any:
            if isinstance(value, str):
                value = value.encode("utf-8")
            return wire.b64encode(bytes(value))

        return encode_blob

    def _encode_timestamp(self, shape: Shape) -> Codec:
        timestamp_format = shape.serialization.get("timestampFormat", "unixTimestamp")

        def encode_timestamp(value: Any) -> Any:
            return wire.format_timestamp(value, timestamp_format)

        return encode_timestamp

    def _encode_float(self, shape: Shape) -> Codec:
        def encode_float(value: Any) -> Any:
            if isinstance(value, float) and not math.isfinite(value):
                return wire.format_float(value)  # JSON has no literal for them: AWS sends strings
            return value

        return encode_float

    _encode_double = _encode_float


class CborBodyCodec(BodyCodec):
    """rpc-v2-cbor bodies: raw byte strings, tag-1 epoch timestamps, native floats.

    ``cbor2.loads`` already turns tag 1 into an aware datetime; the wire keys are member names.
    """

    use_wire_names = False

    def _decode_blob(self, shape: Shape) -> Codec:
        def decode_blob(value: Any) -> Any:
            if isinstance(value, (bytes, bytearray)):
                return bytes(value)
            raise _mismatch(value, "Blob")

        return decode_blob

    def _decode_timestamp(self, shape: Shape) -> Codec:
        def decode_timestamp(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return wire.parse_timestamp(value)
            raise _mismatch(value, "Timestamp")

        return decode_timestamp

    def _decode_float(self, shape: Shape) -> Codec:
        target = "Double" if shape.type_name == "double" else "Float"

        def decode_float(value: Any) -> Any:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            raise _mismatch(value, target)

        return decode_float

    _decode_double = _decode_float

    def _encode_blob(self, shape: Shape) -> Codec:
        def encode_blob(value: Any) -> Any:
            return value.encode("utf-8") if isinstance(value, str) else bytes(value)

        return encode_blob

    def _encode_timestamp(self, shape: Shape) -> Codec:
        def encode_timestamp(value: Any) -> Any:
            return cbor2.CBORTag(1, wire.format_timestamp(value, "unixTimestamp"))

        return encode_timestamp

    def _encode_float(self, shape: Shape) -> Codec:
        def encode_float(value: Any) -> Any:
            return float(value)

        return encode_float

    _encode_double = _encode_float


JSON_CODEC = JsonBodyCodec()
CBOR_CODEC = CborBodyCodec()


# -- errors, shared by the whole family -------------------------------------------------------
def error_type(error: ServiceError, shape: Shape | None, service: ServiceModel) -> str:
    """The error's ``__type``: the modeled shape's name when the code names one (a query-compatible
    service's handler may raise the shape by its query code), else the code itself; prefixed with
    the service's Smithy namespace where the service sends it (``com.amazonaws.sqs#...``), which
    clients strip before matching."""
    name = shape.name if shape is not None else error.code
    namespace = service.metadata.get(spec_patches.ERROR_TYPE_NAMESPACE)
    return f"{namespace}#{name}" if namespace and "#" not in name else name


def error_document(error: ServiceError, shape: Shape | None, codec: BodyCodec,
                   service: ServiceModel) -> dict[str, Any]:
    """The body members of an error: ``__type``, the message and the shape's extra fields.

    The message goes under ``Message`` when the error shape spells its member that way (so the
    client's modeled parse finds it), else under ``message``; botocore reads either."""
    document: dict[str, Any] = {"__type": error_type(error, shape, service)}
    message_key = "message"
    fields = error.fields
    if shape is not None:
        members = shape.members
        if "message" not in members and "Message" in members:
            message_key = "Message"
        if fields:
            body_members = [name for name in fields if name in members
                            and not members[name].serialization.get("location")]
            for name, key, encode in codec.member_plan(shape, body_members, decode=False):
                value = fields[name]
                if value is not None:
                    document[key] = encode(value)
        extra = [name for name in fields if name not in members]
    else:
        extra = list(fields)
    for name in extra:
        value = fields[name]
        if isinstance(value, (str, int, float, bool)):
            document[name] = value
    document[message_key] = error.message
    return document


def query_error_header(error: ServiceError, shape: Shape | None) -> str:
    """``x-amzn-query-error`` for awsQueryCompatible services: ``<query code>;Sender|Receiver``.

    The query code is the error's own ``query_code``, else the model's ``error.code``, else the
    code itself; botocore turns it back into ``Error.Code`` (keeping ``__type`` as
    ``QueryErrorCode``)."""
    code = error.query_code
    if not code and shape is not None:
        code = shape.metadata.get("error", {}).get("code")
    fault = "Sender" if error.sender_fault else "Receiver"
    return f"{code or error.code};{fault}"

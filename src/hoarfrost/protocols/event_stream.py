"""The ``application/vnd.amazon.eventstream`` body: how S3 SelectObjectContent, Kinesis
SubscribeToShard and Lambda InvokeWithResponseStream answer.

A handler returns the event-stream member as a sequence of single-key dicts, one per event,
keyed by the event's member name in the stream's union (``{"Records": {"Payload": b"..."}}``,
``{"End": {}}``), or a ``ServiceError`` for an error that ends the stream. Each event becomes one
binary message: a prelude with the lengths and its CRC32, typed headers, the payload, and a CRC32
of the whole message. Members marked ``eventheader`` travel as typed headers, the ``eventpayload``
member (or else every other member, as one structure) as the payload, encoded by the protocol's
own document codec.
"""

from __future__ import annotations

import binascii
import datetime as dt
import struct
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from botocore.model import OperationModel, Shape

from hoarfrost.core.errors import ServiceError

# Encodes a structure value as the protocol's document; answers the bytes and their content type.
StructureEncoder = Callable[[Shape, Mapping[str, Any]], tuple[bytes, str]]

CONTENT_TYPE = "application/vnd.amazon.eventstream"

# Header value type codes of the event-stream encoding.
_TRUE, _FALSE, _BYTE, _SHORT, _INTEGER, _LONG, _BYTES, _STRING, _TIMESTAMP = 0, 1, 2, 3, 4, 5, 6, 7, 8
_crc32 = binascii.crc32


def _header(name: str, value: Any, type_name: str = "string") -> bytes:
    key = name.encode("utf-8")
    out = struct.pack("!B", len(key)) + key
    if type_name == "boolean":
        return out + struct.pack("!B", _TRUE if value else _FALSE)
    if type_name == "byte":
        return out + struct.pack("!Bb", _BYTE, value)
    if type_name == "short":
        return out + struct.pack("!Bh", _SHORT, value)
    if type_name == "integer":
        return out + struct.pack("!Bi", _INTEGER, value)
    if type_name == "long":
        return out + struct.pack("!Bq", _LONG, value)
    if type_name == "timestamp":
        millis = int(value.timestamp() * 1000) if isinstance(value, dt.datetime) else int(value)
        return out + struct.pack("!Bq", _TIMESTAMP, millis)
    if type_name == "blob":
        data = bytes(value)
        return out + struct.pack("!BH", _BYTES, len(data)) + data
    text = str(value).encode("utf-8")
    return out + struct.pack("!BH", _STRING, len(text)) + text


def encode_message(headers: bytes, payload: bytes) -> bytes:
    """One message from already-encoded headers and a payload."""
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack("!II", total, len(headers))
    message = prelude + struct.pack("!I", _crc32(prelude)) + headers + payload
    return message + struct.pack("!I", _crc32(message))


def event_message(event_type: str, payload: bytes, content_type: str | None,
                  extra: Iterable[tuple[str, Any, str]] = ()) -> bytes:
    headers = _header(":message-type", "event") + _header(":event-type", event_type)
    if content_type is not None:
        headers += _header(":content-type", content_type)
    for name, value, type_name in extra:
        headers += _header(name, value, type_name)
    return encode_message(headers, payload)


def error_message(error: ServiceError, stream_shape: Shape) -> bytes:
    """A modeled exception of the stream (``:message-type: exception``) or, for any other
    code, a protocol error (``:message-type: error``)."""
    member = stream_shape.members.get(error.code) if hasattr(stream_shape, "members") else None
    if member is not None and member.metadata.get("exception"):
        headers = (_header(":message-type", "exception") + _header(":exception-type", error.code)
                   + _header(":content-type", "application/json"))
        body = ('{"message":' + _json_string(error.message) + "}").encode("utf-8")
        return encode_message(headers, body)
    headers = (_header(":message-type", "error") + _header(":error-code", error.code)
               + _header(":error-message", error.message))
    return encode_message(headers, b"")


def _json_string(text: str) -> str:
    import json

    return json.dumps(text)


def encode_event(name: str, value: Mapping[str, Any], stream_shape: Shape, encode: StructureEncoder) -> bytes:
    member = stream_shape.members.get(name)
    if member is None:
        raise ValueError(f"{name!r} is not an event of {stream_shape.name}")
    headers: list[tuple[str, Any, str]] = []
    payload, content_type = b"", None
    body_members: dict[str, Any] = {}
    payload_member: tuple[str, Shape] | None = None
    for member_name, member_shape in member.members.items():
        if member_shape.serialization.get("eventheader"):
            if value.get(member_name) is not None:
                headers.append((member_name, value[member_name], member_shape.type_name))
        elif member_shape.serialization.get("eventpayload"):
            payload_member = (member_name, member_shape)
        elif member_name in value:
            body_members[member_name] = value[member_name]
    if payload_member is not None:
        member_name, member_shape = payload_member
        data = value.get(member_name)
        if member_shape.type_name == "blob":
            payload, content_type = bytes(data or b""), "application/octet-stream"
        elif member_shape.type_name == "string":
            payload, content_type = str(data or "").encode("utf-8"), "text/plain"
        elif data is not None:
            payload, content_type = encode(member_shape, data)
    elif member.members:
        payload, content_type = encode(member, body_members)
    return event_message(name, payload, content_type, headers)


def encode_stream(events: Iterable[Mapping[str, Any] | ServiceError], stream_shape: Shape,
                  encode: StructureEncoder, initial: bytes | None = None) -> bytes:
    """The whole body: an ``initial-response`` event first where the protocol needs one (the
    ``json`` protocol carries the output's other members in it), then each event in order."""
    out = [] if initial is None else [event_message("initial-response", initial, "application/json")]
    for event in events:
        if isinstance(event, ServiceError):
            out.append(error_message(event, stream_shape))
            break
        for name, value in event.items():
            out.append(encode_event(name, value or {}, stream_shape, encode))
    return b"".join(out)


_STREAM_MEMBERS: dict[tuple[str, str], str | None] = {}


def stream_member(operation: OperationModel) -> str | None:
    """The output member that is an event stream, if the operation answers one."""
    key = (operation.service_model.service_name, operation.name)
    if key not in _STREAM_MEMBERS:
        name = None
        shape = operation.output_shape
        if shape is not None:
            for member_name, member in shape.members.items():
                if member.serialization.get("eventstream"):
                    name = member_name
        _STREAM_MEMBERS[key] = name
    return _STREAM_MEMBERS[key]

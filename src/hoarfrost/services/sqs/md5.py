"""The MD5 digests SQS returns and the SDKs verify.

boto3 recomputes MD5OfMessageBody / MD5OfMessageAttributes on send and receive and raises when
they differ, so these follow SQS's documented encoding exactly: for each attribute, in name
order, the 4-byte big-endian length and UTF-8 bytes of the name, the same for the data type,
one transport byte (1 for String and Number, 2 for Binary), then the 4-byte length and bytes
of the value. MD5OfMessageSystemAttributes uses the same encoding over the system attributes.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from typing import Any

_STRING = b"\x01"
_BINARY = b"\x02"
_LEN = struct.Struct(">I")


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _field(data: bytes) -> bytes:
    return _LEN.pack(len(data)) + data


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Digest of message (or system) attributes in the SendMessage input shape; None when empty,
    because SQS then leaves the MD5 out of its answer."""
    if not attributes:
        return None
    parts: list[bytes] = []
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        parts.append(_field(name.encode("utf-8")))
        parts.append(_field(data_type.encode("utf-8")))
        if data_type.startswith("Binary"):
            parts.append(_BINARY)
            binary = value.get("BinaryValue") or b""
            parts.append(_field(binary if isinstance(binary, bytes) else str(binary).encode("utf-8")))
        else:
            parts.append(_STRING)
            parts.append(_field(str(value.get("StringValue", "")).encode("utf-8")))
    return hashlib.md5(b"".join(parts)).hexdigest()

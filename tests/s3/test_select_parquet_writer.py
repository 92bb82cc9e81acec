"""A minimal Parquet writer for the S3 Select tests (no tests here; named test_select_* to sit
with them): flat schemas, PLAIN or dictionary pages, v1 or v2, uncompressed, GZIP or
literal-only Snappy, so Parquet objects can be built without a dependency. It writes what the
format specifies, field by field, nothing more."""

from __future__ import annotations

import dataclasses
import gzip
import struct
from typing import Any

BOOLEAN, INT32, INT64, INT96, FLOAT, DOUBLE, BYTE_ARRAY = 0, 1, 2, 3, 4, 5, 6
UTF8, DECIMAL, DATE, TIMESTAMP_MILLIS = 0, 5, 6, 9
CODECS = {"NONE": 0, "SNAPPY": 1, "GZIP": 2, "ZSTD": 6}


@dataclasses.dataclass
class Column:
    name: str
    physical: int
    values: list[Any]
    converted: int | None = None
    optional: bool = True
    scale: int = 0


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


_TYPE = {"bool": 1, "i32": 5, "i64": 6, "binary": 8, "list": 9, "struct": 12}


def thrift(fields: list[tuple[int, str, Any]]) -> bytes:
    """A Thrift compact struct from (field id, kind, value); a struct's value is its fields, a
    list's is (element kind, items)."""
    out, last = bytearray(), 0
    for field_id, kind, value in sorted(fields, key=lambda f: f[0]):
        code = (1 if value else 2) if kind == "bool" else _TYPE[kind]
        delta = field_id - last
        out += bytes([delta << 4 | code]) if 0 < delta <= 15 else bytes([code]) + _varint(_zigzag(field_id))
        last = field_id
        if kind in ("i32", "i64"):
            out += _varint(_zigzag(value))
        elif kind == "binary":
            data = value.encode() if isinstance(value, str) else value
            out += _varint(len(data)) + data
        elif kind == "struct":
            out += thrift(value)
        elif kind == "list":
            element, items = value
            out += bytes([min(len(items), 15) << 4 | _TYPE[element]])
            if len(items) >= 15:
                out += _varint(len(items))
            for item in items:
                if element == "struct":
                    out += thrift(item)
                elif element == "binary":
                    data = item.encode() if isinstance(item, str) else item
                    out += _varint(len(data)) + data
                else:
                    out += _varint(_zigzag(item))
    return bytes(out + b"\x00")


def _bit_packed(values: list[int], width: int) -> bytes:
    """The hybrid encoding's bit-packed run (groups of eight, padded)."""
    groups = (len(values) + 7) // 8
    bits = 0
    for i, value in enumerate(values):
        bits |= value << (i * width)
    return _varint(groups << 1 | 1) + bits.to_bytes(groups * width, "little")


def _plain(physical: int, values: list[Any]) -> bytes:
    if physical == BOOLEAN:
        bits = sum(1 << i for i, v in enumerate(values) if v)
        return bits.to_bytes((len(values) + 7) // 8, "little")
    if physical == BYTE_ARRAY:
        return b"".join(struct.pack("<I", len(v)) + v for v in (x.encode() if isinstance(x, str) else x
                                                                 for x in values))
    if physical == INT96:
        return b"".join(v.to_bytes(12, "little") for v in values)
    pattern = {INT32: "<%di", INT64: "<%dq", FLOAT: "<%df", DOUBLE: "<%dd"}[physical]
    return struct.pack(pattern % len(values), *values)


def _compress(codec: str, data: bytes) -> bytes:
    if codec == "GZIP":
        return gzip.compress(data)
    if codec == "SNAPPY":  # literals only: a valid stream any Snappy reader takes
        out = bytearray(_varint(len(data)))
        for i in range(0, len(data), 60):
            piece = data[i:i + 60]
            out += bytes([(len(piece) - 1) << 2]) + piece
        return bytes(out)
    return data  # NONE, or a codec the reader must refuse (the bytes never get that far)


def write_parquet(columns: list[Column], *, codec: str = "NONE", dictionary: bool = False, v2: bool = False,
                  rows_per_group: int | None = None) -> bytes:
    rows = len(columns[0].values)
    per_group = rows_per_group or max(rows, 1)
    out = bytearray(b"PAR1")
    groups = []
    for first in range(0, rows, per_group):
        chunks = []
        for column in columns:
            values = column.values[first:first + per_group]
            present = [v for v in values if v is not None]
            start = len(out)
            dictionary_offset = None
            if dictionary:
                unique = list(dict.fromkeys(present))
                page = _plain(column.physical, unique)
                packed = _compress(codec, page)
                dictionary_offset = len(out)
                out += thrift([(1, "i32", 2), (2, "i32", len(page)), (3, "i32", len(packed)),
                               (7, "struct", [(1, "i32", len(unique)), (2, "i32", 0)])]) + packed
                width = max(len(unique) - 1, 1).bit_length()
                encoded = bytes([width]) + (_bit_packed([unique.index(v) for v in present], width) if present else b"")
                encoding = 8
            else:
                encoded, encoding = _plain(column.physical, present), 0
            levels = _bit_packed([0 if v is None else 1 for v in values], 1) if column.optional else b""
            data_offset = len(out)
            if v2:
                packed = _compress(codec, encoded)
                header = thrift([(1, "i32", 3), (2, "i32", len(levels) + len(encoded)),
                                 (3, "i32", len(levels) + len(packed)),
                                 (8, "struct", [(1, "i32", len(values)), (2, "i32", len(values) - len(present)),
                                                (3, "i32", len(values)), (4, "i32", encoding),
                                                (5, "i32", len(levels)), (6, "i32", 0)])])
                out += header + levels + packed
            else:
                body = (struct.pack("<I", len(levels)) + levels if column.optional else b"") + encoded
                packed = _compress(codec, body)
                out += thrift([(1, "i32", 0), (2, "i32", len(body)), (3, "i32", len(packed)),
                               (5, "struct", [(1, "i32", len(values)), (2, "i32", encoding), (3, "i32", 3),
                                              (4, "i32", 3)])]) + packed
            meta = [(1, "i32", column.physical), (2, "list", ("i32", [0, 3] + ([8] if dictionary else []))),
                    (3, "list", ("binary", [column.name])), (4, "i32", CODECS[codec]),
                    (5, "i64", len(values)), (6, "i64", len(out) - start), (7, "i64", len(out) - start),
                    (9, "i64", data_offset)]
            if dictionary_offset is not None:
                meta.append((11, "i64", dictionary_offset))
            chunks.append([(2, "i64", start), (3, "struct", meta)])
        groups.append([(1, "list", ("struct", chunks)), (2, "i64", 0), (3, "i64", min(per_group, rows - first))])
    schema = [[(4, "binary", "schema"), (5, "i32", len(columns))]]
    for column in columns:
        element = [(1, "i32", column.physical), (3, "i32", 1 if column.optional else 0), (4, "binary", column.name)]
        if column.converted is not None:
            element.append((6, "i32", column.converted))
        if column.converted == DECIMAL:
            element += [(7, "i32", column.scale), (8, "i32", 18)]
        schema.append(element)
    footer = thrift([(1, "i32", 1), (2, "list", ("struct", schema)), (3, "i64", rows),
                     (4, "list", ("struct", groups))])
    return bytes(out + footer + struct.pack("<I", len(footer)) + b"PAR1")

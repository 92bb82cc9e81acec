"""Reading Parquet objects for S3 Select, with the standard library only: the Thrift compact
footer, flat schemas (every column a top-level field), PLAIN and dictionary encodings, data
pages v1 and v2, and the codecs S3 Select documents for Parquet (uncompressed, Snappy, GZIP).

A row group is decoded at a time and handed out row by row as ``{column: value}``, so a
query reads the object one row group at a time. What S3 Select refuses (INT96 timestamps)
or this reader does not read (nested columns, other codecs and encodings) answers S3
Select's Parquet errors rather than a wrong row.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, cast

from hoarfrost.services.s3.select.errors import select_error
from hoarfrost.services.s3.select.formats import Reader
from hoarfrost.services.s3.select.values import Timestamp

MAGIC = b"PAR1"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ParquetError(Exception):
    """Malformed bytes; turned into ParquetParsingError at the edge."""


# -- Thrift compact protocol -------------------------------------------------------------


class _Thrift:
    """Decodes Thrift compact structs into ``{field id: value}`` dicts (lists as lists)."""

    def __init__(self, data: bytes, position: int = 0) -> None:
        self.data = data
        self.position = position

    def byte(self) -> int:
        if self.position >= len(self.data):
            raise ParquetError("truncated")
        value = self.data[self.position]
        self.position += 1
        return value

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise ParquetError("varint too long")

    def zigzag(self) -> int:
        value = self.varint()
        return (value >> 1) ^ -(value & 1)

    def take(self, count: int) -> bytes:
        end = self.position + count
        if count < 0 or end > len(self.data):
            raise ParquetError("truncated")
        out = self.data[self.position:end]
        self.position = end
        return out

    def value(self, kind: int) -> Any:
        if kind == 1:
            return True
        if kind == 2:
            return False
        if kind == 3:
            return struct.unpack("b", self.take(1))[0]
        if kind in (4, 5, 6):
            return self.zigzag()
        if kind == 7:
            return struct.unpack("<d", self.take(8))[0]
        if kind == 8:
            return self.take(self.varint())
        if kind in (9, 10):
            header = self.byte()
            size, element = header >> 4, header & 0x0F
            if size == 15:
                size = self.varint()
            if element in (1, 2):  # booleans in a list are one byte each
                return [self.byte() == 1 for _ in range(size)]
            return [self.value(element) for _ in range(size)]
        if kind == 11:
            size = self.varint()
            if not size:
                return {}
            types = self.byte()
            return {self.value(types >> 4): self.value(types & 0x0F) for _ in range(size)}
        if kind == 12:
            return self.struct()
        raise ParquetError(f"unknown thrift type {kind}")

    def struct(self) -> dict[int, Any]:
        fields: dict[int, Any] = {}
        last = 0
        while True:
            header = self.byte()
            if header == 0:
                return fields
            delta, kind = header >> 4, header & 0x0F
            last = last + delta if delta else self.zigzag()
            fields[last] = self.value(kind)


# -- encodings ----------------------------------------------------------------------------


def _hybrid(data: bytes, position: int, end: int, width: int, count: int) -> list[int]:
    """``count`` values of the RLE / bit-packed hybrid encoding (levels, dictionary indexes)."""
    out: list[int] = []
    reader = _Thrift(data, position)
    byte_width = (width + 7) // 8
    mask = (1 << width) - 1
    while len(out) < count and reader.position < end:
        header = reader.varint()
        if header & 1:  # bit-packed groups of eight, least significant bit first
            groups = header >> 1
            raw = reader.take(groups * width)
            for group in range(groups):  # eight values in ``width`` bytes; small ints keep it linear
                bits = int.from_bytes(raw[group * width:(group + 1) * width], "little")
                out.extend((bits >> (i * width)) & mask for i in range(8))
        else:
            run = header >> 1
            value = int.from_bytes(reader.take(byte_width), "little") if byte_width else 0
            out.extend([value] * run)
    if len(out) < count:
        raise ParquetError("levels end early")
    return out[:count]


def _plain(data: bytes, position: int, physical: int, count: int, type_length: int) -> list[Any]:
    """``count`` PLAIN-encoded values of a physical type."""
    if physical == 0:  # BOOLEAN, bit-packed
        packed = data[position:position + (count + 7) // 8]
        return [bool(packed[i >> 3] >> (i & 7) & 1) for i in range(count)]
    fixed = {1: ("<%di", 4), 2: ("<%dq", 8), 4: ("<%df", 4), 5: ("<%dd", 8)}.get(physical)
    if fixed is not None:
        pattern, size = fixed
        if position + count * size > len(data):
            raise ParquetError("values end early")
        return list(struct.unpack_from(pattern % count, data, position))
    if physical == 6:  # BYTE_ARRAY: length-prefixed
        values = []
        for _ in range(count):
            if position + 4 > len(data):
                raise ParquetError("values end early")
            (length,) = struct.unpack_from("<I", data, position)
            position += 4
            values.append(data[position:position + length])
            position += length
        return values
    if physical == 7:  # FIXED_LEN_BYTE_ARRAY
        return [data[position + i * type_length:position + (i + 1) * type_length] for i in range(count)]
    raise select_error("UnsupportedParquetType")  # INT96


def snappy(data: bytes) -> bytes:
    """Snappy's block format: a varint length, then literals and back-references."""
    reader = _Thrift(data)
    size = reader.varint()
    out = bytearray()
    while reader.position < len(data):
        tag = reader.byte()
        kind = tag & 3
        if kind == 0:
            length = tag >> 2
            if length >= 60:
                length = int.from_bytes(reader.take(length - 59), "little")
            out += reader.take(length + 1)
            continue
        if kind == 1:
            length, offset = 4 + ((tag >> 2) & 7), ((tag >> 5) << 8) | reader.byte()
        elif kind == 2:
            length, offset = (tag >> 2) + 1, int.from_bytes(reader.take(2), "little")
        else:
            length, offset = (tag >> 2) + 1, int.from_bytes(reader.take(4), "little")
        if not 0 < offset <= len(out):
            raise ParquetError("bad snappy offset")
        start = len(out) - offset
        if offset >= length:
            out += out[start:start + length]
        else:  # the copy overlaps what it writes: repeat the window
            for i in range(length):
                out.append(out[start + i])
    if len(out) != size:
        raise ParquetError("snappy length mismatch")
    return bytes(out)


def _decompress(codec: int, data: bytes) -> bytes:
    if codec == 0:
        return data
    if codec == 1:
        return snappy(data)
    if codec == 2:
        try:
            return zlib.decompress(data, 47)  # gzip or zlib header
        except zlib.error as error:
            raise ParquetError(str(error)) from None
    raise select_error("ParquetUnsupportedCompressionCodec")


# -- schema and values ---------------------------------------------------------------------


class _Column:
    """A top-level column: its physical type and how its values read in SQL."""

    def __init__(self, element: dict[int, Any]) -> None:
        self.name = element.get(4, b"").decode("utf-8", "replace")
        self.physical = cast(int, element.get(1))  # a leaf's type; a nested (group) column is refused below
        self.type_length: int = element.get(2, 0)
        self.optional = element.get(3, 0) == 1
        if element.get(3) == 2 or element.get(5):
            raise select_error("UnsupportedParquetType")  # repeated or nested
        if self.physical == 3:
            raise select_error("UnsupportedParquetType")  # INT96, which S3 Select does not read
        self.convert = _converter(element)


def _converter(element: dict[int, Any]) -> Callable[[Any], Any]:
    physical, converted, logical = element.get(1), element.get(6), element.get(10) or {}
    scale = element.get(7, 0)
    if 5 in logical:
        scale = logical[5].get(1, scale)
    if converted == 5 or 5 in logical:  # DECIMAL over ints or bytes
        def decimal(value: Any) -> Decimal:
            unscaled = int.from_bytes(value, "big", signed=True) if isinstance(value, bytes) else value
            return Decimal(unscaled).scaleb(-scale)
        return decimal
    if converted == 6 or 6 in logical:  # DATE: days since the epoch
        return lambda days: Timestamp(_EPOCH + dt.timedelta(days=days), "day", known_offset=False)
    unit = None
    if converted == 9:
        unit = "MILLIS"
    elif converted == 10:
        unit = "MICROS"
    elif 8 in logical:
        unit = {1: "MILLIS", 2: "MICROS", 3: "NANOS"}.get(next(iter(logical[8].get(2) or {2: None})), "MICROS")
    if unit is not None:
        per_second = {"MILLIS": 1_000, "MICROS": 1_000_000, "NANOS": 1_000_000_000}[unit]
        digits = {"MILLIS": 3, "MICROS": 6, "NANOS": 6}[unit]

        def stamp(value: int) -> Timestamp:
            seconds, rest = divmod(value, per_second)
            micros = rest * 1_000_000 // per_second
            return Timestamp(_EPOCH + dt.timedelta(seconds=seconds, microseconds=micros), "fraction", digits)
        return stamp
    if physical in (6, 7):  # text unless marked otherwise; S3 Select reads bytes as strings
        return lambda value: value.decode("utf-8", "replace")
    if converted in (11, 12, 13, 14) and physical in (1, 2):  # unsigned ints stored as signed
        bits = 32 if physical == 1 else 64
        return lambda value: value % (1 << bits)
    return lambda value: value


# -- reading --------------------------------------------------------------------------------


def _read_range(read: Reader, start: int, end: int) -> bytes:
    return b"".join(read(start, end))


def _footer(read: Reader, size: int) -> dict[int, Any]:
    if size < 12:
        raise ParquetError("too small")
    tail = _read_range(read, size - 8, size)
    if tail[4:] != MAGIC or _read_range(read, 0, 4) != MAGIC:
        raise ParquetError("no PAR1 magic")
    (length,) = struct.unpack("<I", tail[:4])
    if length > size - 12:
        raise ParquetError("footer too long")
    return _Thrift(_read_range(read, size - 8 - length, size - 8)).struct()


def _column_values(chunk: bytes, base: int, meta: dict[int, Any], column: _Column, rows: int) -> list[Any]:
    """Every value of one column chunk (None for nulls), pages decoded in order."""
    codec = meta.get(4, 0)
    start = min(offset for offset in (meta.get(9), meta.get(11)) if offset is not None) - base
    reader = _Thrift(chunk, start)
    dictionary: list[Any] | None = None
    values: list[Any] = []
    max_definition = 1 if column.optional else 0
    while len(values) < rows and reader.position < len(chunk):
        header = reader.struct()
        page_type, compressed_size = header.get(1), header.get(3, 0)
        body = reader.take(compressed_size)
        if page_type == 2:  # dictionary page
            data = _decompress(codec, body)
            dictionary = _plain(data, 0, column.physical, header[7].get(1, 0), column.type_length)
            continue
        if page_type == 0:
            page = header[5]
            count, encoding = page.get(1, 0), page.get(2, 0)
            data = _decompress(codec, body)
            position = 0
            if max_definition:
                (length,) = struct.unpack_from("<I", data, 0)
                levels = _hybrid(data, 4, 4 + length, 1, count)
                position = 4 + length
            else:
                levels = [0] * count
        elif page_type == 3:
            page = header[8]
            count, encoding = page.get(1, 0), page.get(4, 0)
            definition_length, repetition_length = page.get(5, 0), page.get(6, 0)
            levels_bytes = body[:repetition_length + definition_length]
            rest = body[repetition_length + definition_length:]
            data = levels_bytes + (_decompress(codec, rest) if page.get(7, True) else rest)
            if max_definition:
                levels = _hybrid(data, repetition_length, repetition_length + definition_length, 1, count)
            else:
                levels = [0] * count
            position = repetition_length + definition_length
        else:
            continue  # index pages
        present = sum(1 for level in levels if level == max_definition)
        if encoding == 0:
            decoded = _plain(data, position, column.physical, present, column.type_length)
        elif encoding in (2, 8):
            if dictionary is None:
                raise ParquetError("dictionary page missing")
            width = data[position] if position < len(data) else 0
            indexes = _hybrid(data, position + 1, len(data), width, present) if present else []
            try:
                decoded = [dictionary[i] for i in indexes]
            except IndexError:
                raise ParquetError("dictionary index out of range") from None
        else:
            raise select_error("UnsupportedParquetType")  # delta and byte-stream-split encodings
        convert = column.convert
        items = iter(decoded)
        values.extend(convert(next(items)) if level == max_definition else None for level in levels)
    if len(values) < rows:
        raise ParquetError("column ends early")
    return values[:rows]


def parquet_rows(read: Reader, size: int) -> Iterator[dict[str, Any]]:
    """The object's rows, one row group at a time, as ``{column: value}`` in schema order."""
    try:
        metadata = _footer(read, size)
        schema = metadata.get(2) or []
        if not schema:
            raise ParquetError("no schema")
        columns = [_Column(element) for element in schema[1:]]
        if len(columns) != (schema[0].get(5) or 0):
            raise select_error("UnsupportedParquetType")
        names = [column.name for column in columns]
        for group in metadata.get(4) or []:
            rows = group.get(3, 0)
            chunks = group.get(1) or []
            if len(chunks) != len(columns):
                raise ParquetError("row group does not match the schema")
            table = []
            for column, chunk in zip(columns, chunks, strict=False):
                meta = chunk.get(3) or {}
                start = min(offset for offset in (meta.get(9), meta.get(11)) if offset is not None)
                length = meta.get(7, 0)
                table.append(_column_values(_read_range(read, start, start + length), start, meta, column, rows))
            for row in zip(*table, strict=False):
                yield dict(zip(names, row, strict=False))
    except (ParquetError, struct.error, KeyError, TypeError, ValueError, IndexError, OverflowError):
        raise select_error("ParquetParsingError") from None

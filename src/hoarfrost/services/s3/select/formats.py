"""Reading an object's records (CSV, JSON; plain, GZIP or BZIP2) and writing result rows
(CSV or JSON), streaming: the object arrives as chunks and records leave one at a time, so a
query with LIMIT stops reading early and no list of all records is ever built.

``Meter`` counts what the Stats event reports: bytes read from the object (BytesScanned) and
bytes of uncompressed input handed to the parser (BytesProcessed).
"""

from __future__ import annotations

import bz2
import codecs
import csv
import dataclasses
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from hoarfrost.services.s3.select.errors import select_error
from hoarfrost.services.s3.select.values import MISSING, absent, json_string, json_text, to_text

# Reads a byte range [start, end) of the object; end None is the object's end.
Reader = Callable[[int, "int | None"], Iterable[bytes]]
# S3 Select's limit on one record (maxCharsPerRecord).
MAX_RECORD_BYTES = 1024 * 1024


@dataclasses.dataclass
class Meter:
    scanned: int = 0
    processed: int = 0
    returned: int = 0


def metered(chunks: Iterable[bytes], meter: Meter) -> Iterator[bytes]:
    for chunk in chunks:
        meter.scanned += len(chunk)
        yield chunk


def decompressed(chunks: Iterable[bytes], compression: str) -> Iterator[bytes]:
    """The object's bytes without GZIP / BZIP2 (every member of a multi-member file)."""
    if compression == "NONE":
        yield from chunks
        return
    make = (lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)) if compression == "GZIP" else bz2.BZ2Decompressor
    decoder: Any = make()
    try:
        for chunk in chunks:
            while chunk:
                out = decoder.decompress(chunk)
                if out:
                    yield out
                chunk = b""
                if decoder.eof and decoder.unused_data:
                    chunk = decoder.unused_data
                    decoder = make()
        if compression == "GZIP":
            rest = decoder.flush()
            if rest:
                yield rest
        if not decoder.eof:
            raise select_error("InvalidCompressionFormat")
    except (zlib.error, OSError, EOFError):
        raise select_error("InvalidCompressionFormat") from None


def processed(chunks: Iterable[bytes], meter: Meter) -> Iterator[bytes]:
    for chunk in chunks:
        meter.processed += len(chunk)
        yield chunk


@dataclasses.dataclass(frozen=True)
class CsvInput:
    """The CSVInput settings with S3's defaults."""

    header: str = "NONE"
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'
    comments: str = "#"
    quoted_record_delimiter: bool = False


def split_records(chunks: Iterable[bytes], delimiter: bytes, quote: bytes | None = None,
                  start_offset: int = 0) -> Iterator[tuple[int, bytes]]:
    """(offset of the record's first byte, record bytes) for every record: split on the
    delimiter, keeping a delimiter inside quotes when ``quote`` is given (an odd number of
    quote characters so far means the record is still open). A record longer than S3
    Select's 1 MB limit is OverMaxRecordSize, which also bounds what is held in memory."""
    unfinished: list[bytes] = []  # the pieces of the record still being read
    held = 0
    offset = start_offset
    pending = b""
    overlap = len(delimiter) - 1
    for chunk in chunks:
        tail = unfinished[-1][-overlap:] if overlap and unfinished else b""
        if delimiter not in tail + chunk:
            unfinished.append(chunk)
            held += len(chunk)
            if held + len(pending) > MAX_RECORD_BYTES:
                raise select_error("OverMaxRecordSize")
            continue
        pieces = (b"".join(unfinished) + chunk).split(delimiter)
        rest = pieces.pop()
        unfinished, held = ([rest], len(rest)) if rest else ([], 0)
        for piece in pieces:
            if quote is not None:
                pending = pending + delimiter + piece if pending else piece
                if pending.count(quote) % 2:
                    if len(pending) > MAX_RECORD_BYTES:
                        raise select_error("OverMaxRecordSize")
                    continue
                piece, pending = pending, b""
            if len(piece) > MAX_RECORD_BYTES:
                raise select_error("OverMaxRecordSize")
            yield offset, piece
            offset += len(piece) + len(delimiter)
    last = b"".join(unfinished)
    if quote is not None and pending:
        last = pending + delimiter + last
    if len(last) > MAX_RECORD_BYTES:
        raise select_error("OverMaxRecordSize")
    if last:
        yield offset, last


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise select_error("InvalidTextEncoding") from None


def split_fields(line: str, settings: CsvInput) -> list[str]:
    """One CSV record's fields; quoted fields may hold delimiters and escaped quotes."""
    quote, delimiter = settings.quote, settings.field_delimiter
    if not quote or quote not in line:
        return line.split(delimiter)
    if len(delimiter) == 1:
        escape = settings.quote_escape or quote
        dialect = {"delimiter": delimiter, "quotechar": quote, "strict": True}
        if escape == quote:
            dialect.update(doublequote=True)
        else:
            dialect.update(doublequote=False, escapechar=escape)
        try:
            return next(csv.reader((line,), **dialect), [""])  # type: ignore[arg-type]
        except csv.Error:
            raise select_error("CSVParsingError") from None
    return _split_quoted(line, settings)


def _split_quoted(line: str, settings: CsvInput) -> list[str]:
    """The field splitter for a delimiter of several characters, which the csv module lacks."""
    quote, delimiter = settings.quote, settings.field_delimiter
    escape = settings.quote_escape or quote
    fields: list[str] = []
    current: list[str] = []
    i, length, quoted = 0, len(line), False
    width = len(delimiter)
    while i < length:
        char = line[i]
        if quoted:
            if char == escape and i + 1 < length and line[i + 1] == quote:
                current.append(quote)
                i += 2
                continue
            if char == quote:
                quoted = False
            else:
                current.append(char)
            i += 1
        elif char == quote:
            quoted = True
            i += 1
        elif line.startswith(delimiter, i):
            fields.append("".join(current))
            current = []
            i += width
        else:
            current.append(char)
            i += 1
    if quoted:
        raise select_error("CSVParsingError")
    fields.append("".join(current))
    return fields


def csv_lines(records: Iterable[tuple[int, bytes]], settings: CsvInput) -> Iterator[tuple[int, list[str]]]:
    """Offsets and fields of the records that are neither blank nor comments."""
    strip_cr = settings.record_delimiter == "\n"
    comments = settings.comments
    for offset, raw in records:
        line = decode(raw)
        if strip_cr and line.endswith("\r"):
            line = line[:-1]
        if not line or (comments and line.startswith(comments)):
            continue
        yield offset, split_fields(line, settings)


def json_documents(chunks: Iterable[bytes]) -> Iterator[Any]:
    """Every top-level value of a JSON DOCUMENT object (one value, or several one after
    another), each parsed as soon as its text has arrived."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    incoming = iter(chunks)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    text, position, exhausted = "", 0, False

    def read_more(at_least: int) -> None:
        nonlocal text, exhausted
        added: list[str] = []
        count = 0
        while count < at_least:
            chunk = next(incoming, None)
            try:
                piece = utf8.decode(chunk or b"", final=chunk is None)
            except UnicodeDecodeError:
                raise select_error("InvalidTextEncoding") from None
            added.append(piece)
            count += len(piece)
            if chunk is None:
                exhausted = True
                break
        text += "".join(added)

    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            if exhausted:
                return
            text, position = "", 0
            read_more(1)
            continue
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            if exhausted:
                raise select_error("JSONParsingError") from None
            end = -1
        if end < 0 or (end == len(text) and not exhausted):
            # Incomplete (or a number that may go on): double the unread text, then try again.
            text, position = text[position:], 0
            read_more(max(len(text), 64 * 1024))
            continue
        position = end
        yield value


def json_lines(records: Iterable[tuple[int, bytes]]) -> Iterator[Any]:
    decoder = json.JSONDecoder(parse_float=Decimal)
    for _, raw in records:
        line = decode(raw).strip()
        if not line:
            continue
        try:
            value, end = decoder.raw_decode(line)
        except json.JSONDecodeError:
            raise select_error("JSONParsingError") from None
        if line[end:].strip():
            raise select_error("JSONParsingError")
        yield value


# -- output


@dataclasses.dataclass(frozen=True)
class CsvOutput:
    quote_fields: str = "ASNEEDED"
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'

    def __post_init__(self) -> None:
        specials = {c for c in (self.field_delimiter, self.quote, self.record_delimiter, "\n", "\r") if c}
        pattern = "|".join(re.escape(c) for c in sorted(specials, key=len, reverse=True))
        object.__setattr__(self, "_needs_quotes", re.compile(pattern).search)
        object.__setattr__(self, "_escaped_quote", (self.quote_escape or self.quote) + self.quote)

    def write(self, row: list[tuple[str, Any]]) -> str:
        return self.field_delimiter.join([self._field(value) for _, value in row]) + self.record_delimiter

    def _field(self, value: Any) -> str:
        text = value if type(value) is str else "" if absent(value) else to_text(value)
        quote = self.quote
        if not quote:
            return text
        if self.quote_fields == "ALWAYS" or self._needs_quotes(text):  # type: ignore[attr-defined]
            return quote + text.replace(quote, self._escaped_quote) + quote  # type: ignore[attr-defined]
        return text


class JsonOutput:
    """One JSON object per row, keys in the row's order, MISSING values left out."""

    def __init__(self, record_delimiter: str = "\n") -> None:
        self.record_delimiter = record_delimiter
        self._keys: dict[str, str] = {}

    def write(self, row: list[tuple[str, Any]]) -> str:
        keys = self._keys
        parts = []
        for name, value in row:
            if value is MISSING:
                continue
            key = keys.get(name)
            if key is None:
                key = keys[name] = json_string(name) + ":"
            parts.append(key + (json_string(value) if type(value) is str else json_text(value)))
        return "{" + ",".join(parts) + "}" + self.record_delimiter

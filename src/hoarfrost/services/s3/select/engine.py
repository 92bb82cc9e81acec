"""One SelectObjectContent request from its settings to its events: check the request, parse
the SQL once, stream the object's records through the compiled query and chunk the output
into ``Records`` events, then ``Progress`` (when asked), ``Stats`` and ``End``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.s3.select.errors import select_error
from hoarfrost.services.s3.select.evaluate import Bound, source_records
from hoarfrost.services.s3.select.formats import (
    CsvInput,
    CsvOutput,
    JsonOutput,
    Meter,
    Reader,
    csv_lines,
    decompressed,
    json_documents,
    json_lines,
    metered,
    processed,
    split_records,
)
from hoarfrost.services.s3.select.nodes import Query
from hoarfrost.services.s3.select.parquet import parquet_rows
from hoarfrost.services.s3.select.parser import parse

# Output is sent in Records events of about this many bytes.
RECORDS_CHUNK = 64 * 1024


@dataclasses.dataclass(frozen=True)
class Request:
    """The checked settings of one request."""

    query: Query
    input_format: str  # CSV, JSON or Parquet
    csv: CsvInput
    json_type: str
    compression: str
    output: CsvOutput | JsonOutput
    progress: bool
    scan: tuple[int, int] | None  # inclusive byte range of record starts


def _one_char(value: Any, default: str, *, allow_long: bool = False) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or (not allow_long and len(value) > 1) or len(value) > 2:
        raise select_error("InvalidRequestParameter")
    return value


def _only_format(serialization: dict[str, Any], formats: tuple[str, ...]) -> str:
    given = [name for name in formats if serialization.get(name) is not None]
    if len(given) > 1:
        raise select_error("ObjectSerializationConflict")
    if not given:
        raise select_error("MissingRequiredParameter")
    return given[0]


def check_request(request: dict[str, Any], size: int) -> Request:
    """The request's settings, or the S3 Select error AWS answers before the stream starts."""
    expression = request.get("Expression")
    if not expression:
        raise select_error("MissingRequiredParameter")
    if request.get("ExpressionType") != "SQL":
        raise select_error("InvalidExpressionType" if request.get("ExpressionType") else "MissingRequiredParameter")
    source, target = request.get("InputSerialization"), request.get("OutputSerialization")
    if not source or not target:
        raise select_error("MissingRequiredParameter")
    input_format = _only_format(source, ("CSV", "JSON", "Parquet"))
    output_format = _only_format(target, ("CSV", "JSON"))
    compression = source.get("CompressionType") or "NONE"
    if compression not in ("NONE", "GZIP", "BZIP2"):
        raise select_error("InvalidCompressionFormat")
    csv_input = CsvInput()
    json_type = "DOCUMENT"
    if input_format == "CSV":
        given = source["CSV"]
        header = given.get("FileHeaderInfo") or "NONE"
        if header not in ("USE", "IGNORE", "NONE"):
            raise select_error("InvalidFileHeaderInfo")
        csv_input = CsvInput(
            header=header,
            record_delimiter=_one_char(given.get("RecordDelimiter"), "\n", allow_long=True) or "\n",
            field_delimiter=_one_char(given.get("FieldDelimiter"), ",") or ",",
            quote=_one_char(given.get("QuoteCharacter"), '"'),
            quote_escape=_one_char(given.get("QuoteEscapeCharacter"), '"'),
            comments=_one_char(given.get("Comments"), "#"),
            quoted_record_delimiter=bool(given.get("AllowQuotedRecordDelimiter")),
        )
    elif input_format == "JSON":
        json_type = source["JSON"].get("Type") or "DOCUMENT"
        if json_type not in ("DOCUMENT", "LINES"):
            raise select_error("InvalidJsonType")
    elif compression != "NONE":  # Parquet compresses its own pages, never the whole object
        raise select_error("InvalidRequestParameter")
    output: CsvOutput | JsonOutput
    if output_format == "CSV":
        given = target["CSV"]
        quote_fields = given.get("QuoteFields") or "ASNEEDED"
        if quote_fields not in ("ALWAYS", "ASNEEDED"):
            raise select_error("InvalidQuoteFields")
        output = CsvOutput(quote_fields=quote_fields,
                           record_delimiter=_one_char(given.get("RecordDelimiter"), "\n", allow_long=True) or "\n",
                           field_delimiter=_one_char(given.get("FieldDelimiter"), ",") or ",",
                           quote=_one_char(given.get("QuoteCharacter"), '"'),
                           quote_escape=_one_char(given.get("QuoteEscapeCharacter"), '"'))
    else:
        output = JsonOutput(record_delimiter=_one_char(target["JSON"].get("RecordDelimiter"), "\n",
                                                       allow_long=True) or "\n")
    scan = _scan_range(request.get("ScanRange"), size, input_format, json_type, compression,
                       csv_input.quoted_record_delimiter)
    query = parse(expression)
    progress = bool((request.get("RequestProgress") or {}).get("Enabled"))
    return Request(query, input_format, csv_input, json_type, compression, output, progress, scan)


def _scan_range(given: dict[str, Any] | None, size: int, input_format: str, json_type: str,
                compression: str, quoted_delimiters: bool) -> tuple[int, int] | None:
    """ScanRange as the inclusive range of record starts: Start alone runs to the end, End
    alone is the last End bytes. Only uncompressed CSV (without quoted record delimiters,
    which hide where a record starts) and JSON LINES can be split."""
    if not given or (given.get("Start") is None and given.get("End") is None):
        return None
    start: int | None = given.get("Start")
    end: Any = given.get("End")  # an int wherever Start is None (the check above)
    if (start is not None and start < 0) or (end is not None and end < 0) or \
            (start is not None and end is not None and start > end):
        raise select_error("InvalidRequestParameter")
    if compression != "NONE" or input_format == "Parquet" or (input_format == "JSON" and json_type != "LINES") \
            or quoted_delimiters:
        raise select_error("UnsupportedScanRangeInput")
    if start is None:
        return max(size - int(end), 0), size - 1
    return int(start), size - 1 if end is None else int(end)


def run(request: Request, read: Reader, size: int, now: dt.datetime) -> list[dict[str, Any] | ServiceError]:
    """The events of the answer's Payload stream (ending in an error when evaluation fails)."""
    meter = Meter()
    bound, records = _records(request, read, size, now, meter)
    events: list[dict[str, Any] | ServiceError] = []
    writer = request.output
    pending: list[str] = []
    pending_bytes = 0

    def flush() -> None:
        nonlocal pending_bytes
        payload = "".join(pending).encode("utf-8")
        pending.clear()
        pending_bytes = 0
        meter.returned += len(payload)
        events.append({"Records": {"Payload": payload}})
        if request.progress:
            events.append({"Progress": {"Details": _details(meter)}})

    try:
        for row in bound.rows(records):
            text = writer.write(row)
            pending.append(text)
            pending_bytes += len(text)
            if pending_bytes >= RECORDS_CHUNK:
                flush()
    except ServiceError as error:
        # Once records flow, S3 reports a failure (a CAST that fails on row 900) in the stream:
        # the records before it, then the error message that ends the stream.
        if pending:
            flush()
        events.append(error)
        return events
    if pending:
        flush()
    if request.progress:
        events.append({"Progress": {"Details": _details(meter)}})
    events.append({"Stats": {"Details": _details(meter)}})
    events.append({"End": {}})
    return events


def _details(meter: Meter) -> dict[str, int]:
    return {"BytesScanned": meter.scanned, "BytesProcessed": meter.processed, "BytesReturned": meter.returned}


def _records(request: Request, read: Reader, size: int, now: dt.datetime, meter: Meter) -> tuple[Bound, Iterator[Any]]:
    """The query bound to the input's shape, and the input's records as it reads them."""
    query = request.query
    if request.input_format == "Parquet":
        def counted(start: int, end: int | None) -> Iterator[bytes]:
            for chunk in read(start, end):
                meter.scanned += len(chunk)
                meter.processed += len(chunk)
                yield chunk
        return Bound(query, csv=False, header=None, now=now), source_records(parquet_rows(counted, size), query.source)
    if request.input_format == "JSON":
        bound = Bound(query, csv=False, header=None, now=now)
        if request.json_type == "DOCUMENT":
            documents = json_documents(
                processed(decompressed(metered(read(0, None), meter), request.compression), meter))
        else:
            documents = json_lines(_ranged(request, read, size, meter, b"\n", None))
        return bound, source_records(documents, query.source)
    settings = request.csv
    delimiter = settings.record_delimiter.encode("utf-8")
    quote = settings.quote.encode("utf-8") if settings.quoted_record_delimiter and settings.quote else None
    lines = csv_lines(_ranged(request, read, size, meter, delimiter, quote), settings)
    header: list[str] | None = None
    if settings.header != "NONE":
        if request.scan is not None and request.scan[0] > 0:
            # The header is the object's first record, outside the range: read it apart.
            first = next(csv_lines(split_records(read(0, None), delimiter, quote), settings), None)
            header = first[1] if first else None
        else:
            first = next(lines, None)
            header = first[1] if first else None
    bound = Bound(query, csv=True, header=header if settings.header == "USE" else None, now=now)
    return bound, (fields for _, fields in lines)


def _ranged(request: Request, read: Reader, size: int, meter: Meter, delimiter: bytes,
            quote: bytes | None) -> Iterator[tuple[int, bytes]]:
    """The input's records, only those starting inside ScanRange when one is given."""
    if request.scan is None:
        chunks = processed(decompressed(metered(read(0, None), meter), request.compression), meter)
        yield from split_records(chunks, delimiter, quote)
        return
    start, end = request.scan
    if start >= size:
        return
    # One byte before the range says whether the range starts on a record boundary.
    origin = max(start - len(delimiter), 0)
    records = split_records(read(origin, None), delimiter, quote, start_offset=origin)
    for offset, raw in records:
        if offset > end:
            return
        if offset < start:
            continue
        # Scanned and processed are the records the range takes, whole (the last may run past End).
        meter.scanned += len(raw) + len(delimiter)
        meter.processed += len(raw) + len(delimiter)
        yield offset, raw


__all__ = ["Request", "check_request", "run"]

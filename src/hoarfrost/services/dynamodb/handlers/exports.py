"""Exports to S3 and imports from S3, in DynamoDB JSON: ExportTableToPointInTime,
DescribeExport, ListExports, ImportTable, DescribeImport, ListImports.

An export is answered IN_PROGRESS; its objects are written through the core's object port
(``emulator.ports.objects("s3")``) once the request's lock is released, and it is then
COMPLETED (or FAILED, when the bucket is missing), as DescribeExport shows. The layout is
DynamoDB's: ``<prefix>/AWSDynamoDB/<export id>/manifest-summary.json``, ``manifest-files.json``
and ``data/<id>.json.gz`` holding one ``{"Item": ...}`` per line. An import reads such data
files (gzip or plain) under a prefix into a new table, the same way round."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import gzip
import hashlib
import io
import json
import uuid
from typing import TYPE_CHECKING, Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.convert import item_from_json, item_to_json
from hoarfrost.services.dynamodb.errors import errors, validation
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.backups import items_at
from hoarfrost.services.dynamodb.handlers.common import DynamoContext, check_item_keys, table_name_of
from hoarfrost.services.dynamodb.handlers.tables import create_table
from hoarfrost.services.dynamodb.state import Table
from hoarfrost.services.dynamodb.values import Item

if TYPE_CHECKING:
    from hoarfrost.core.ports import ObjectStore
    from hoarfrost.services.dynamodb.service import DynamoDbService


def _store(service: DynamoDbService) -> ObjectStore:
    store = service.emulator.ports.objects("s3")
    if store is None:  # S3 is part of every hoarfrost; this is a broken installation
        raise errors.InternalServerError("S3 is not available for exports")
    return store


def _page(records: list[dict[str, Any]], request: dict[str, Any], member: str, token_key: str
          ) -> tuple[list[dict[str, Any]], str | None]:
    start = request.get("NextToken")
    if start is not None:
        arns = [r[token_key] for r in records]
        records = records[arns.index(start) + 1:] if start in arns else []
    limit = request.get(member) or 25
    page = records[:limit]
    return page, page[-1][token_key] if len(records) > limit else None


# -- exports ------------------------------------------------------------------------------------------
@ops.operation
def export_table_to_point_in_time(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["TableArn"]
    table = ctx.state.tables.get(table_name_of(ctx, arn))
    if table is None or table.arn != arn:
        raise errors.TableNotFoundException(f"Table not found: {arn}")
    if not table.pitr_enabled:
        raise errors.PointInTimeRecoveryUnavailableException(
            f"Point in time recovery is not enabled for table '{table.name}'")
    if request.get("ExportFormat", "DYNAMODB_JSON") != "DYNAMODB_JSON":
        raise validation("Only the DYNAMODB_JSON export format is supported by this emulator")
    if request.get("ExportType", "FULL_EXPORT") != "FULL_EXPORT":
        raise validation("Only FULL_EXPORT exports are supported by this emulator")
    now = ctx.clock.time()
    moment = request["ExportTime"].timestamp() if request.get("ExportTime") is not None else now
    if moment > now or moment < (table.pitr_enabled_at or now):
        raise errors.InvalidExportTimeException("Invalid ExportTime: the time is not within the point-in-time "
                                                "recovery window of the table")
    export_id = f"{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"
    export_arn = f"{table.arn}/export/{export_id}"
    prefix = request.get("S3Prefix") or ""
    base = f"{prefix.rstrip('/')}/AWSDynamoDB/{export_id}" if prefix else f"AWSDynamoDB/{export_id}"
    description: dict[str, Any] = {
        "ExportArn": export_arn, "ExportStatus": "IN_PROGRESS", "StartTime": now, "TableArn": table.arn,
        "TableId": table.table_id, "ExportTime": moment, "ClientToken": request.get("ClientToken") or export_id,
        "S3Bucket": request["S3Bucket"], "S3Prefix": prefix, "S3SseAlgorithm": request.get("S3SseAlgorithm", "AES256"),
        "ExportFormat": "DYNAMODB_JSON", "ExportType": "FULL_EXPORT",
        "ExportManifest": f"{base}/manifest-summary.json",
    }
    if request.get("S3BucketOwner"):
        description["S3BucketOwner"] = request["S3BucketOwner"]
    ctx.state.exports[export_arn] = description
    items = items_at(table, moment)  # references: items are never mutated, so this is a snapshot
    ctx.after_commit(functools.partial(_write_export, ctx.service, ctx.scope.account, ctx.scope.region,
                                       export_arn, base, items))
    return {"ExportDescription": dict(description)}


def _write_export(service: DynamoDbService, account: str, region: str, export_arn: str, base: str,
                  items: list[Item]) -> None:
    scope = service.backends.scope(account, region)
    with scope.lock:
        description = dict(scope.backend.exports[export_arn])
    bucket = description["S3Bucket"]
    lines = "".join(json.dumps({"Item": item_to_json(item)}) + "\n" for item in items).encode()
    data = gzip.compress(lines, mtime=0)
    data_key = f"{base}/data/{uuid.uuid4().hex}.json.gz"
    size = sum(av.item_size(item) for item in items)
    updates: dict[str, Any]
    try:
        store = _store(service)
        etag = store.put_object(bucket, data_key, data, "application/x-gzip")
        digest = base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - the manifest's MD5
        files = json.dumps({"itemCount": len(items), "md5Checksum": digest, "etag": etag.strip('"'),
                            "dataFileS3Key": data_key}) + "\n"
        store.put_object(bucket, f"{base}/manifest-files.json", files.encode(), "application/json")
        end = service.clock.time()
        summary = {
            "version": "2020-06-30", "exportArn": export_arn, "startTime": _iso(description["StartTime"]),
            "endTime": _iso(end), "tableArn": description["TableArn"], "tableId": description["TableId"],
            "exportTime": _iso(description["ExportTime"]), "s3Bucket": bucket, "s3Prefix": description["S3Prefix"],
            "s3SseAlgorithm": description["S3SseAlgorithm"], "s3SseKmsKeyId": None,
            "manifestFilesS3Key": f"{base}/manifest-files.json", "billedSizeBytes": size, "itemCount": len(items),
            "outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT",
        }
        store.put_object(bucket, f"{base}/manifest-summary.json", json.dumps(summary).encode(), "application/json")
        updates = {"ExportStatus": "COMPLETED", "EndTime": end, "ItemCount": len(items), "BilledSizeBytes": size}
    except ServiceError as error:
        updates = {"ExportStatus": "FAILED", "EndTime": service.clock.time(), "FailureCode": error.code,
                   "FailureMessage": error.message}
    with scope.lock:
        scope.backend.exports[export_arn].update(updates)
    service.notify_state_changed(account, region, "ExportTableToPointInTime")


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@ops.operation
def describe_export(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    description = ctx.state.exports.get(request["ExportArn"])
    if description is None:
        raise errors.ExportNotFoundException(f"Export not found: {request['ExportArn']}")
    return {"ExportDescription": dict(description)}


@ops.operation
def list_exports(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    exports = sorted(ctx.state.exports.values(), key=lambda e: (e["StartTime"], e["ExportArn"]))
    if request.get("TableArn"):
        exports = [e for e in exports if e["TableArn"] == request["TableArn"]]
    page, token = _page(exports, request, "MaxResults", "ExportArn")
    output: dict[str, Any] = {"ExportSummaries": [
        {"ExportArn": e["ExportArn"], "ExportStatus": e["ExportStatus"], "ExportType": e["ExportType"]} for e in page]}
    if token:
        output["NextToken"] = token
    return output


# -- imports ------------------------------------------------------------------------------------------
@ops.operation
def import_table(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    parameters = dict(request["TableCreationParameters"])
    if request["InputFormat"] not in ("DYNAMODB_JSON", "CSV"):
        raise validation("Only the DYNAMODB_JSON and CSV input formats are supported by this emulator")
    name = parameters["TableName"]
    if name in ctx.state.tables:
        raise errors.ResourceInUseException(f"Table already exists: {name}")
    # The table is checked (and made) as CreateTable would, items come once S3 is read.
    created = create_table(ctx, parameters)["TableDescription"]
    table = ctx.state.tables[name]
    now = ctx.clock.time()
    import_arn = f"{table.arn}/import/{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"
    description: dict[str, Any] = {
        "ImportArn": import_arn, "ImportStatus": "IN_PROGRESS", "TableArn": created["TableArn"],
        "TableId": created["TableId"], "ClientToken": request.get("ClientToken") or import_arn[-23:],
        "S3BucketSource": dict(request["S3BucketSource"]), "ErrorCount": 0, "InputFormat": request["InputFormat"],
        "InputCompressionType": request.get("InputCompressionType", "NONE"),
        "TableCreationParameters": parameters, "StartTime": now,
    }
    if request.get("InputFormatOptions"):
        description["InputFormatOptions"] = dict(request["InputFormatOptions"])
    ctx.state.imports[import_arn] = description
    ctx.after_commit(functools.partial(_read_import, ctx.service, ctx.scope.account, ctx.scope.region, import_arn))
    return {"ImportTableDescription": dict(description)}


def _read_import(service: DynamoDbService, account: str, region: str, import_arn: str) -> None:
    scope = service.backends.scope(account, region)
    with scope.lock:
        description = dict(scope.backend.imports[import_arn])
    source = description["S3BucketSource"]
    items: list[Item] = []
    errors_seen = processed = 0
    try:
        store = _store(service)
        for key in store.list_keys(source["S3Bucket"], source.get("S3KeyPrefix", "")):
            if key.endswith(("manifest-summary.json", "manifest-files.json", "/")):
                continue
            body = store.get_object(source["S3Bucket"], key) or b""
            processed += len(body)
            if description["InputCompressionType"] == "GZIP" or key.endswith(".gz"):
                body = gzip.decompress(body)
            if description["InputFormat"] == "CSV":
                parsed, failed = _csv_items(body.decode("utf-8"), description)
                items += parsed
                errors_seen += failed
                continue
            for line in body.decode("utf-8").splitlines():
                if not line.strip():
                    continue
                try:
                    items.append(item_from_json(json.loads(line)["Item"]))
                except (ValueError, KeyError, TypeError):
                    errors_seen += 1
        failure = None
    except (ServiceError, OSError, ValueError) as error:
        failure = error
    with scope.lock:
        table = scope.backend.tables.get(description["TableCreationParameters"]["TableName"])
        record = scope.backend.imports[import_arn]
        end = service.clock.time()
        if failure is not None or table is None:
            code = getattr(failure, "code", "ImportFailed")
            record.update({"ImportStatus": "FAILED", "EndTime": end, "FailureCode": code,
                           "FailureMessage": getattr(failure, "message", str(failure))})
        else:
            imported = _load(table, items)
            record.update({"ImportStatus": "COMPLETED", "EndTime": end, "ProcessedSizeBytes": processed,
                           "ProcessedItemCount": len(items) + errors_seen, "ImportedItemCount": imported,
                           "ErrorCount": errors_seen + len(items) - imported})
    service.notify_state_changed(account, region, "ImportTable")


def _csv_items(text: str, description: dict[str, Any]) -> tuple[list[Item], int]:
    """CSV rows as items: key columns typed by the table's attribute definitions, every other
    non-empty cell a string (as DynamoDB imports CSV). The header is the first row unless
    InputFormatOptions names it."""
    options = (description.get("InputFormatOptions") or {}).get("Csv") or {}
    rows = list(csv.reader(io.StringIO(text), delimiter=options.get("Delimiter") or ","))
    header = options.get("HeaderList")
    if not header:
        if not rows:
            return [], 0
        header, rows = rows[0], rows[1:]
    types = {d["AttributeName"]: d["AttributeType"]
             for d in description["TableCreationParameters"].get("AttributeDefinitions", [])}
    items: list[Item] = []
    failed = 0
    for row in rows:
        if not row:
            continue
        try:
            raw = {name: {types.get(name, "S"): cell} for name, cell in zip(header, row, strict=False) if cell != ""}
            items.append(av.check_item({n: ({"B": base64.b64decode(v["B"])} if "B" in v else v)
                                        for n, v in raw.items()}))
        except (ServiceError, ValueError):
            failed += 1
    return items, failed


def _load(table: Table, items: list[Item]) -> int:
    loaded = 0
    for item in items:
        try:
            check_item_keys(table, item)
            av.check_size(item)
        except ServiceError:
            continue
        table.put(item)
        loaded += 1
    return loaded


@ops.operation
def describe_import(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    description = ctx.state.imports.get(request["ImportArn"])
    if description is None:
        raise errors.ImportNotFoundException(f"Import not found: {request['ImportArn']}")
    return {"ImportTableDescription": dict(description)}


@ops.operation
def list_imports(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    imports = sorted(ctx.state.imports.values(), key=lambda i: (i["StartTime"], i["ImportArn"]))
    if request.get("TableArn"):
        imports = [i for i in imports if i["TableArn"] == request["TableArn"]]
    page, token = _page(imports, request, "PageSize", "ImportArn")
    output: dict[str, Any] = {"ImportSummaryList": [
        {"ImportArn": i["ImportArn"], "ImportStatus": i["ImportStatus"], "TableArn": i["TableArn"],
         "S3BucketSource": i["S3BucketSource"], "InputFormat": i["InputFormat"], "StartTime": i["StartTime"],
         **({"EndTime": i["EndTime"]} if "EndTime" in i else {})} for i in page]}
    if token:
        output["NextToken"] = token
    return output

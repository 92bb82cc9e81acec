"""On-demand backups and restores: CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup, and RestoreTableToPointInTime (from the table's change history, kept
while point-in-time recovery is on)."""

from __future__ import annotations

import uuid
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.services.dynamodb.errors import errors, validation
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import DynamoContext, table_name_of
from hoarfrost.services.dynamodb.handlers.tables import describe, earliest_restorable
from hoarfrost.services.dynamodb.state import Backup, Table
from hoarfrost.services.dynamodb.values import Item


def _source_table(ctx: DynamoContext, name: str) -> Table:
    table = ctx.state.tables.get(table_name_of(ctx, name))
    if table is None:
        raise errors.TableNotFoundException(f"Table not found: {name}")
    return table


def _backup(ctx: DynamoContext, arn: str) -> Backup:
    backup = ctx.state.backups.get(arn)
    if backup is None:
        raise errors.BackupNotFoundException(f"Backup not found: {arn}")
    return backup


def _details(backup: Backup, status: str | None = None) -> dict[str, Any]:
    return {"BackupArn": backup.arn, "BackupName": backup.name, "BackupSizeBytes": backup.size,
            "BackupStatus": status or backup.status, "BackupType": "USER", "BackupCreationDateTime": backup.created}


def _description(backup: Backup, status: str | None = None) -> dict[str, Any]:
    table = backup.table
    described = describe(table)
    source: dict[str, Any] = {
        "TableName": backup.table_name, "TableId": backup.table_id, "TableArn": backup.table_arn,
        "TableSizeBytes": table.items.bytes, "KeySchema": table.schema.elements(),
        "TableCreationDateTime": table.created, "ProvisionedThroughput": {
            "ReadCapacityUnits": table.throughput.get("ReadCapacityUnits", 0),
            "WriteCapacityUnits": table.throughput.get("WriteCapacityUnits", 0)},
        "ItemCount": table.items.count, "BillingMode": table.billing_mode,
    }
    features: dict[str, Any] = {}
    if "GlobalSecondaryIndexes" in described:
        features["GlobalSecondaryIndexes"] = [
            {k: i[k] for k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")}
            for i in described["GlobalSecondaryIndexes"]]
    if "LocalSecondaryIndexes" in described:
        features["LocalSecondaryIndexes"] = [{k: i[k] for k in ("IndexName", "KeySchema", "Projection")}
                                             for i in described["LocalSecondaryIndexes"]]
    return {"BackupDetails": _details(backup, status), "SourceTableDetails": source,
            "SourceTableFeatureDetails": features}


@ops.operation
def create_backup(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _source_table(ctx, request["TableName"])
    now = ctx.clock.time()
    arn = f"{table.arn}/backup/{int(now * 1000):017d}-{uuid.uuid4().hex[:8]}"
    copy = table.clone(table.name, table.arn, table.table_id, table.created, table.all_items())
    backup = Backup(arn=arn, name=request["BackupName"], table_name=table.name, table_arn=table.arn,
                    table_id=table.table_id, created=now, table=copy, size=copy.items.bytes)
    ctx.state.backups[arn] = backup
    return {"BackupDetails": _details(backup)}


@ops.operation
def describe_backup(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"BackupDescription": _description(_backup(ctx, request["BackupArn"]))}


@ops.operation
def delete_backup(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    backup = _backup(ctx, request["BackupArn"])
    del ctx.state.backups[backup.arn]
    return {"BackupDescription": _description(backup, "DELETED")}


@ops.operation
def list_backups(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    backups = sorted(ctx.state.backups.values(), key=lambda b: (b.created, b.arn))
    name = request.get("TableName")
    if name is not None:
        backups = [b for b in backups if b.table_name == table_name_of(ctx, name)]
    if request.get("BackupType") not in (None, "USER", "ALL"):
        backups = []
    low, high = request.get("TimeRangeLowerBound"), request.get("TimeRangeUpperBound")
    if low is not None:
        backups = [b for b in backups if b.created >= low.timestamp()]
    if high is not None:
        backups = [b for b in backups if b.created <= high.timestamp()]
    start = request.get("ExclusiveStartBackupArn")
    if start is not None:
        arns = [b.arn for b in backups]
        backups = backups[arns.index(start) + 1:] if start in arns else backups
    limit = request.get("Limit", 100)
    page = backups[:limit]
    output: dict[str, Any] = {"BackupSummaries": [
        {"TableName": b.table_name, "TableId": b.table_id, "TableArn": b.table_arn, **_details(b)} for b in page]}
    if len(backups) > limit:
        output["LastEvaluatedBackupArn"] = page[-1].arn
    return output


def _restore(ctx: DynamoContext, request: dict[str, Any], source: Table, items: Any) -> dict[str, Any]:
    name = request["TargetTableName"]
    if name in ctx.state.tables:
        raise errors.TableAlreadyExistsException(f"Table already exists: {name}")
    now = ctx.clock.time()
    arn = build_arn("dynamodb", ctx.scope.region, ctx.scope.account, f"table/{name}")
    table = source.clone(name, arn, str(uuid.uuid4()), now, items)
    billing = request.get("BillingModeOverride")
    if billing is not None:
        table.billing_mode = billing
        if billing == "PAY_PER_REQUEST":
            table.throughput = {}
    if request.get("ProvisionedThroughputOverride") is not None:
        table.throughput = dict(request["ProvisionedThroughputOverride"])
    if request.get("GlobalSecondaryIndexOverride") is not None:
        wanted = {i["IndexName"] for i in request["GlobalSecondaryIndexOverride"]}
        table.global_indexes = {n: i for n, i in table.global_indexes.items() if n in wanted}
    if request.get("LocalSecondaryIndexOverride") is not None:
        wanted = {i["IndexName"] for i in request["LocalSecondaryIndexOverride"]}
        table.local_indexes = {n: i for n, i in table.local_indexes.items() if n in wanted}
    ctx.state.tables[name] = table
    return {"TableDescription": describe(table, "CREATING")}


@ops.operation
def restore_table_from_backup(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    backup = _backup(ctx, request["BackupArn"])
    return _restore(ctx, request, backup.table, backup.table.all_items())


@ops.operation
def restore_table_to_point_in_time(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request.get("SourceTableName") or request.get("SourceTableArn")
    if name is None:
        raise validation("Either SourceTableName or SourceTableArn must be specified")
    source = _source_table(ctx, name)
    if not source.pitr_enabled:
        raise errors.PointInTimeRecoveryUnavailableException(
            f"Point in time recovery is not enabled for table '{source.name}'")
    now = ctx.clock.time()
    if request.get("UseLatestRestorableTime"):
        moment = now
    elif request.get("RestoreDateTime") is not None:
        moment = request["RestoreDateTime"].timestamp()
    else:
        raise validation("Either RestoreDateTime or UseLatestRestorableTime must be specified")
    earliest = earliest_restorable(ctx, source)
    if not earliest <= moment <= now:
        raise errors.InvalidRestoreTimeException(
            f"Only RestoreDateTime between {earliest} and {now} can be used.")
    return _restore(ctx, request, source, iter(items_at(source, moment)))


def items_at(table: Table, moment: float) -> list[Item]:
    """The table's items as they were at ``moment``: today's, with the changes since undone
    (from the history kept while point-in-time recovery is on)."""
    items: dict[Any, Item] = {table.key_of(item): item for item in table.all_items()}
    for at, key, old in reversed(table.history):
        if at <= moment:
            break
        place = table.key_of(key)
        if old is None:
            items.pop(place, None)
        else:
            items[place] = old
    return list(items.values())

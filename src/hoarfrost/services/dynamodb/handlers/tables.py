"""Table operations: create, describe, update (throughput, billing, indexes, streams, global
table replicas in other regions), delete, list, limits, endpoints, tags, TTL and
point-in-time-recovery settings."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import build_arn
from hoarfrost.services.dynamodb.changes import PITR_WINDOW, stream_enabled
from hoarfrost.services.dynamodb.errors import errors, invalid_parameter, validation
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import DynamoContext, get_table, table_name_of
from hoarfrost.services.dynamodb.handlers.policies import check_policy, new_revision
from hoarfrost.services.dynamodb.state import Index, KeySchema, Table

if TYPE_CHECKING:
    from hoarfrost.services.dynamodb.service import DynamoDbService

MAX_GSIS = 20
MAX_LSIS = 5
TAG_RULES = tagging.TagRules(
    too_many=lambda limit: validation("One or more parameter values were invalid: The number of tags exceeds the "
                                      f"maximum allowed ({limit})"),
)


# -- describing ------------------------------------------------------------------------------------
def _throughput(table: Table, values: dict[str, int] | None) -> dict[str, Any]:
    values = values or {}
    described: dict[str, Any] = {"NumberOfDecreasesToday": 0,
                                 "ReadCapacityUnits": values.get("ReadCapacityUnits", 0),
                                 "WriteCapacityUnits": values.get("WriteCapacityUnits", 0)}
    if table.throughput_increased is not None:
        described["LastIncreaseDateTime"] = table.throughput_increased
    if table.throughput_decreased is not None:
        described["LastDecreaseDateTime"] = table.throughput_decreased
    return described


def _index_description(table: Table, index: Index) -> dict[str, Any]:
    described: dict[str, Any] = {
        "IndexName": index.name, "KeySchema": index.schema.elements(), "Projection": index.projection,
        "IndexSizeBytes": index.store.bytes,
        "ItemCount": index.store.count, "IndexArn": index.arn,
    }
    if index.is_global:
        described["IndexStatus"] = "ACTIVE"
        described["ProvisionedThroughput"] = _throughput(table, index.throughput)
    return described


def describe(table: Table, status: str = "ACTIVE") -> dict[str, Any]:
    """DescribeTable's TableDescription."""
    described: dict[str, Any] = {
        "AttributeDefinitions": table.attribute_definitions,
        "TableName": table.name,
        "KeySchema": table.schema.elements(),
        "TableStatus": status,
        "CreationDateTime": table.created,
        "ProvisionedThroughput": _throughput(table, table.throughput),
        "TableSizeBytes": table.items.bytes,
        "ItemCount": table.items.count,
        "TableArn": table.arn,
        "TableId": table.table_id,
        "DeletionProtectionEnabled": table.deletion_protection,
    }
    if table.billing_mode == "PAY_PER_REQUEST":
        described["BillingModeSummary"] = {"BillingMode": "PAY_PER_REQUEST",
                                           "LastUpdateToPayPerRequestDateTime": table.created}
    if table.global_indexes:
        described["GlobalSecondaryIndexes"] = [_index_description(table, i) for i in table.global_indexes.values()]
    if table.local_indexes:
        described["LocalSecondaryIndexes"] = [_index_description(table, i) for i in table.local_indexes.values()]
    if table.stream_specification is not None and stream_enabled(table):
        described["StreamSpecification"] = table.stream_specification
    if table.stream_label is not None:
        described["LatestStreamLabel"] = table.stream_label
        described["LatestStreamArn"] = f"{table.arn}/stream/{table.stream_label}"
    if table.replicas:
        described["GlobalTableVersion"] = "2019.11.21"
        described["Replicas"] = [{"RegionName": region, "ReplicaStatus": "ACTIVE"} for region in table.replicas]
    if table.table_class != "STANDARD":
        described["TableClassSummary"] = {"TableClass": table.table_class}
    if table.sse_specification and table.sse_specification.get("Enabled"):
        described["SSEDescription"] = {"Status": "ENABLED", "SSEType": table.sse_specification.get("SSEType", "KMS")}
    return described


# -- checking a definition --------------------------------------------------------------------------
def _definitions(request: dict[str, Any]) -> dict[str, str]:
    definitions: dict[str, str] = {}
    for definition in request.get("AttributeDefinitions") or []:
        name = definition["AttributeName"]
        if name in definitions:
            raise invalid_parameter("Cannot have two attributes with the same name")
        definitions[name] = definition["AttributeType"]
    return definitions


def _key_schema(elements: list[dict[str, str]], definitions: dict[str, str], *, index: str | None = None
                ) -> KeySchema:
    what = "Index KeySchema" if index else "KeySchema"
    if elements[0]["KeyType"] != "HASH":
        raise validation(f"Invalid {what}: The first KeySchemaElement is not a HASH key type")
    if len(elements) > 1:
        if elements[1]["KeyType"] != "RANGE":
            raise validation(f"Invalid {what}: The second KeySchemaElement is not a RANGE key type")
        if elements[0]["AttributeName"] == elements[1]["AttributeName"]:
            raise validation(f"Invalid {what}: The hash key and range key of a KeySchema must be different")
    missing = [e["AttributeName"] for e in elements if e["AttributeName"] not in definitions]
    if missing:
        raise invalid_parameter(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(e['AttributeName'] for e in elements)}], "
            f"AttributeDefinitions: [{', '.join(definitions)}]")
    hash_key = elements[0]["AttributeName"]
    schema = KeySchema(hash_key, definitions[hash_key])
    if len(elements) > 1:
        schema.range_key = elements[1]["AttributeName"]
        schema.range_type = definitions[schema.range_key]
    return schema


def _projection(projection: dict[str, Any], index: str) -> dict[str, Any]:
    kind = projection.get("ProjectionType")
    attributes = projection.get("NonKeyAttributes")
    if kind is None:
        raise invalid_parameter(f"Unknown ProjectionType: null for index: {index}")
    if kind == "INCLUDE" and not attributes:
        raise invalid_parameter("NonKeyAttributes must not be empty when ProjectionType is INCLUDE")
    if kind != "INCLUDE" and attributes:
        raise invalid_parameter(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    return dict(projection)


def _check_throughput(billing: str, throughput: dict[str, int] | None, index: str | None = None) -> None:
    if billing == "PROVISIONED":
        if throughput is None:
            if index is not None:
                raise invalid_parameter(f"ProvisionedThroughput must be specified for index: {index}")
            raise invalid_parameter("ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                                    "BillingMode is PROVISIONED")
    elif throughput is not None:
        if index is not None:
            raise invalid_parameter(f"ProvisionedThroughput should not be specified for index: {index} when "
                                    "BillingMode is PAY_PER_REQUEST")
        raise invalid_parameter("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                "BillingMode is PAY_PER_REQUEST")


def _global_index(ctx: DynamoContext, table_arn: str, definition: dict[str, Any], definitions: dict[str, str],
                  billing: str) -> Index:
    name = definition["IndexName"]
    schema = _key_schema(definition["KeySchema"], definitions, index=name)
    throughput = definition.get("ProvisionedThroughput")
    _check_throughput(billing, throughput, name)
    return Index(name=name, schema=schema, projection=_projection(definition["Projection"], name),
                 is_global=True, arn=f"{table_arn}/index/{name}",
                 throughput=dict(throughput) if throughput else None)


def _stream_specification(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    if spec.get("StreamEnabled") and not spec.get("StreamViewType"):
        raise invalid_parameter("You must specify a StreamViewType when enabling a stream")
    if not spec.get("StreamEnabled") and spec.get("StreamViewType"):
        raise invalid_parameter("You cannot specify a StreamViewType when disabling a stream")
    return dict(spec)


def _stream_label(ctx: DynamoContext) -> str:
    now = ctx.clock.now()
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"


# -- operations -------------------------------------------------------------------------------------
@ops.operation
def create_table(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["TableName"]
    definitions = _definitions(request)
    schema = _key_schema(request["KeySchema"], definitions)
    billing = request.get("BillingMode", "PROVISIONED")
    throughput = request.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and throughput is None and "BillingMode" not in request:
        raise validation("No provisioned throughput specified for the table")
    _check_throughput(billing, throughput)
    arn = build_arn("dynamodb", ctx.scope.region, ctx.scope.account, f"table/{name}")
    global_indexes: dict[str, Index] = {}
    local_indexes: dict[str, Index] = {}
    used = set(schema.names)
    for definition in request.get("GlobalSecondaryIndexes") or []:
        index = _global_index(ctx, arn, definition, definitions, billing)
        if index.name in global_indexes:
            raise invalid_parameter(f"Duplicate index name: {index.name}")
        global_indexes[index.name] = index
        used.update(index.schema.names)
    if len(global_indexes) > MAX_GSIS:
        raise validation(f"One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the "
                         f"per-table limit of {MAX_GSIS}")
    for definition in request.get("LocalSecondaryIndexes") or []:
        index_name = definition["IndexName"]
        if schema.range_key is None:
            raise invalid_parameter("Table KeySchema does not have a range key, which is required when specifying "
                                    "a LocalSecondaryIndex")
        index_schema = _key_schema(definition["KeySchema"], definitions, index=index_name)
        if index_schema.range_key is None:
            raise invalid_parameter(f"Index KeySchema does not have a range key for index: {index_name}")
        if index_schema.hash_key != schema.hash_key:
            raise invalid_parameter("Index KeySchema does not have the same leading hash key as table KeySchema "
                                    f"for index: {index_name}. index hash key: {index_schema.hash_key}, table hash "
                                    f"key: {schema.hash_key}")
        if index_name in local_indexes or index_name in global_indexes:
            raise invalid_parameter(f"Duplicate index name: {index_name}")
        local_indexes[index_name] = Index(name=index_name, schema=index_schema,
                                          projection=_projection(definition["Projection"], index_name),
                                          is_global=False, arn=f"{arn}/index/{index_name}")
        used.update(index_schema.names)
    if len(local_indexes) > MAX_LSIS:
        raise invalid_parameter(f"LocalSecondaryIndex count exceeds the per-table limit of {MAX_LSIS}")
    if used != set(definitions):
        raise invalid_parameter("Number of attributes in KeySchema does not exactly match number of attributes "
                                "defined in AttributeDefinitions")
    state = ctx.state
    if name in state.tables:
        raise errors.ResourceInUseException(f"Table already exists: {name}")
    tags = tagging.check(tagging.from_list(request.get("Tags") or []), TAG_RULES)
    policy = request.get("ResourcePolicy")
    if policy is not None:
        check_policy(policy)
    stream = _stream_specification(request.get("StreamSpecification"))
    now = ctx.clock.time()
    table = Table(
        name=name, arn=arn, table_id=str(uuid.uuid4()), schema=schema,
        attribute_definitions=[{"AttributeName": n, "AttributeType": t} for n, t in definitions.items()],
        created=now, billing_mode=billing, throughput=dict(throughput or {}),
        global_indexes=global_indexes, local_indexes=local_indexes,
        stream_specification=stream if stream and stream.get("StreamEnabled") else None,
        tags=tags, deletion_protection=bool(request.get("DeletionProtectionEnabled", False)),
        table_class=request.get("TableClass", "STANDARD"), sse_specification=request.get("SSESpecification"),
        resource_policy=policy, resource_policy_revision=new_revision() if policy is not None else None,
    )
    if table.stream_specification is not None:
        table.stream_label = _stream_label(ctx)
    state.tables[name] = table
    return {"TableDescription": describe(table, "CREATING")}


@ops.operation
def describe_table(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Table": describe(get_table(ctx, request["TableName"], describe=True))}


@ops.operation
def delete_table(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"], describe=True)
    if table.deletion_protection:
        raise validation("Resource cannot be deleted as it is currently protected against manual deletion.")
    del ctx.state.tables[table.name]
    if table.replicas:  # the other replicas stop replicating here
        ctx.after_commit(functools.partial(_forget_region, ctx.service, ctx.scope.account, tuple(table.replicas),
                                           table.name, ctx.scope.region))
    return {"TableDescription": describe(table, "DELETING")}


@ops.operation
def list_tables(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    names = sorted(ctx.state.tables)
    start = request.get("ExclusiveStartTableName")
    if start is not None:
        names = [name for name in names if name > start]
    limit = request.get("Limit", 100)
    page = names[:limit]
    output: dict[str, Any] = {"TableNames": page}
    if len(names) > limit:
        output["LastEvaluatedTableName"] = page[-1]
    return output


@ops.operation
def update_table(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"], describe=True)
    now = ctx.clock.time()
    changes = ("ProvisionedThroughput", "BillingMode", "StreamSpecification", "GlobalSecondaryIndexUpdates",
               "SSESpecification", "ReplicaUpdates", "DeletionProtectionEnabled", "TableClass", "OnDemandThroughput",
               "WarmThroughput")
    if not any(request.get(member) is not None for member in changes):
        raise validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                         "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
    billing = request.get("BillingMode", table.billing_mode)
    throughput = request.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        _check_throughput(billing, throughput)
    if billing == "PROVISIONED" and table.billing_mode == "PAY_PER_REQUEST" and throughput is None:
        _check_throughput(billing, None)
    if throughput is not None and billing == "PROVISIONED" and throughput == {
            k: table.throughput.get(k) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}:
        raise validation(
            "The provisioned throughput for the table will not change. The requested value equals the current "
            f"value. Current ReadCapacityUnits provisioned for the table: {table.throughput['ReadCapacityUnits']}. "
            f"Requested ReadCapacityUnits: {throughput['ReadCapacityUnits']}. Current WriteCapacityUnits "
            f"provisioned for the table: {table.throughput['WriteCapacityUnits']}. Requested WriteCapacityUnits: "
            f"{throughput['WriteCapacityUnits']}. Refer to the Amazon DynamoDB Developer Guide for current limits "
            "and how to request higher limits.")
    stream = request.get("StreamSpecification")
    if stream is not None:
        stream = _stream_specification(stream)
        assert stream is not None
        if stream.get("StreamEnabled") and stream_enabled(table):
            raise validation(f"Table already has an enabled stream: TableName: {table.name}")
        if not stream.get("StreamEnabled") and not stream_enabled(table):
            raise validation(f"Table already has no enabled stream: TableName: {table.name}")
    definitions = {d["AttributeName"]: d["AttributeType"] for d in table.attribute_definitions}
    definitions.update(_definitions(request))
    new_indexes: list[Index] = []
    dropped: list[str] = []
    updated: list[tuple[Index, dict[str, int]]] = []
    for update in request.get("GlobalSecondaryIndexUpdates") or []:
        if "Create" in update:
            index = _global_index(ctx, table.arn, update["Create"], definitions, billing)
            if table.index(index.name) is not None or any(i.name == index.name for i in new_indexes):
                raise invalid_parameter(f"Duplicate index name: {index.name}")
            new_indexes.append(index)
        elif "Delete" in update:
            name = update["Delete"]["IndexName"]
            if name not in table.global_indexes:
                raise errors.ResourceNotFoundException(f"Requested resource not found: Index: {name} not found")
            dropped.append(name)
        elif "Update" in update:
            name = update["Update"]["IndexName"]
            if name not in table.global_indexes:
                raise errors.ResourceNotFoundException(f"Requested resource not found: Index: {name} not found")
            if update["Update"].get("ProvisionedThroughput"):
                updated.append((table.global_indexes[name], dict(update["Update"]["ProvisionedThroughput"])))
    if len(table.global_indexes) + len(new_indexes) - len(dropped) > MAX_GSIS:
        raise validation(f"One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the "
                         f"per-table limit of {MAX_GSIS}")
    replica_work = _replica_updates(ctx, table, request.get("ReplicaUpdates") or [])
    # Everything is checked: apply.
    for work in replica_work:
        ctx.after_commit(work)
    if throughput is not None and billing == "PROVISIONED":
        old_read = table.throughput.get("ReadCapacityUnits", 0)
        if throughput["ReadCapacityUnits"] > old_read or throughput["WriteCapacityUnits"] > table.throughput.get(
                "WriteCapacityUnits", 0):
            table.throughput_increased = now
        else:
            table.throughput_decreased = now
        table.throughput = dict(throughput)
    if billing != table.billing_mode:
        table.billing_mode = billing
        if billing == "PAY_PER_REQUEST":
            table.throughput = {}
            for index in table.global_indexes.values():
                index.throughput = None
    if stream is not None:
        if stream.get("StreamEnabled"):
            table.stream_specification = stream
            table.stream_label = _stream_label(ctx)
            table.stream_records = []
        else:
            table.stream_specification = None
    for index in new_indexes:
        table.global_indexes[index.name] = index
        table.rebuild_index(index)
    for name in dropped:
        del table.global_indexes[name]
    for index, values in updated:
        index.throughput = values
    used = set(table.schema.names)
    for index in table.indexes():
        used.update(index.schema.names)
    table.attribute_definitions = [{"AttributeName": n, "AttributeType": t} for n, t in definitions.items()
                                   if n in used]
    if request.get("DeletionProtectionEnabled") is not None:
        table.deletion_protection = bool(request["DeletionProtectionEnabled"])
    if request.get("TableClass") is not None:
        table.table_class = request["TableClass"]
    if request.get("SSESpecification") is not None:
        table.sse_specification = dict(request["SSESpecification"])
    return {"TableDescription": describe(table)}


# -- global tables (version 2019.11.21) ----------------------------------------------------------------
def _replica_updates(ctx: DynamoContext, table: Table, updates: list[dict[str, Any]]) -> list[Callable[[], None]]:
    """Check ReplicaUpdates and return the work that creates or deletes replicas in the other
    regions (run after commit: each region is its own scope)."""
    work: list[Callable[[], None]] = []
    account, home = ctx.scope.account, ctx.scope.region
    for update in updates:
        if "Create" in update:
            region = update["Create"]["RegionName"]
            if region == home or region in table.replicas:
                raise validation(f"Failed to create a the new replica of table with name: '{table.name}' because "
                                 "one or more replicas already existed as tables.")
            arn = build_arn("dynamodb", region, account, f"table/{table.name}")
            replica = table.clone(table.name, arn, table.table_id, ctx.clock.time(), table.all_items())
            if table.stream_specification is not None:
                replica.stream_specification = dict(table.stream_specification)
                replica.stream_label = _stream_label(ctx)
            peers = (home, *table.replicas)
            table.replicas.append(region)
            work.append(functools.partial(_create_replica, ctx.service, account, region, replica, peers))
        elif "Delete" in update:
            region = update["Delete"]["RegionName"]
            if region not in table.replicas:
                raise errors.ReplicaNotFoundException(f"Replica not found: {region}")
            table.replicas.remove(region)
            work.append(functools.partial(_delete_replica, ctx.service, account, region, table.name,
                                          (home, *table.replicas)))
        else:
            raise validation("Only Create and Delete replica updates are supported")
    return work


def _create_replica(service: DynamoDbService, account: str, region: str, replica: Table,
                    peers: tuple[str, ...]) -> None:
    scope = service.backends.scope(account, region)
    with scope.lock:
        if replica.name in scope.backend.tables:
            return
        replica.replicas = list(peers)
        scope.backend.tables[replica.name] = replica
    service.notify_state_changed(account, region, "UpdateTable")
    for peer in peers[1:]:  # the table itself already lists the new region
        other = service.backends.existing(account, peer)
        if other is None:
            continue
        with other.lock:
            table = other.backend.tables.get(replica.name)
            if table is not None and region not in table.replicas:
                table.replicas.append(region)


def _delete_replica(service: DynamoDbService, account: str, region: str, name: str, peers: tuple[str, ...]) -> None:
    scope = service.backends.existing(account, region)
    if scope is not None:
        with scope.lock:
            scope.backend.tables.pop(name, None)
        service.notify_state_changed(account, region, "UpdateTable")
    _forget_region(service, account, peers[1:], name, region)


def _forget_region(service: DynamoDbService, account: str, peers: tuple[str, ...], name: str, region: str) -> None:
    for peer in peers:
        other = service.backends.existing(account, peer)
        if other is None:
            continue
        with other.lock:
            table = other.backend.tables.get(name)
            if table is not None and region in table.replicas:
                table.replicas.remove(region)


@ops.operation
def describe_limits(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


@ops.operation
def describe_endpoints(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Endpoints": [{"Address": f"dynamodb.{ctx.region}.amazonaws.com", "CachePeriodInMinutes": 1440}]}


# -- tags -------------------------------------------------------------------------------------------
def _table_by_arn(ctx: DynamoContext, arn: str) -> Table:
    table = ctx.state.tables.get(table_name_of(ctx, arn))
    if table is None or table.arn != arn:
        raise errors.ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")
    return table


@ops.operation
def tag_resource(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table_by_arn(ctx, request["ResourceArn"])
    tagging.tag(table.tags, tagging.from_list(request["Tags"]), TAG_RULES)
    return {}


@ops.operation
def untag_resource(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table_by_arn(ctx, request["ResourceArn"])
    tagging.untag(table.tags, request["TagKeys"], TAG_RULES)
    return {}


@ops.operation
def list_tags_of_resource(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table_by_arn(ctx, request["ResourceArn"])
    return {"Tags": tagging.to_list(table.tags)}


# -- time to live -----------------------------------------------------------------------------------
@ops.operation
def update_time_to_live(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"])
    spec = request["TimeToLiveSpecification"]
    enabled, attribute = bool(spec["Enabled"]), spec["AttributeName"]
    if enabled and table.ttl_enabled:
        raise validation("TimeToLive is already enabled")
    if not enabled and not table.ttl_enabled:
        raise validation("TimeToLive is already disabled")
    if not enabled and attribute != table.ttl_attribute:
        raise validation("TimeToLive is active on a different AttributeName: current AttributeName is "
                         f"{table.ttl_attribute}")
    table.ttl_enabled, table.ttl_attribute = enabled, attribute
    table.schedule_all()
    return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}


@ops.operation
def describe_time_to_live(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"], describe=True)
    if not table.ttl_enabled:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl_attribute}}


# -- point-in-time recovery settings ----------------------------------------------------------------
def _continuous_backups(ctx: DynamoContext, table: Table) -> dict[str, Any]:
    pitr: dict[str, Any] = {"PointInTimeRecoveryStatus": "ENABLED" if table.pitr_enabled else "DISABLED"}
    if table.pitr_enabled and table.pitr_enabled_at is not None:
        pitr["EarliestRestorableDateTime"] = earliest_restorable(ctx, table)
        pitr["LatestRestorableDateTime"] = ctx.clock.time()
        pitr["RecoveryPeriodInDays"] = 35
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}


def earliest_restorable(ctx: DynamoContext, table: Table) -> float:
    return max(table.pitr_enabled_at or 0.0, ctx.clock.time() - PITR_WINDOW)


def _backups_table(ctx: DynamoContext, name: str) -> Table:
    table = ctx.state.tables.get(table_name_of(ctx, name))
    if table is None:
        raise errors.TableNotFoundException(f"Table not found: {name}")
    return table


@ops.operation
def describe_continuous_backups(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"ContinuousBackupsDescription": _continuous_backups(ctx, _backups_table(ctx, request["TableName"]))}


@ops.operation
def update_continuous_backups(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _backups_table(ctx, request["TableName"])
    enabled = bool(request["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])
    if enabled and not table.pitr_enabled:
        table.pitr_enabled_at = ctx.clock.time()
    if not enabled:
        table.pitr_enabled_at, table.history = None, []
    table.pitr_enabled = enabled
    return {"ContinuousBackupsDescription": _continuous_backups(ctx, table)}

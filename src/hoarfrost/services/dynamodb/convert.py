"""Between DynamoDbBackend and DynamoDbStateView (views.py), both ways, and the merge rule."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, overload

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.views import StateViewError
from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.state import Backup, DynamoDbBackend, Index, KeySchema, StreamRecord, Table
from hoarfrost.services.dynamodb.values import Item
from hoarfrost.services.dynamodb.views import (
    BackupView,
    DynamoDbStateView,
    HistoryEntryView,
    IndexView,
    KeyElementView,
    StreamRecordView,
    TableView,
    ThroughputView,
)

UTC = dt.UTC


def _when(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, UTC)


def _epoch(moment: dt.datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


# -- items: binary as base64 ------------------------------------------------------------------------
def value_to_json(value: dict[str, Any]) -> dict[str, Any]:
    (kind, data), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(data).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode("ascii") for b in data]}
    if kind == "L":
        return {"L": [value_to_json(v) for v in data]}
    if kind == "M":
        return {"M": {k: value_to_json(v) for k, v in data.items()}}
    return value


def value_from_json(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(f"not an attribute value: {value!r}")
    (kind, data), = value.items()
    if kind == "B":
        return {"B": base64.b64decode(data)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in data]}
    if kind == "L":
        return {"L": [value_from_json(v) for v in data]}
    if kind == "M":
        return {"M": {k: value_from_json(v) for k, v in data.items()}}
    if kind not in av.TYPES:
        raise ValueError(f"unknown attribute value type {kind!r}")
    return {kind: data}


@overload
def item_to_json(item: Item) -> dict[str, Any]: ...


@overload
def item_to_json(item: None) -> None: ...


def item_to_json(item: Item | None) -> dict[str, Any] | None:
    return None if item is None else {name: value_to_json(value) for name, value in item.items()}


def item_from_json(item: dict[str, Any]) -> Item:
    try:
        return av.check_item({name: value_from_json(value) for name, value in item.items()})
    except ServiceError as error:
        raise ValueError(error.message) from None


# -- to the view ------------------------------------------------------------------------------------
def _keys(schema: KeySchema) -> list[KeyElementView]:
    return [KeyElementView(attribute_name=e["AttributeName"], key_type=e["KeyType"])  # type: ignore[arg-type]
            for e in schema.elements()]


def _throughput(values: dict[str, int] | None) -> ThroughputView | None:
    if not values:
        return None
    return ThroughputView(read_capacity_units=values["ReadCapacityUnits"],
                          write_capacity_units=values["WriteCapacityUnits"])


def _index_view(index: Index) -> IndexView:
    return IndexView(index_name=index.name, key_schema=_keys(index.schema),
                     projection_type=index.projection.get("ProjectionType", "ALL"),
                     non_key_attributes=index.projection.get("NonKeyAttributes"),
                     provisioned_throughput=_throughput(index.throughput))


def table_view(table: Table) -> TableView:
    spec = table.stream_specification or {}
    definitions: dict[str, Any] = {d["AttributeName"]: d["AttributeType"] for d in table.attribute_definitions}
    return TableView(
        table_name=table.name, table_id=table.table_id, key_schema=_keys(table.schema),
        attribute_definitions=definitions,  # pydantic checks each type is S, N or B
        billing_mode=table.billing_mode,  # type: ignore[arg-type]
        provisioned_throughput=_throughput(table.throughput),
        global_secondary_indexes=[_index_view(i) for i in table.global_indexes.values()],
        local_secondary_indexes=[_index_view(i) for i in table.local_indexes.values()],
        stream_view_type=spec.get("StreamViewType") if spec.get("StreamEnabled") else None,
        stream_label=table.stream_label, stream_sequence=table.stream_sequence,
        stream_records=[StreamRecordView(
            sequence_number=r.sequence_number, event_name=r.event_name, created=_when(r.created),  # type: ignore
            keys=item_to_json(r.keys), new_image=item_to_json(r.new_image), old_image=item_to_json(r.old_image),
            size_bytes=r.size, user_identity=r.user_identity) for r in table.stream_records],
        time_to_live_attribute=table.ttl_attribute, time_to_live_enabled=table.ttl_enabled,
        tags=dict(table.tags), deletion_protection_enabled=table.deletion_protection,
        table_class=table.table_class,  # type: ignore[arg-type]
        point_in_time_recovery_enabled=table.pitr_enabled,
        point_in_time_recovery_since=_when(table.pitr_enabled_at) if table.pitr_enabled_at is not None else None,
        point_in_time_history=[HistoryEntryView(at=_when(at), key=item_to_json(key),
                                                old_image=item_to_json(old)) for at, key, old in table.history],
        resource_policy=table.resource_policy, resource_policy_revision=table.resource_policy_revision,
        replica_regions=list(table.replicas), created=_when(table.created),
        items=[item_to_json(item) for _h, _s, item, _size in table.items.scan()],
    )


def to_view(backend: DynamoDbBackend) -> DynamoDbStateView:
    return DynamoDbStateView(
        tables=[table_view(table) for table in backend.tables.values()],
        backups=[BackupView(backup_arn=b.arn, backup_name=b.name, created=_when(b.created), table=table_view(b.table))
                 for b in backend.backups.values()],
        exports=[dict(e) for e in backend.exports.values()],
        imports=[dict(i) for i in backend.imports.values()],
    )


# -- from the view ----------------------------------------------------------------------------------
def _schema(elements: list[KeyElementView], definitions: Mapping[str, str], where: str) -> KeySchema:
    if not elements or elements[0].key_type != "HASH" or len(elements) > 2 or (
            len(elements) == 2 and elements[1].key_type != "RANGE"):
        raise ValueError(f"{where}: a key schema is a HASH element and optionally a RANGE element")
    for element in elements:
        if element.attribute_name not in definitions:
            raise ValueError(f"{where}: key attribute {element.attribute_name!r} has no attribute definition")
    schema = KeySchema(elements[0].attribute_name, definitions[elements[0].attribute_name])
    if len(elements) == 2:
        schema.range_key = elements[1].attribute_name
        schema.range_type = definitions[schema.range_key]
    return schema


def _index(view: IndexView, definitions: Mapping[str, str], table_arn: str, is_global: bool) -> Index:
    projection: dict[str, Any] = {"ProjectionType": view.projection_type}
    if view.non_key_attributes:
        projection["NonKeyAttributes"] = list(view.non_key_attributes)
    throughput = view.provisioned_throughput
    return Index(name=view.index_name, schema=_schema(view.key_schema, definitions, view.index_name),
                 projection=projection, is_global=is_global, arn=f"{table_arn}/index/{view.index_name}",
                 throughput={"ReadCapacityUnits": throughput.read_capacity_units,
                             "WriteCapacityUnits": throughput.write_capacity_units} if throughput else None)


def table_from_view(view: TableView, account: str, region: str, now: float) -> Table:
    definitions = dict(view.attribute_definitions)
    arn = build_arn("dynamodb", region, account, f"table/{view.table_name}")
    schema = _schema(view.key_schema, definitions, view.table_name)
    throughput = view.provisioned_throughput
    if view.billing_mode == "PROVISIONED" and throughput is None:
        raise ValueError(f"{view.table_name}: a PROVISIONED table needs provisioned_throughput")
    table = Table(
        name=view.table_name, arn=arn, table_id=view.table_id or str(uuid.uuid4()), schema=schema,
        attribute_definitions=[{"AttributeName": n, "AttributeType": t} for n, t in definitions.items()],
        created=_epoch(view.created) if view.created else now, billing_mode=view.billing_mode,
        throughput={"ReadCapacityUnits": throughput.read_capacity_units,
                    "WriteCapacityUnits": throughput.write_capacity_units} if throughput else {},
        global_indexes={i.index_name: _index(i, definitions, arn, True) for i in view.global_secondary_indexes},
        local_indexes={i.index_name: _index(i, definitions, arn, False) for i in view.local_secondary_indexes},
        stream_specification={"StreamEnabled": True, "StreamViewType": view.stream_view_type}
        if view.stream_view_type else None,
        stream_label=view.stream_label, stream_sequence=view.stream_sequence,
        ttl_attribute=view.time_to_live_attribute, ttl_enabled=view.time_to_live_enabled, tags=dict(view.tags),
        deletion_protection=view.deletion_protection_enabled, table_class=view.table_class,
        pitr_enabled=view.point_in_time_recovery_enabled,
        pitr_enabled_at=_epoch(view.point_in_time_recovery_since) if view.point_in_time_recovery_since else None,
        resource_policy=view.resource_policy, resource_policy_revision=view.resource_policy_revision,
        replicas=list(view.replica_regions),
    )
    table.stream_records = [StreamRecord(
        sequence_number=r.sequence_number, event_name=r.event_name, created=_epoch(r.created),
        keys=item_from_json(r.keys), new_image=item_from_json(r.new_image) if r.new_image is not None else None,
        old_image=item_from_json(r.old_image) if r.old_image is not None else None, size=r.size_bytes,
        user_identity=r.user_identity) for r in view.stream_records]
    table.history = [(_epoch(entry.at), item_from_json(entry.key),
                      item_from_json(entry.old_image) if entry.old_image is not None else None)
                     for entry in view.point_in_time_history]
    for raw in view.items:
        item = item_from_json(raw)
        for name, kind in ((schema.hash_key, schema.hash_type), (schema.range_key, schema.range_type)):
            if name is not None and (name not in item or av.type_of(item[name]) != kind):
                raise ValueError(f"{view.table_name}: an item lacks key attribute {name!r} of type {kind}")
        if table.get(table.key_of(item)) is not None:
            raise ValueError(f"{view.table_name}: two items have the key {table.key_item(item)}")
        table.put(item)
    table.schedule_all()
    return table


def from_view(view: DynamoDbStateView, account: str, region: str, now: float) -> DynamoDbBackend:
    backend = DynamoDbBackend(account, region)
    for table_view_ in view.tables:
        if table_view_.table_name in backend.tables:
            raise StateViewError("invalid", f"dynamodb: table {table_view_.table_name!r} appears twice")
        backend.tables[table_view_.table_name] = table_from_view(table_view_, account, region, now)
    for backup_view in view.backups:
        table = table_from_view(backup_view.table, account, region, now)
        backend.backups[backup_view.backup_arn] = Backup(
            arn=backup_view.backup_arn, name=backup_view.backup_name, table_name=table.name, table_arn=table.arn,
            table_id=table.table_id, created=_epoch(backup_view.created), table=table, size=table.items.bytes)
    for export in view.exports:
        if not isinstance(export.get("ExportArn"), str):
            raise ValueError("an export record needs its ExportArn")
        backend.exports[export["ExportArn"]] = dict(export)
    for record in view.imports:
        if not isinstance(record.get("ImportArn"), str):
            raise ValueError("an import record needs its ImportArn")
        backend.imports[record["ImportArn"]] = dict(record)
    return backend


def merge(target: DynamoDbBackend, source: DynamoDbBackend) -> None:
    for name, table in source.tables.items():
        existing = target.tables.get(name)
        if existing is None or existing.schema != table.schema:
            target.tables[name] = table
            continue
        items = [item for _h, _s, item, _size in existing.items.scan()]
        keys = {table.key_of(item) for _h, _s, item, _size in table.items.scan()}
        for item in items:
            if table.key_of(item) not in keys:
                table.put(item)
        table.schedule_all()
        target.tables[name] = table
    target.backups.update(source.backups)
    target.exports.update(source.exports)
    target.imports.update(source.imports)

"""What follows an item change, besides the write: the table's stream record (kept 24 hours),
its point-in-time-recovery history (35 days), and replication to a global table's replicas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.state import StreamRecord, Table
from hoarfrost.services.dynamodb.values import Item

if TYPE_CHECKING:
    from hoarfrost.services.dynamodb.service import DynamoDbService

STREAM_RETENTION = 24 * 3600.0
PITR_WINDOW = 35 * 24 * 3600.0
SERVICE_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def stream_enabled(table: Table) -> bool:
    spec = table.stream_specification
    return bool(spec and spec.get("StreamEnabled"))


def record(table: Table, old: Item | None, new: Item | None, now: float, *, ttl: bool = False) -> None:
    """The stream record and PITR history entry of one change (each only when enabled)."""
    source = new if new is not None else old
    if source is None:
        return
    if table.pitr_enabled:
        table.history.append((now, table.key_item(source), old))
        horizon = now - PITR_WINDOW
        if table.history[0][0] < horizon:
            del table.history[:next((i for i, h in enumerate(table.history) if h[0] >= horizon), 0)]
    if not stream_enabled(table):
        return
    records = table.stream_records
    cutoff = now - STREAM_RETENTION
    if records and records[0].created < cutoff:
        keep = next((i for i, r in enumerate(records) if r.created >= cutoff), len(records))
        del records[:keep]
    table.stream_sequence += 1
    event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    view_type = (table.stream_specification or {}).get("StreamViewType", "NEW_AND_OLD_IMAGES")
    keep_new = new if view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None
    keep_old = old if view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None
    keys = table.key_item(source)
    size = av.item_size(keys) + (av.item_size(keep_new) if keep_new else 0) + (
        av.item_size(keep_old) if keep_old else 0)
    records.append(StreamRecord(
        sequence_number=f"{table.stream_sequence:021d}", event_name=event, created=now, keys=keys,
        new_image=keep_new, old_image=keep_old, size=size, user_identity=dict(SERVICE_IDENTITY) if ttl else None,
    ))


def replicate(service: DynamoDbService, account: str, regions: tuple[str, ...], table_name: str, key: Item,
              new: Item | None, now: float) -> None:
    """Apply one change of a global table in its replicas' regions (after the writer's lock is
    released; each replica's scope locked in turn). The last writer wins, as in DynamoDB."""
    for region in regions:
        scope = service.backends.existing(account, region)
        if scope is None:
            continue
        with scope.lock:
            table = scope.backend.tables.get(table_name)
            if table is None:
                continue
            place = table.key_of(key)
            old = table.get(place)
            if new is None:
                if old is None:
                    continue
                table.remove(place)
            else:
                table.put(new)
            record(table, old, new, now)
        service.notify_state_changed(account, region, "Replication")

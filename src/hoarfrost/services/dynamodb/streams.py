"""Tables' streams as the core port's ``StreamSource``: how DynamoDB Streams (its own service
package) and later Lambda read the records handlers append (handlers.common.record_change),
without importing this package. Each call takes the table's scope lock."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import ChangeStream
from hoarfrost.services.dynamodb.changes import stream_enabled
from hoarfrost.services.dynamodb.state import StreamRecord, Table

if TYPE_CHECKING:
    from hoarfrost.services.dynamodb.service import DynamoDbService


def stream_arn(table: Table) -> str | None:
    return f"{table.arn}/stream/{table.stream_label}" if table.stream_label else None


def _record(table: Table, record: StreamRecord, region: str) -> dict[str, Any]:
    view_type = (table.stream_specification or {}).get("StreamViewType", "NEW_AND_OLD_IMAGES")
    data: dict[str, Any] = {
        "ApproximateCreationDateTime": dt.datetime.fromtimestamp(int(record.created), dt.UTC),
        "Keys": record.keys, "SequenceNumber": record.sequence_number, "SizeBytes": record.size,
        "StreamViewType": view_type,
    }
    if record.new_image is not None:
        data["NewImage"] = record.new_image
    if record.old_image is not None:
        data["OldImage"] = record.old_image
    output: dict[str, Any] = {
        "eventID": f"{table.table_id[:8]}{int(record.sequence_number):024x}", "eventName": record.event_name,
        "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": region, "dynamodb": data,
    }
    if record.user_identity is not None:
        output["userIdentity"] = {"Type": record.user_identity["type"],
                                  "PrincipalId": record.user_identity["principalId"]}
    return output


class TableStreams:
    """The port's view of every table stream of one emulator's DynamoDB."""

    def __init__(self, service: DynamoDbService) -> None:
        self.service = service

    def _describe(self, table: Table) -> ChangeStream:
        records = table.stream_records
        spec = table.stream_specification or {}
        return ChangeStream(
            arn=stream_arn(table) or "", label=table.stream_label or "",
            status="ENABLED" if stream_enabled(table) else "DISABLED",
            view_type=spec.get("StreamViewType", "NEW_AND_OLD_IMAGES"), source_name=table.name,
            key_schema=tuple(table.schema.elements()), created=table.created,
            first_sequence=records[0].sequence_number if records else None,
            last_sequence=records[-1].sequence_number if records else None,
        )

    def list_streams(self, account: str, region: str) -> list[ChangeStream]:
        scope = self.service.backends.existing(account, region)
        if scope is None:
            return []
        with scope.lock:
            return [self._describe(t) for t in scope.backend.tables.values() if t.stream_label is not None]

    def _locate(self, arn_text: str) -> tuple[Any, str, str] | None:
        arn = try_parse_arn(arn_text)
        if arn is None or arn.service != "dynamodb":
            return None
        parts = arn.resource.split("/")
        if len(parts) != 4 or parts[0] != "table" or parts[2] != "stream":
            return None
        scope = self.service.backends.existing(arn.account, arn.region)
        return (scope, parts[1], parts[3]) if scope is not None else None

    def stream(self, stream_arn_text: str) -> ChangeStream | None:
        found = self._locate(stream_arn_text)
        if found is None:
            return None
        scope, name, label = found
        with scope.lock:
            table = scope.backend.tables.get(name)
            if table is None or table.stream_label != label:
                return None
            return self._describe(table)

    def records(self, stream_arn_text: str, after: str | None, limit: int) -> list[dict[str, Any]] | None:
        found = self._locate(stream_arn_text)
        if found is None:
            return None
        scope, name, label = found
        with scope.lock:
            table = scope.backend.tables.get(name)
            if table is None or table.stream_label != label:
                return None
            records = table.stream_records
            start = 0
            if after is not None:
                # Sequence numbers are fixed-width, so text order is their order.
                low, high = 0, len(records)
                while low < high:
                    middle = (low + high) // 2
                    if records[middle].sequence_number <= after:
                        low = middle + 1
                    else:
                        high = middle
                start = low
            return [_record(table, r, scope.region) for r in records[start:start + limit]]

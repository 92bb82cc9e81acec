"""DynamoDbStateView: one account/region of DynamoDB as plain, typed data.

A view holds every table with its key schema, attribute definitions, billing, indexes, stream
settings and retained stream records, TTL, tags and protection settings, and its items in
DynamoDB JSON (``{"id": {"S": "a"}}``; binary values in base64). It also holds on-demand
backups with the items they captured.

Merge (the rule every service follows): a table whose name exists takes the view's settings,
and its items merge by primary key (an item in the view replaces the one with its key, others
stay); if the view gives the table another key schema, the view's table replaces it whole.
Tables and backups not in the view are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from hoarfrost.core.views import StateView, ViewModel


class KeyElementView(ViewModel):
    attribute_name: str
    key_type: Literal["HASH", "RANGE"]


class ThroughputView(ViewModel):
    read_capacity_units: int
    write_capacity_units: int


class IndexView(ViewModel):
    """A global or local secondary index (its items follow from the table's)."""

    index_name: str
    key_schema: list[KeyElementView]
    projection_type: Literal["ALL", "KEYS_ONLY", "INCLUDE"] = "ALL"
    non_key_attributes: list[str] | None = None
    provisioned_throughput: ThroughputView | None = None


class StreamRecordView(ViewModel):
    """A retained stream record; images in DynamoDB JSON."""

    sequence_number: str
    event_name: Literal["INSERT", "MODIFY", "REMOVE"]
    created: datetime
    keys: dict[str, Any]
    new_image: dict[str, Any] | None = None
    old_image: dict[str, Any] | None = None
    size_bytes: int = 0
    user_identity: dict[str, str] | None = None


class HistoryEntryView(ViewModel):
    """One change remembered for point-in-time recovery: the item's key and what it was before."""

    at: datetime
    key: dict[str, Any]
    old_image: dict[str, Any] | None = None


class TableView(ViewModel):
    """A table with its settings and items."""

    table_name: str
    table_id: str | None = None
    key_schema: list[KeyElementView]
    attribute_definitions: dict[str, Literal["S", "N", "B"]]
    billing_mode: Literal["PROVISIONED", "PAY_PER_REQUEST"] = "PAY_PER_REQUEST"
    provisioned_throughput: ThroughputView | None = None
    global_secondary_indexes: list[IndexView] = Field(default_factory=list)
    local_secondary_indexes: list[IndexView] = Field(default_factory=list)
    stream_view_type: Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"] | None = None
    stream_label: str | None = None
    stream_sequence: int = 0
    stream_records: list[StreamRecordView] = Field(default_factory=list)
    time_to_live_attribute: str | None = None
    time_to_live_enabled: bool = False
    tags: dict[str, str] = Field(default_factory=dict)
    deletion_protection_enabled: bool = False
    table_class: Literal["STANDARD", "STANDARD_INFREQUENT_ACCESS"] = "STANDARD"
    point_in_time_recovery_enabled: bool = False
    point_in_time_recovery_since: datetime | None = None
    point_in_time_history: list[HistoryEntryView] = Field(default_factory=list)
    resource_policy: str | None = None
    resource_policy_revision: str | None = None
    replica_regions: list[str] = Field(default_factory=list)
    # Left out, the table was created when it is restored.
    created: datetime | None = None
    items: list[dict[str, Any]] = Field(default_factory=list)


class BackupView(ViewModel):
    """An on-demand backup: the table as it was (settings and items)."""

    backup_arn: str
    backup_name: str
    created: datetime
    table: TableView


class DynamoDbStateView(StateView):
    """DynamoDB in one account/region: tables (in creation order), backups, and the records of
    exports and imports (their ExportDescription / ImportTableDescription as DynamoDB answers
    them, times in epoch seconds; the exported data itself is in S3's view)."""

    tables: list[TableView] = Field(default_factory=list)
    backups: list[BackupView] = Field(default_factory=list)
    exports: list[dict[str, Any]] = Field(default_factory=list)
    imports: list[dict[str, Any]] = Field(default_factory=list)

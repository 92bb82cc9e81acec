"""DynamoDB's internal state: tables holding items, kept for fast key look-ups and queries.

A table's items live in an ``ItemStore``: partitions by partition-key value, each holding its
items in a dict by sort-key value plus the sort keys in a sorted list, so GetItem is two dict
look-ups and a Query is a bisect plus the page it returns (O(log n + page)). Secondary indexes
are ItemStores of their own over the same item dicts (an index holds references, projection
is applied when it answers), maintained on every write at O(log n). Partitions are also
listed in the order of a hash of their key, which is the order Scan walks and parallel scan
segments divide.

Items are never mutated in place (see values.py), so the same dict can sit in the table and
its indexes, and in an answer already on its way out.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hoarfrost.services.dynamodb.values import Item, format_number, item_size, key_value

KeyValue = Any  # Decimal | str | bytes
SortKey = Any  # KeyValue, None (no sort key), or a tuple for an index


def partition_token(value: KeyValue) -> tuple[bytes, Any]:
    """Where a partition sits in scan order: a hash of its key (then the key itself)."""
    if isinstance(value, Decimal):
        raw = b"N" + format_number(value).encode()
    elif isinstance(value, bytes):
        raw = b"B" + value
    else:
        raw = b"S" + value.encode("utf-8")
    return hashlib.md5(raw).digest()[:8], raw


class Partition:
    """The items of one partition-key value, in sort-key order."""

    __slots__ = ("keys", "items", "sizes")

    def __init__(self) -> None:
        self.keys: list[SortKey] = []
        self.items: dict[SortKey, Item] = {}
        self.sizes: dict[SortKey, int] = {}

    def put(self, sort: SortKey, item: Item, size: int) -> Item | None:
        old = self.items.get(sort)
        if old is None:
            if not self.keys or self.keys[-1] < sort:
                self.keys.append(sort)
            else:
                bisect.insort(self.keys, sort)
        self.items[sort] = item
        self.sizes[sort] = size
        return old

    def remove(self, sort: SortKey) -> Item | None:
        old = self.items.pop(sort, None)
        if old is not None:
            if len(self.keys) == 1:  # also a table without sort key (its one key is None)
                self.keys.clear()
            else:
                del self.keys[bisect.bisect_left(self.keys, sort)]
            del self.sizes[sort]
        return old


class ItemStore:
    """Partitions by key value, plus their scan order."""

    __slots__ = ("partitions", "tokens", "count", "bytes")

    def __init__(self) -> None:
        self.partitions: dict[KeyValue, Partition] = {}
        self.tokens: list[tuple[tuple[bytes, Any], KeyValue]] = []
        self.count = 0
        self.bytes = 0

    def get(self, hash_value: KeyValue, sort: SortKey) -> Item | None:
        partition = self.partitions.get(hash_value)
        return partition.items.get(sort) if partition is not None else None

    def put(self, hash_value: KeyValue, sort: SortKey, item: Item, size: int) -> Item | None:
        partition = self.partitions.get(hash_value)
        if partition is None:
            partition = self.partitions[hash_value] = Partition()
            bisect.insort(self.tokens, (partition_token(hash_value), hash_value))
        old_size = partition.sizes.get(sort, 0)
        old = partition.put(sort, item, size)
        if old is None:
            self.count += 1
        self.bytes += size - old_size
        return old

    def remove(self, hash_value: KeyValue, sort: SortKey) -> Item | None:
        partition = self.partitions.get(hash_value)
        if partition is None:
            return None
        size = partition.sizes.get(sort, 0)
        old = partition.remove(sort)
        if old is not None:
            self.count -= 1
            self.bytes -= size
            if not partition.items:
                del self.partitions[hash_value]
                entry = (partition_token(hash_value), hash_value)
                del self.tokens[bisect.bisect_left(self.tokens, entry)]
        return old

    def scan(self, start: tuple[KeyValue, SortKey] | None = None, segment: int = 0,
             total_segments: int = 1) -> Iterator[tuple[KeyValue, SortKey, Item, int]]:
        """Every item in scan order, after ``start`` (hash value, sort key) when given, within one
        segment of a parallel scan."""
        tokens = self.tokens
        low = (segment * 2**64) // total_segments
        high = ((segment + 1) * 2**64) // total_segments
        if start is not None:
            first = bisect.bisect_left(tokens, (partition_token(start[0]), start[0]))
        else:
            first = bisect.bisect_left(tokens, ((low.to_bytes(8, "big"), b""),))
        for position in range(first, len(tokens)):
            token, hash_value = tokens[position]
            if int.from_bytes(token[0], "big") >= high:
                return
            partition = self.partitions[hash_value]
            keys = partition.keys
            begin = 0
            if start is not None and hash_value == start[0]:
                begin = bisect.bisect_right(keys, start[1]) if start[1] is not None else len(keys)
            for sort in keys[begin:]:
                yield hash_value, sort, partition.items[sort], partition.sizes[sort]


@dataclass(slots=True)
class KeySchema:
    """A table's or index's key: attribute names and their scalar types."""

    hash_key: str
    hash_type: str
    range_key: str | None = None
    range_type: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)

    def elements(self) -> list[dict[str, str]]:
        elements = [{"AttributeName": self.hash_key, "KeyType": "HASH"}]
        if self.range_key is not None:
            elements.append({"AttributeName": self.range_key, "KeyType": "RANGE"})
        return elements


@dataclass(slots=True, eq=False)
class Index:
    """A global or local secondary index: its key, projection, and its own ItemStore."""

    name: str
    schema: KeySchema
    projection: dict[str, Any]  # ProjectionType and NonKeyAttributes, as the request gave them
    is_global: bool
    arn: str
    throughput: dict[str, int] | None = None
    store: ItemStore = field(default_factory=ItemStore)

    def sort_of(self, item: Item, table: KeySchema) -> tuple[KeyValue, SortKey] | None:
        """(partition value, sort tuple) the item files under here, None when it lacks a key
        attribute (a sparse index leaves it out) or has it with another type."""
        schema = self.schema
        hash_attr = item.get(schema.hash_key)
        if hash_attr is None or schema.hash_type not in hash_attr:
            return None
        sort: tuple[Any, ...] = ()
        if schema.range_key is not None:
            range_attr = item.get(schema.range_key)
            if range_attr is None or schema.range_type not in range_attr:
                return None
            sort = (key_value(range_attr),)
        sort += tuple(key_value(item[name]) for name in table.names)
        return key_value(hash_attr), sort

    def projected_names(self, table: KeySchema) -> set[str] | None:
        """The attributes the index holds; None for ALL."""
        kind = self.projection.get("ProjectionType", "ALL")
        if kind == "ALL":
            return None
        names = set(table.names) | set(self.schema.names)
        if kind == "INCLUDE":
            names.update(self.projection.get("NonKeyAttributes", ()))
        return names


@dataclass(slots=True, eq=False)
class StreamRecord:
    """One change on a table with a stream: what DynamoDB Streams' GetRecords answers."""

    sequence_number: str
    event_name: str  # INSERT, MODIFY, REMOVE
    created: float
    keys: Item
    new_image: Item | None
    old_image: Item | None
    size: int
    user_identity: dict[str, str] | None = None


@dataclass(slots=True, eq=False)
class Table:
    """A table: its settings as DescribeTable shows them, its items and indexes."""

    name: str
    arn: str
    table_id: str
    schema: KeySchema
    attribute_definitions: list[dict[str, str]]
    created: float
    billing_mode: str = "PROVISIONED"
    throughput: dict[str, int] = field(default_factory=dict)
    throughput_decreased: float | None = None
    throughput_increased: float | None = None
    global_indexes: dict[str, Index] = field(default_factory=dict)
    local_indexes: dict[str, Index] = field(default_factory=dict)
    stream_specification: dict[str, Any] | None = None
    stream_label: str | None = None
    stream_records: list[StreamRecord] = field(default_factory=list)
    stream_sequence: int = 0
    ttl_attribute: str | None = None
    ttl_enabled: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    deletion_protection: bool = False
    table_class: str = "STANDARD"
    sse_specification: dict[str, Any] | None = None
    pitr_enabled: bool = False
    pitr_enabled_at: float | None = None
    # While point-in-time recovery is on: (time, key item, item before the change or None),
    # oldest first, so a restore to time T undoes the changes after T.
    history: list[tuple[float, Item, Item | None]] = field(default_factory=list)
    resource_policy: str | None = None
    resource_policy_revision: str | None = None
    replicas: list[str] = field(default_factory=list)  # a global table's other regions
    items: ItemStore = field(default_factory=ItemStore)
    # (expiry, hash value token, hash value, sort key): TTL deletions due, earliest first
    expiries: list[tuple[float, tuple[bytes, Any], SortKey]] = field(default_factory=list)

    # -- keys ----------------------------------------------------------------------------------
    def key_of(self, item: Item) -> tuple[KeyValue, SortKey]:
        schema = self.schema
        sort = None if schema.range_key is None else key_value(item[schema.range_key])
        return key_value(item[schema.hash_key]), sort

    def key_item(self, item: Item) -> Item:
        return {name: item[name] for name in self.schema.names}

    def indexes(self) -> Iterator[Index]:
        yield from self.global_indexes.values()
        yield from self.local_indexes.values()

    def index(self, name: str) -> Index | None:
        return self.global_indexes.get(name) or self.local_indexes.get(name)

    # -- writes --------------------------------------------------------------------------------
    def get(self, key: tuple[KeyValue, SortKey]) -> Item | None:
        return self.items.get(key[0], key[1])

    def put(self, item: Item, size: int | None = None) -> Item | None:
        """Store ``item`` (already checked), replacing the one with its key; the old one."""
        hash_value, sort = self.key_of(item)
        size = item_size(item) if size is None else size
        old = self.items.put(hash_value, sort, item, size)
        for index in self.indexes():
            self._reindex(index, old, item, size)
        attribute = self.ttl_attribute
        if self.ttl_enabled and attribute is not None and (old is None or old.get(attribute) != item.get(attribute)):
            self._schedule(item, hash_value, sort)  # an unchanged expiry is already scheduled
        return old

    def remove(self, key: tuple[KeyValue, SortKey]) -> Item | None:
        old = self.items.remove(key[0], key[1])
        if old is not None:
            for index in self.indexes():
                self._reindex(index, old, None, 0)
        return old

    def _reindex(self, index: Index, old: Item | None, new: Item | None, size: int) -> None:
        schema = self.schema
        if old is not None:
            place = index.sort_of(old, schema)
            if place is not None:
                index.store.remove(*place)
        if new is not None:
            place = index.sort_of(new, schema)
            if place is not None:
                index.store.put(place[0], place[1], new, size)

    def rebuild_index(self, index: Index) -> None:
        """Fill a new index from the table's items (UpdateTable adding a GSI)."""
        index.store = ItemStore()
        for _hash, _sort, item, size in self.items.scan():
            self._reindex(index, None, item, size)

    def clone(self, name: str, arn: str, table_id: str, created: float, items: Iterator[Item]) -> Table:
        """A new table with this one's key schema, billing and indexes holding ``items`` (a
        backup, a restore). Streams, TTL, tags and protection are not carried, as in AWS."""
        copy = Table(
            name=name, arn=arn, table_id=table_id,
            schema=KeySchema(self.schema.hash_key, self.schema.hash_type, self.schema.range_key,
                             self.schema.range_type),
            attribute_definitions=[dict(d) for d in self.attribute_definitions], created=created,
            billing_mode=self.billing_mode, throughput=dict(self.throughput),
            global_indexes={n: Index(name=n, schema=i.schema, projection=dict(i.projection), is_global=True,
                                     arn=f"{arn}/index/{n}", throughput=dict(i.throughput) if i.throughput else None)
                            for n, i in self.global_indexes.items()},
            local_indexes={n: Index(name=n, schema=i.schema, projection=dict(i.projection), is_global=False,
                                    arn=f"{arn}/index/{n}") for n, i in self.local_indexes.items()},
            table_class=self.table_class, sse_specification=self.sse_specification,
        )
        for item in items:
            copy.put(item)
        return copy

    def all_items(self) -> Iterator[Item]:
        for _hash, _sort, item, _size in self.items.scan():
            yield item

    # -- time to live ----------------------------------------------------------------------------
    def _schedule(self, item: Item, hash_value: KeyValue, sort: SortKey) -> None:
        value = item.get(self.ttl_attribute or "")
        if value is not None and "N" in value:
            try:
                expiry = float(value["N"])
            except ValueError:
                return
            heapq.heappush(self.expiries, (expiry, partition_token(hash_value), (hash_value, sort)))

    def schedule_all(self) -> None:
        self.expiries = []
        if self.ttl_enabled and self.ttl_attribute:
            for hash_value, sort, item, _size in self.items.scan():
                self._schedule(item, hash_value, sort)

    def expired(self, now: float) -> list[Item]:
        """Remove the items whose TTL attribute is before ``now``; the removed items. (DynamoDB
        deletes within days; the emulator as soon as a request looks.)"""
        removed: list[Item] = []
        expiries = self.expiries
        while expiries and expiries[0][0] <= now:
            _expiry, _token, key = heapq.heappop(expiries)
            item = self.items.get(key[0], key[1])
            if item is None or not self.ttl_enabled:
                continue
            value = item.get(self.ttl_attribute or "")
            try:
                due = value is not None and "N" in value and float(value["N"]) <= now
            except ValueError:
                due = False
            if due:
                self.remove(key)
                removed.append(item)
        return removed


@dataclass(slots=True, eq=False)
class Backup:
    """An on-demand backup: the table's description and a copy of its items when it was taken."""

    arn: str
    name: str
    table_name: str
    table_arn: str
    table_id: str
    created: float
    table: Table  # a frozen copy (items shared: they are never mutated)
    size: int = 0
    status: str = "AVAILABLE"


@dataclass(slots=True)
class DynamoDbBackend:
    """One account/region: tables by name, backups by ARN, transaction tokens remembered."""

    account: str
    region: str
    tables: dict[str, Table] = field(default_factory=dict)
    backups: dict[str, Backup] = field(default_factory=dict)
    # ExportDescription / ImportTableDescription answers by ARN (times as epoch seconds)
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)
    imports: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ClientRequestToken -> (time, request fingerprint, answer) for ten minutes
    transaction_tokens: dict[str, tuple[float, str, dict[str, Any]]] = field(default_factory=dict)

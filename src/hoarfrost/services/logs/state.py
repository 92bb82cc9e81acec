"""CloudWatch Logs' records: log groups holding streams (holding events), metric filters and
subscription filters, kept per account/region in a ``LogsBackend``.

Events of a stream are kept sorted by (timestamp, arrival) because every read (GetLogEvents,
FilterLogEvents) walks them in time order and a batch may arrive older than the last; an insert
is a bisection. Retention is applied by the emulator's clock: ``LogStream.expire`` drops the
events older than the group's retention from the front of that sorted list.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import VIEW_EXCLUDE

DAY_MS = 86_400_000


@dataclass(slots=True)
class LogEvent:
    """One stored event: AWS's event id is derived from the stream's arrival counter."""

    timestamp: int
    message: str
    ingestion_time: int
    seq: int

    @property
    def size(self) -> int:
        """What an event counts against PutLogEvents' batch size: UTF-8 bytes plus 26."""
        return len(self.message.encode("utf-8")) + 26


@dataclass(slots=True)
class LogStream:
    name: str
    creation_time: int
    events: list[LogEvent] = field(default_factory=list)
    last_ingestion_time: int | None = None
    next_seq: int = 0
    stored_bytes: int = 0
    # (timestamp, seq) of every event, parallel to ``events``: the bisection key.
    _keys: list[tuple[int, int]] = field(default_factory=list, metadata=VIEW_EXCLUDE)

    def __post_init__(self) -> None:
        self.events.sort(key=lambda e: (e.timestamp, e.seq))
        self._keys = [(e.timestamp, e.seq) for e in self.events]
        self.stored_bytes = sum(e.size for e in self.events)

    @property
    def first_event_timestamp(self) -> int | None:
        return self.events[0].timestamp if self.events else None

    @property
    def last_event_timestamp(self) -> int | None:
        return self.events[-1].timestamp if self.events else None

    def add(self, timestamp: int, message: str, now: int) -> LogEvent:
        event = LogEvent(timestamp, message, now, self.next_seq)
        self.next_seq += 1
        key = (timestamp, event.seq)
        at = bisect.bisect_right(self._keys, key)
        self._keys.insert(at, key)
        self.events.insert(at, event)
        self.stored_bytes += event.size
        self.last_ingestion_time = now
        return event

    def window(self, start: int | None, end: int | None) -> list[LogEvent]:
        """Events with ``start <= timestamp < end`` (either bound optional), in time order."""
        lo = 0 if start is None else bisect.bisect_left(self._keys, (start, -1))
        hi = len(self.events) if end is None else bisect.bisect_left(self._keys, (end, -1))
        return self.events[lo:hi]

    def expire(self, before: int) -> None:
        """Forget events with a timestamp before ``before`` (retention)."""
        cut = bisect.bisect_left(self._keys, (before, -1))
        if cut:
            self.stored_bytes -= sum(e.size for e in self.events[:cut])
            del self.events[:cut]
            del self._keys[:cut]


@dataclass(slots=True)
class MetricTransformation:
    metric_name: str
    metric_namespace: str
    metric_value: str
    default_value: float | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    unit: str | None = None


@dataclass(slots=True)
class MetricFilter:
    name: str
    pattern: str
    transformations: list[MetricTransformation]
    creation_time: int
    apply_on_transformed_logs: bool = False


@dataclass(slots=True)
class SubscriptionFilter:
    name: str
    pattern: str
    destination_arn: str
    creation_time: int
    role_arn: str | None = None
    distribution: str = "ByLogStream"
    apply_on_transformed_logs: bool = False


@dataclass(slots=True)
class LogGroup:
    name: str
    creation_time: int
    retention_in_days: int | None = None
    kms_key_id: str | None = None
    log_group_class: str = "STANDARD"
    deletion_protection: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    streams: dict[str, LogStream] = field(default_factory=dict)
    metric_filters: dict[str, MetricFilter] = field(default_factory=dict)
    subscription_filters: dict[str, SubscriptionFilter] = field(default_factory=dict)

    def expire(self, now: int) -> None:
        """Apply the retention policy as of ``now`` (ms) to every stream."""
        if self.retention_in_days is not None:
            before = now - self.retention_in_days * DAY_MS
            for stream in self.streams.values():
                stream.expire(before)

    @property
    def stored_bytes(self) -> int:
        return sum(stream.stored_bytes for stream in self.streams.values())


@dataclass(slots=True)
class Query:
    """A Logs Insights query: run to completion at StartQuery, its results kept for GetQueryResults."""

    query_id: str
    query_string: str
    log_group_names: list[str]
    create_time: int
    status: str = "Complete"
    results: list[list[dict[str, str]]] = field(default_factory=list)
    records_matched: float = 0.0
    records_scanned: float = 0.0
    bytes_scanned: float = 0.0


class LogsBackend:
    """One account/region of CloudWatch Logs. ``names`` is kept sorted (Describe* walk it)."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.groups: dict[str, LogGroup] = {}
        self.names: list[str] = []
        self.queries: dict[str, Query] = {}

    def add(self, group: LogGroup) -> None:
        if group.name not in self.groups:
            bisect.insort(self.names, group.name)
        self.groups[group.name] = group

    def remove(self, name: str) -> None:
        del self.groups[name]
        self.names.pop(bisect.bisect_left(self.names, name))

    def group_arn(self, name: str) -> str:
        """The ARN without the trailing ``:*`` (``logGroupArn``; what TagResource takes)."""
        return build_arn("logs", self.region, self.account, f"log-group:{name}")

    def stream_arn(self, group: str, stream: str) -> str:
        return build_arn("logs", self.region, self.account, f"log-group:{group}:log-stream:{stream}")

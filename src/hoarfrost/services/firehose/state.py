"""Firehose's state: delivery streams, their one S3 destination, and the records buffered for
it that have not been delivered yet.

The destination is kept as an ``ExtendedS3DestinationConfiguration`` document (a plain
``S3DestinationConfiguration`` is the same members' subset), with AWS's defaults filled in when
the stream is created, so DescribeDeliveryStream renders it and UpdateDestination overlays it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.records import EPOCH, OPTIONAL_EPOCH, VIEW_EXCLUDE, view_as
from hoarfrost.core.kit.shape_views import document_converter, shape_view

MIB = 1024 * 1024
DESTINATION_ID = "destinationId-000000000001"
DEFAULT_SIZE_MB = 5
DEFAULT_INTERVAL = 300

EXTENDED_S3 = document_converter(shape_view("firehose", "ExtendedS3DestinationConfiguration"))


def new_record_id() -> str:
    """A record id as Firehose answers them: long, opaque, URL-safe."""
    return secrets.token_urlsafe(84)


@dataclass(slots=True)
class BufferedRecord:
    """A record accepted and not yet delivered: its id, data and arrival time."""

    record_id: str
    data: bytes
    arrival: float = field(metadata=view_as(EPOCH))


@dataclass(slots=True)
class DeliveryStream:
    """A delivery stream. ``source`` is the KinesisStreamSourceConfiguration of a
    KinesisStreamAsSource stream, and ``positions`` the last sequence number read from each of
    that stream's shards (``finished``: closed shards read to their end)."""

    name: str
    arn: str
    created: float = field(metadata=view_as(EPOCH))
    destination: dict[str, Any] = field(metadata=view_as(EXTENDED_S3))
    stream_type: str = "DirectPut"
    status: str = "ACTIVE"
    version: int = 1
    last_update: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    legacy_s3: bool = False
    source: dict[str, str] | None = None
    positions: dict[str, str] = field(default_factory=dict)
    finished: list[str] = field(default_factory=list)
    encryption: dict[str, str] = field(default_factory=lambda: {"Status": "DISABLED"})
    tags: dict[str, str] = field(default_factory=dict)
    buffer: list[BufferedRecord] = field(default_factory=list)
    # Bytes in ``buffer`` (rebuilt from it), and this clock second's throughput use.
    buffered_bytes: int = field(default=0, init=False, metadata=VIEW_EXCLUDE)
    quota_second: int = field(default=-1, init=False, metadata=VIEW_EXCLUDE)
    quota_records: int = field(default=0, init=False, metadata=VIEW_EXCLUDE)
    quota_bytes: int = field(default=0, init=False, metadata=VIEW_EXCLUDE)
    quota_requests: int = field(default=0, init=False, metadata=VIEW_EXCLUDE)

    def __post_init__(self) -> None:
        self.buffered_bytes = sum(len(record.data) for record in self.buffer)

    @property
    def size_limit(self) -> int:
        return int(self.destination.get("BufferingHints", {}).get("SizeInMBs", DEFAULT_SIZE_MB)) * MIB

    @property
    def interval(self) -> int:
        return int(self.destination.get("BufferingHints", {}).get("IntervalInSeconds", DEFAULT_INTERVAL))

    def add(self, record: BufferedRecord) -> None:
        self.buffer.append(record)
        self.buffered_bytes += len(record.data)

    def take(self) -> list[BufferedRecord]:
        records, self.buffer, self.buffered_bytes = self.buffer, [], 0
        return records

    def due(self) -> float | None:
        """When the buffer's interval runs out (None: nothing is buffered)."""
        return self.buffer[0].arrival + self.interval if self.buffer else None


@dataclass(slots=True)
class FirehoseBackend:
    """One account/region: delivery streams by name, in creation order."""

    account: str
    region: str
    streams: dict[str, DeliveryStream] = field(default_factory=dict)

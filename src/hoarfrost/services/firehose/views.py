"""FirehoseStateView: one account/region of Firehose as plain, typed data.

Every delivery stream with its type, version, S3 destination (the
``ExtendedS3DestinationConfiguration`` document, typed from botocore's shape), source
configuration and read positions in the source's shards, encryption, tags, and its buffer:
the records accepted and not yet delivered (id, data base64, arrival time). A restored
buffer is delivered when its interval runs out by the restored emulator's clock.

ARNs follow from the scope, so a view restores into another account or region. Merge: a
stream whose name exists takes the view's fields (its buffer included); others are kept.
"""

from __future__ import annotations

from pydantic import Field

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.firehose.state import (
    BufferedRecord,
    DeliveryStream,
    FirehoseBackend,
)


@record_view(BufferedRecord)
class BufferedRecordView(RecordView):
    """A record waiting in a buffer."""


@record_view(DeliveryStream, key="name")
class DeliveryStreamView(RecordView):
    """A delivery stream and its undelivered buffer."""


class FirehoseStateView(StateView):
    """Firehose in one account/region: delivery streams in creation order (see the module doc)."""

    delivery_streams: list[DeliveryStreamView] = Field(default_factory=list)


def to_view(backend: FirehoseBackend) -> FirehoseStateView:
    return FirehoseStateView(delivery_streams=[DeliveryStreamView.of(s) for s in backend.streams.values()])


def _settle(stream: DeliveryStream, account: str, region: str) -> None:
    stream.arn = build_arn("firehose", region, account, f"deliverystream/{stream.name}")
    stream.buffered_bytes = sum(len(record.data) for record in stream.buffer)
    if stream.stream_type not in ("DirectPut", "KinesisStreamAsSource"):
        raise StateViewError("invalid", f"firehose: {stream.name}: unknown stream type {stream.stream_type}")
    if (stream.stream_type == "KinesisStreamAsSource") != (stream.source is not None):
        raise StateViewError("invalid", f"firehose: {stream.name}: a KinesisStreamAsSource stream, and only "
                                        "one, has a source")
    if not str(stream.destination.get("BucketARN", "")).startswith("arn:"):
        raise StateViewError("invalid", f"firehose: {stream.name}: the destination has no BucketARN")


def from_view(view: FirehoseStateView, account: str, region: str) -> FirehoseBackend:
    backend = FirehoseBackend(account, region)
    for item in view.delivery_streams:
        if item.name in backend.streams:
            raise StateViewError("invalid", f"firehose: delivery stream {item.name} appears twice")
        stream: DeliveryStream = item.to_record()
        _settle(stream, account, region)
        backend.streams[stream.name] = stream
    return backend


def merge(target: FirehoseBackend, source: FirehoseBackend) -> None:
    merge_keyed(target.streams, source.streams)

"""Amazon Kinesis Data Streams: streams, shards and their records, resharding, retention by the
clock, encryption through KMS, enhanced fan-out consumers; ``SERVICE`` is the StatefulService
the emulator instantiates."""

from hoarfrost.services.kinesis.service import KinesisService

SERVICE = KinesisService

__all__ = ["SERVICE", "KinesisService"]

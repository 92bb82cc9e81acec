"""Amazon Data Firehose: delivery streams fed by PutRecord(Batch) or read from a Kinesis data
stream, buffered by size and interval on the emulator's clock, optionally transformed by a
Lambda function, and delivered as objects into hoarfrost's S3; ``SERVICE`` is the
StatefulService the emulator instantiates."""

from hoarfrost.services.firehose.service import FirehoseService

SERVICE = FirehoseService

__all__ = ["SERVICE", "FirehoseService"]

"""Amazon SQS: standard and FIFO queues, over the json and the query protocol; ``SERVICE`` is
the StatefulService the emulator instantiates."""

from hoarfrost.services.sqs.service import SqsService

SERVICE = SqsService

__all__ = ["SERVICE", "SqsService"]

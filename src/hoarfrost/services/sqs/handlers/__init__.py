"""SQS's operation handlers, one module per resource; importing this registers them all."""

from hoarfrost.services.sqs.handlers import messages, move_tasks, permissions, queues  # noqa: F401
from hoarfrost.services.sqs.handlers.common import ops

__all__ = ["ops"]

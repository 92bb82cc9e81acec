"""SQS's operations, one module per resource; importing this package registers every handler
on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("sqs")

from hoarfrost.services.sqs.handlers import messages, move_tasks, permissions, queues  # noqa: E402,F401

"""CloudWatch Logs' operations, one module per resource; importing this package registers every
handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("logs")

from hoarfrost.services.logs.handlers import events, filters, groups, queries, streams  # noqa: E402,F401

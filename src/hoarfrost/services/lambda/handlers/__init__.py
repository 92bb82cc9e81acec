"""Lambda's operations, one module per resource; importing this package registers every handler
on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("lambda")

from . import aliases, concurrency, event_invoke, functions, invoke, permissions, tags, versions  # noqa: E402,F401

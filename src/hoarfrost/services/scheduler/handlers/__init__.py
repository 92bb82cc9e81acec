"""EventBridge Scheduler's operations, one module per resource; importing this package
registers every handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("scheduler")

from hoarfrost.services.scheduler.handlers import (  # noqa: E402,F401  (registration by import)
    groups,
    schedules,
)

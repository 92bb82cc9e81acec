"""CloudWatch's operations, one module per resource; importing this package registers every
handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("cloudwatch")

from hoarfrost.services.cloudwatch.handlers import (  # noqa: E402,F401  (registration by import)
    alarms,
    dashboards,
    metrics,
    tags,
)

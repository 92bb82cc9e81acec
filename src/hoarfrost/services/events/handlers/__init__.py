"""EventBridge's operations, one module per resource; importing this package registers every
handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("events")

from hoarfrost.services.events.handlers import (  # noqa: E402,F401  (registration by import)
    archives,
    buses,
    connections,
    put_events,
    rules,
    tags,
    targets,
)

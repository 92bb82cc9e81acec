"""SNS's operations, one module per resource; importing this package registers every handler
on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("sns")

from hoarfrost.services.sns.handlers import (  # noqa: E402,F401  (registration by import)
    platform,
    publish,
    sms,
    subscriptions,
    topics,
)

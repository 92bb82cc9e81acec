"""SNS's operation handlers, one module per resource; importing this registers them all."""

from hoarfrost.services.sns.handlers import (
    platform,
    publish,
    sms,
    subscriptions,
    topics,
)
from hoarfrost.services.sns.handlers.common import ops

__all__ = ["ops", "platform", "publish", "sms", "subscriptions", "topics"]

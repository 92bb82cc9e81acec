"""Amazon SNS: topics, subscriptions with filter policies, fan-out into hoarfrost's SQS and
real HTTP endpoints, mobile push and SMS (recorded); ``SERVICE`` is the StatefulService the
emulator instantiates."""

from hoarfrost.services.sns.service import SnsService

SERVICE = SnsService

__all__ = ["SERVICE", "SnsService"]

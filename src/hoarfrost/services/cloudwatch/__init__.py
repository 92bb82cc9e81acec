"""Amazon CloudWatch: metrics with real statistics and metric math, metric and composite
alarms evaluated on the emulator clock with SNS actions, and dashboards; ``SERVICE`` is the
StatefulService the emulator instantiates."""

from hoarfrost.services.cloudwatch.service import CloudWatchService

SERVICE = CloudWatchService

__all__ = ["SERVICE", "CloudWatchService"]

"""Amazon CloudWatch Logs: log groups, streams and events, filter patterns, metric and
subscription filters, and a delivery sink other services (Lambda) write log events into;
``SERVICE`` is the StatefulService the emulator instantiates."""

from hoarfrost.services.logs.service import LogsService

SERVICE = LogsService

__all__ = ["SERVICE", "LogsService"]

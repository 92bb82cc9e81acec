"""Amazon EventBridge: event buses, rules with event patterns and schedules, targets in
hoarfrost's SQS, SNS, Lambda, Logs, other buses and real HTTP API destinations, archives and
replays; ``SERVICE`` is the StatefulService the emulator instantiates."""

from hoarfrost.services.events.service import EventsService

SERVICE = EventsService

__all__ = ["SERVICE", "EventsService"]

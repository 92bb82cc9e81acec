"""Amazon EventBridge Scheduler: schedule groups and schedules (``at()``, ``rate()``, ``cron()``
in a time zone) that invoke templated and universal targets on the emulator's clock, with
retries and dead-letter queues; ``SERVICE`` is the StatefulService the emulator instantiates."""

from hoarfrost.services.scheduler.service import SchedulerService

SERVICE = SchedulerService

__all__ = ["SERVICE", "SchedulerService"]

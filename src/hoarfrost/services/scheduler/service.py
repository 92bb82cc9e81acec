"""EventBridge Scheduler: schedule groups and schedules that invoke their targets on the
emulator's clock (``firing.py``), and Scheduler's typed state view."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from hoarfrost.core.views import StatefulService
from hoarfrost.services.scheduler import views
from hoarfrost.services.scheduler.firing import Firing
from hoarfrost.services.scheduler.handlers import ops
from hoarfrost.services.scheduler.state import SchedulerBackend
from hoarfrost.services.scheduler.views import SchedulerStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class SchedulerService(StatefulService[SchedulerBackend, SchedulerStateView]):
    name: ClassVar[str] = "scheduler"
    view_type: ClassVar[type[SchedulerStateView]] = SchedulerStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.firing = Firing(self)

    def new_backend(self, account: str, region: str) -> SchedulerBackend:
        return SchedulerBackend(account, region, created=self.clock.time())

    def to_view(self, backend: SchedulerBackend, account: str, region: str) -> SchedulerStateView:
        return views.to_view(backend)

    def from_view(self, view: SchedulerStateView, account: str, region: str) -> SchedulerBackend:
        return views.from_view(view, account, region, self.clock.time())

    def merge_backend(self, target: SchedulerBackend, source: SchedulerBackend) -> None:
        views.merge(target, source)

    def backend_replaced(self, account: str, region: str, old: SchedulerBackend | None,
                         new: SchedulerBackend | None) -> None:
        """After a restore or merge (under the scope's lock): the replaced backend's timers stop
        and every schedule of the new one is armed from now, so restored schedules fire."""
        if old is not None and old is not new:
            for _, schedule in old.schedules():
                schedule.cancel_timer()
        if new is not None:
            for group, schedule in new.schedules():
                self.firing.arm(account, region, group.name, schedule)

    def reset(self, account: str | None = None, region: str | None = None) -> None:
        """Forgotten schedules stop firing (their timers are cancelled, not just orphaned)."""
        for scope in list(self.backends):
            if (account is None or scope.account == account) and (region is None or scope.region == region):
                with scope.lock:
                    for _, schedule in scope.backend.schedules():
                        schedule.cancel_timer()
        super().reset(account, region)

"""Scheduled rules: each enabled rule with a ``rate()`` or ``cron()`` expression has one timer
on the emulator clock (``emulator.timers``). When it fires, the rule's targets receive AWS's
``Scheduled Event`` and the next occurrence is scheduled; a rule changed, disabled or deleted
meanwhile cancels its timer, and a callback re-checks the rule before it acts."""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING

from hoarfrost.core.kit.schedule_expressions import ScheduleError, parse_schedule
from hoarfrost.core.timers import Timer
from hoarfrost.services.events.routing import deliveries, envelope
from hoarfrost.services.events.state import EventBus, Rule

if TYPE_CHECKING:
    from hoarfrost.services.events.service import EventsService

Key = tuple[str, str, str, str]  # account, region, bus, rule name


class Schedules:
    def __init__(self, service: EventsService) -> None:
        self.service = service
        self._timers: dict[Key, tuple[str, Timer]] = {}
        self._lock = threading.Lock()

    def update(self, account: str, region: str, rule: Rule) -> None:
        """(Re)arm ``rule``'s timer after it was written (under the scope's lock is fine)."""
        key = (account, region, rule.bus, rule.name)
        with self._lock:
            current = self._timers.get(key)
            if current is not None and (not rule.enabled or current[0] != rule.schedule_expression):
                current[1].cancel()
                del self._timers[key]
                current = None
            if current is None and rule.enabled and rule.schedule_expression:
                self._arm(key, rule.schedule_expression, rule.created)

    def cancel(self, account: str, region: str, rule: Rule) -> None:
        with self._lock:
            current = self._timers.pop((account, region, rule.bus, rule.name), None)
        if current is not None:
            current[1].cancel()

    def forget_bus(self, account: str, region: str, bus: EventBus) -> None:
        for rule in bus.rules.values():
            self.cancel(account, region, rule)

    def rearm_scope(self, account: str, region: str, buses: dict[str, EventBus] | None) -> None:
        """After a restore, merge or reset: the scope's timers follow its new rules."""
        with self._lock:
            for key in [key for key in self._timers if key[:2] == (account, region)]:
                self._timers.pop(key)[1].cancel()
        for bus in (buses or {}).values():
            for rule in bus.rules.values():
                self.update(account, region, rule)

    def clear(self) -> None:
        with self._lock:
            for _, timer in self._timers.values():
                timer.cancel()
            self._timers.clear()

    def _arm(self, key: Key, expression: str, created: float, after: float | None = None) -> None:
        """Schedule the first occurrence after ``after`` (default now): a callback passes the
        moment it fired for, so a long ``clock.advance`` fires every occurrence it spans."""
        try:
            schedule = parse_schedule(expression, ("rate", "cron"))
        except ScheduleError:  # a view may carry one this release refuses
            return
        start = self.service.clock.time() if after is None else after
        now = dt.datetime.fromtimestamp(start, dt.UTC)
        anchor = dt.datetime.fromtimestamp(created, dt.UTC) if created else None
        moment = schedule.next_after(now, anchor=anchor)
        if moment is None:
            return
        when = moment.timestamp()
        timer = self.service.emulator.timers.at(when, lambda: self._fire(key, expression, when))
        self._timers[key] = (expression, timer)

    def _fire(self, key: Key, expression: str, when: float) -> None:
        account, region, bus_name, name = key
        scope = self.service.backends.existing(account, region)
        if scope is None:
            return
        with scope.lock:
            bus = scope.backend.buses.get(bus_name)
            rule = bus.rules.get(name) if bus is not None else None
            if rule is None or not rule.enabled or rule.schedule_expression != expression:
                return
            event = envelope(account=account, region=region, source="aws.events", detail_type="Scheduled Event",
                             detail={}, resources=[rule.arn], time=when)
            work = deliveries(scope.backend, [rule], event)
            with self._lock:
                current = self._timers.get(key)
                if current is not None and current[0] == expression:
                    self._arm(key, expression, rule.created, when)
        self.service.dispatcher.run(work)

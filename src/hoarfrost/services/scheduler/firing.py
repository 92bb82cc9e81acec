"""Schedules firing on the emulator's clock.

Each enabled schedule with a future invocation holds one timer (``emulator.timers``) for its
next moment. When it falls due the callback takes the scope's lock, checks that the schedule
still exists and that this timer is still its timer (an update, a delete or a restore since
replaced it), records the invocation, arms the following one, deletes the schedule when it was
the last and ``ActionAfterCompletion`` is DELETE, and then, holding no lock, invokes the target.
Arming the following invocation before invoking means a clock moved far ahead replays every
missed invocation in order within the same ``advance``.

A failed invocation is retried when the failure is one AWS retries (throttling, server faults)
within the target's RetryPolicy, on timers too (60 s, doubling to at most 15 min between
attempts); once the attempts or the event age are used up, or at once for a failure that
cannot succeed by retrying (no such queue, a refused request), the invocation goes to the
target's dead-letter queue with AWS's attributes.

A flexible time window is honoured at its start: the invocation runs at the scheduled moment,
which is within every window AWS would pick from, and keeps tests deterministic.
"""

from __future__ import annotations

import copy
import logging
import uuid
from typing import TYPE_CHECKING

from hoarfrost.core.timers import Timer
from hoarfrost.services.scheduler.state import DEFAULT_RETRY_POLICY, Schedule
from hoarfrost.services.scheduler.targets import Invocation, TargetError, dead_letter, invoke

if TYPE_CHECKING:
    from hoarfrost.services.scheduler.service import SchedulerService

log = logging.getLogger("hoarfrost.scheduler")

_FIRST_RETRY = 60.0
_LONGEST_RETRY = 900.0


class Firing:
    """Arms schedules' timers and runs their invocations for one SchedulerService."""

    def __init__(self, service: SchedulerService) -> None:
        self.service = service
        self.emulator = service.emulator

    # -- arming (the caller holds the scope's lock) -------------------------------------------
    def arm(self, account: str, region: str, group: str, schedule: Schedule, *, since: float | None = None) -> None:
        """Set the timer of the schedule's next invocation at or after ``since`` (now by default;
        a handler passes the moment it wrote the schedule, when a rate starts), replacing any
        timer it had; none when it is disabled or finished."""
        schedule.cancel_timer()
        if schedule.state != "ENABLED":
            return
        now = self.emulator.clock.time() if since is None else since
        last = schedule.last_invocation
        if last is not None and last >= now:
            when = schedule.next_invocation(last)
        else:
            when = schedule.next_invocation(now, inclusive=True)
        if when is not None:
            self._set(account, region, group, schedule, when)

    def _set(self, account: str, region: str, group: str, schedule: Schedule, when: float) -> None:
        # The callback learns its own timer through ``holder``, read once it holds the lock that
        # the caller holds now: a timer due at once may start on the timer thread before ``at``
        # has even returned here.
        holder: list[Timer] = []
        holder.append(self.emulator.timers.at(when, lambda: self._fire(account, region, group, schedule, holder)))
        schedule._timer = holder[0]

    # -- firing (no lock held) ----------------------------------------------------------------
    def _fire(self, account: str, region: str, group_name: str, schedule: Schedule, holder: list[Timer]) -> None:
        scope = self.service.backends.existing(account, region)
        if scope is None:
            return
        deleted = False
        with scope.lock:
            timer = holder[0]
            group = scope.backend.groups.get(group_name)
            if group is None or group.schedules.get(schedule.name) is not schedule or schedule._timer is not timer:
                return  # deleted, replaced or re-armed since this timer was set
            schedule._timer = None
            when = timer.when
            # A copy: an update to the schedule does not change an invocation under way.
            invocation = Invocation(
                account=account, region=region, schedule_arn=scope.backend.schedule_arn(group_name, schedule.name),
                target=copy.deepcopy(schedule.target), scheduled_time=when, execution_id=str(uuid.uuid4()))
            schedule.last_invocation = when
            following = schedule.next_invocation(when)
            if following is not None:
                self._set(account, region, group_name, schedule, following)
            elif schedule.action_after_completion == "DELETE":
                del group.schedules[schedule.name]
                deleted = True
        # The last invocation is state (a one-time schedule that ran must not run again after a
        # restart from saved state), so listeners hear of every invocation.
        self.service.notify_state_changed(account, region, "DeleteSchedule" if deleted else "InvokeSchedule")
        self.attempt(invocation, 1, when)

    def attempt(self, invocation: Invocation, attempt: int, due: float) -> None:
        """Invoke the target (attempt number ``attempt``, due at ``due``); on failure retry
        later or dead-letter the invocation. Retries count from when each attempt was due, not
        from when it ran, so a clock moved far ahead replays them as they would have run."""
        try:
            invoke(self.emulator, invocation, attempt)
            return
        except TargetError as error:
            failure = error
        except Exception as exc:  # a bug in a target service: a failed invocation, not a crash
            log.exception("scheduler: invoking %s failed", invocation.target.get("Arn"))
            failure = TargetError("InternalServerException", str(exc), retryable=False)
        policy = {**DEFAULT_RETRY_POLICY, **(invocation.target.get("RetryPolicy") or {})}
        exhausted: str | None = None
        if failure.retryable:
            delay = min(_FIRST_RETRY * 2 ** (attempt - 1), _LONGEST_RETRY)
            following = due + delay
            if attempt > policy["MaximumRetryAttempts"]:
                exhausted = "MaximumRetryAttempts"
            elif following - invocation.scheduled_time > policy["MaximumEventAgeInSeconds"]:
                exhausted = "MaximumEventAgeInSeconds"
            else:
                self.emulator.timers.at(following, lambda: self.attempt(invocation, attempt + 1, following))
                return
        try:
            dead_letter(self.emulator, invocation, failure, attempt, exhausted)
        except Exception:
            log.exception("scheduler: the dead-letter queue of %s refused the invocation", invocation.schedule_arn)

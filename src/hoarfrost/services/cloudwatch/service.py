"""CloudWatchService: metrics, alarms and dashboards, the alarm evaluator that ticks on the
emulator clock, and the port through which other services put metrics for free.

Alarms are evaluated once a minute of the emulator clock (one ``emulator.timers`` entry for
the whole service, at minute boundaries) while any alarm exists; a clock jump evaluates every
minute it crossed, up to an hour's worth, so a test that advances the clock sees the states
(and the history) AWS would have produced. Actions (SNS notifications) are published with no
lock held, then recorded in the alarm's history.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import Message, MetricDatum
from hoarfrost.core.timers import Timer
from hoarfrost.core.views import StatefulService
from hoarfrost.services.cloudwatch import evaluation, views
from hoarfrost.services.cloudwatch.evaluation import Notification
from hoarfrost.services.cloudwatch.handlers import ops
from hoarfrost.services.cloudwatch.state import CloudWatchBackend, Metric, Point, add_value, metric_key
from hoarfrost.services.cloudwatch.views import CloudWatchStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.cloudwatch")

TICK = 60.0
# A clock jump longer than this evaluates only its last hour, minute by minute.
MAX_CATCH_UP = 3600.0


class CloudWatchService(StatefulService[CloudWatchBackend, CloudWatchStateView]):
    name: ClassVar[str] = "cloudwatch"
    view_type: ClassVar[type[CloudWatchStateView]] = CloudWatchStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self._tick_lock = threading.Lock()
        self._tick: Timer | None = None
        self._tick_when: float | None = None
        emulator.ports.register_metrics(self.receive_metrics)

    def new_backend(self, account: str, region: str) -> CloudWatchBackend:
        return CloudWatchBackend(account=account, region=region)

    def to_view(self, backend: CloudWatchBackend, account: str, region: str) -> CloudWatchStateView:
        return views.to_view(backend, self.clock.time())

    def from_view(self, view: CloudWatchStateView, account: str, region: str) -> CloudWatchBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: CloudWatchBackend, source: CloudWatchBackend) -> None:
        views.merge(target, source)

    def backend_replaced(self, account: str, region: str, old: CloudWatchBackend | None,
                         new: CloudWatchBackend | None) -> None:
        """A restored or merged scope may bring alarms: they are evaluated from the next minute.
        (Called under the scope's lock; the timer queue takes only its own.) A reset may have
        dropped the pending tick with the emulator's timers: the next alarm schedules anew."""
        if new is None:
            with self._tick_lock:
                self._tick_when = None
        elif new is not None and (new.metric_alarms or new.composite_alarms):
            self.ensure_ticking()

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """Tag operations work where the ARN's alarm lives (a dashboard ARN has no region: the
        caller's); everything else in the caller's scope."""
        text = request.get("ResourceARN")
        if isinstance(text, str):
            arn = try_parse_arn(text)
            if arn is not None and arn.service == "cloudwatch":
                return arn.account or account, arn.region or region
        return account, region

    # -- metrics other services emit ---------------------------------------------------------
    def receive_metrics(self, account: str, region: str, namespace: str, data: list[MetricDatum]) -> None:
        """The metrics port's sink: each datum joins its metric's point for the current minute
        (one point per minute and metric however many requests, as AWS publishes them)."""
        now = self.clock.time()
        minute = now // 60 * 60
        scope = self.backends.scope(account, region)
        with scope.lock:
            metrics = scope.backend.metrics
            for datum in data:
                dimensions = dict(datum.dimensions)
                key = metric_key(namespace, datum.name, dimensions)
                metric = metrics.get(key)
                if metric is None:
                    metric = metrics[key] = Metric(namespace, datum.name, dimensions)
                metric.last_put = now
                last = metric.points[-1] if metric.points else None
                if last is not None and last.timestamp == minute and last.unit == datum.unit:
                    add_value(last, datum.value)
                else:
                    metric.compact(now)
                    metric.add(Point(minute, 1.0, datum.value, datum.value, datum.value, datum.unit, [datum.value],
                                     [1.0]))
        self.notify_state_changed(account, region, "EmittedMetrics")

    # -- alarm evaluation on the clock --------------------------------------------------------
    def ensure_ticking(self) -> None:
        """Schedule the next evaluation tick unless one is pending (a tick dropped by an
        emulator reset is noticed by its moment having passed unrun)."""
        now = self.clock.time()
        with self._tick_lock:
            if self._tick_when is not None and self._tick_when >= now - TICK:
                return
            self._schedule((now // TICK + 1) * TICK)

    def _schedule(self, when: float) -> None:
        self._tick_when = when
        self._tick = self.emulator.timers.at(when, lambda: self._on_tick(when))

    def _on_tick(self, when: float) -> None:
        with self._tick_lock:
            if self._tick_when != when:
                return  # superseded
        now = self.clock.time()
        at = when
        if now - at > MAX_CATCH_UP:
            at = (now - MAX_CATCH_UP) // TICK * TICK
        any_alarm = False
        for scope in list(self.backends):
            with scope.lock:
                backend = scope.backend
                if not backend.metric_alarms and not backend.composite_alarms:
                    continue
                any_alarm = True
                changed, notifications = evaluation.evaluate_all(backend, at)
            if changed:
                self.notify_state_changed(scope.account, scope.region, "AlarmEvaluation")
            if notifications:
                self.run_actions(scope.account, scope.region, notifications)
        with self._tick_lock:
            if self._tick_when == when:
                if any_alarm:
                    self._schedule(at + TICK)
                else:
                    self._tick_when = None

    def evaluate_now(self, account: str, region: str) -> None:
        """Evaluate the scope's alarms at the clock's current moment (tests and tools)."""
        scope = self.backends.scope(account, region)
        with scope.lock:
            changed, notifications = evaluation.evaluate_all(scope.backend, self.clock.time())
        if changed:
            self.notify_state_changed(account, region, "AlarmEvaluation")
        self.run_actions(account, region, notifications)

    # -- actions ------------------------------------------------------------------------------
    def run_actions(self, account: str, region: str, notifications: list[Notification]) -> None:
        """Publish each notification to its SNS topic (as the alarm's account would), then record
        the Action history item. Holds no lock while publishing."""
        results: list[tuple[Notification, str | None]] = []
        for notification in notifications:
            results.append((notification, self._publish(account, notification)))
        scope = self.backends.scope(account, region)
        with scope.lock:
            for notification, error in results:
                if notification.recorded:
                    scope.backend.record(evaluation.action_item(notification, error, account))
        if any(notification.recorded for notification, _ in results):
            self.notify_state_changed(account, region, "AlarmAction")

    def _publish(self, account: str, notification: Notification) -> str | None:
        """Publish to the SNS topic, or invoke the Lambda function (asynchronously, as AWS does);
        None when the action ran, the error text otherwise."""
        arn = try_parse_arn(notification.target)
        if arn is not None and arn.service == "events":
            try:
                self.emulator.deliver(notification.target, Message(body=notification.message, sender=account))
            except Exception:  # EventBridge's loss, as in AWS: the alarm changed state all the same
                log.exception("alarm state change event for %s failed", notification.alarm_name)
            return None
        if arn is None or arn.service not in ("sns", "lambda"):
            return f"hoarfrost runs SNS and Lambda alarm actions only, not {notification.target}"
        try:
            if arn.service == "sns":
                self.emulator.call("sns", "Publish", {"TopicArn": notification.target, "Subject": notification.subject,
                                                      "Message": notification.message},
                                   account=account, region=arn.region)
            else:
                self.emulator.call("lambda", "Invoke", {"FunctionName": notification.target, "InvocationType": "Event",
                                                        "Payload": notification.event.encode("utf-8")},
                                   account=account, region=arn.region)
        except Exception as exc:  # the failure is the action's outcome, recorded in history
            log.info("alarm action %s failed: %s", notification.target, exc)
            return str(exc) or type(exc).__name__
        return None

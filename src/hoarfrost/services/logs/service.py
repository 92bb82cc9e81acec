"""LogsService: CloudWatch Logs' backends, view conversions, and the delivery sink through which
other services (Lambda's function logs) write events into a log group named by ARN."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import DeliveryError, Message
from hoarfrost.core.views import StatefulService
from hoarfrost.services.logs import delivery, views
from hoarfrost.services.logs.handlers import ops
from hoarfrost.services.logs.handlers.common import name_from_identifier
from hoarfrost.services.logs.handlers.events import put_events
from hoarfrost.services.logs.state import LogGroup, LogsBackend, LogStream
from hoarfrost.services.logs.views import LogsStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class LogsService(StatefulService[LogsBackend, LogsStateView]):
    name: ClassVar[str] = "logs"
    view_type: ClassVar[type[LogsStateView]] = LogsStateView
    operations = ops
    # CloudWatch Logs answers a request that breaks the model's constraints with this code.
    validation_error_code: ClassVar[str | None] = "InvalidParameterException"

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        emulator.ports.register("logs", self.receive, lambda arn: try_parse_arn(arn) is not None)

    def new_backend(self, account: str, region: str) -> LogsBackend:
        return LogsBackend(account, region)

    def to_view(self, backend: LogsBackend, account: str, region: str) -> LogsStateView:
        return views.to_view(backend)

    def from_view(self, view: LogsStateView, account: str, region: str) -> LogsBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: LogsBackend, source: LogsBackend) -> None:
        views.merge(target, source)

    def receive(self, target_arn: str, message: Message) -> str:
        """The delivery port's sink (see ``core.ports.log_events_message``): store the events in
        the group the ARN names, creating group and stream on first use; events are sorted and
        held to PutLogEvents' rules (too old / too new ones are dropped). Returns the stream name."""
        arn = try_parse_arn(target_arn)
        if arn is None or not arn.resource.startswith("log-group:"):
            raise DeliveryError(f"not a log group ARN: {target_arn!r}")
        try:
            body: dict[str, Any] = json.loads(message.body)
            stream_name = str(body["logStreamName"])
            events = sorted(body["logEvents"], key=lambda e: int(e["timestamp"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise DeliveryError(f"not a log events message: {exc}") from exc
        name = name_from_identifier(target_arn)
        scope = self.backends.scope(arn.account, arn.region)
        now = self.clock.millis()
        with scope.lock:
            backend = scope.backend
            group = backend.groups.get(name)
            if group is None:
                group = LogGroup(name=name, creation_time=now)
                backend.add(group)
            stream = group.streams.get(stream_name)
            if stream is None:
                stream = group.streams[stream_name] = LogStream(name=stream_name, creation_time=now)
            stored = []
            # One PutLogEvents batch spans at most 24 hours; longer runs are split like an agent does.
            while events:
                first = int(events[0]["timestamp"])
                cut = next((i for i, e in enumerate(events) if int(e["timestamp"]) - first > 86_400_000), len(events))
                stored += put_events(group, stream, events[:cut], now)[0]
                events = events[cut:]
            deliveries = delivery.pending(arn.account, group, stream, stored) if group.subscription_filters else []
        self.notify_state_changed(arn.account, arn.region, "PutLogEvents")
        delivery.send(self.emulator, deliveries)
        return stream_name

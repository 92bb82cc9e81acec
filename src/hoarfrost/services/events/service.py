"""Amazon EventBridge: buses, rules, targets, PutEvents and its deliveries, scheduled rules on
the emulator clock, archives and replays, connections and API destinations, and the typed
state view."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import DeliveryError, Message
from hoarfrost.core.views import StatefulService
from hoarfrost.services.events import views
from hoarfrost.services.events.bus_policy import allows
from hoarfrost.services.events.dispatch import Dispatcher, HttpRequest, auth_headers, with_query
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.routing import event_time, route
from hoarfrost.services.events.schedules import Schedules
from hoarfrost.services.events.state import EventsBackend
from hoarfrost.services.events.views import EventsStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class EventsService(StatefulService[EventsBackend, EventsStateView]):
    name: ClassVar[str] = "events"
    view_type: ClassVar[type[EventsStateView]] = EventsStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.dispatcher = Dispatcher(self)
        self.schedules = Schedules(self)
        emulator.ports.register("events", self.receive, self.has_bus)
        emulator.ports.register_policy_source("events", self.bus_policy)

    def new_backend(self, account: str, region: str) -> EventsBackend:
        backend = EventsBackend(account=account, region=region)
        backend.ensure_default(self.clock.time())
        return backend

    def to_view(self, backend: EventsBackend, account: str, region: str) -> EventsStateView:
        return views.to_view(backend, self.clock.time())

    def from_view(self, view: EventsStateView, account: str, region: str) -> EventsBackend:
        return views.from_view(view, account, region, self.clock.time())

    def merge_backend(self, target: EventsBackend, source: EventsBackend) -> None:
        views.merge(target, source)

    def redact(self, view: EventsStateView) -> None:
        views.redact(view)

    def backend_replaced(self, account: str, region: str, old: EventsBackend | None,
                         new: EventsBackend | None) -> None:
        self.schedules.rearm_scope(account, region, new.buses if new is not None else None)

    def close(self) -> None:
        self.schedules.clear()
        self.dispatcher.http.close()

    def bus_policy(self, arn_text: str) -> str | None:
        """The resource policy of the bus ``arn_text`` names (IAM enforcement reads it, lock-free)."""
        arn = try_parse_arn(arn_text)
        scope = self.backends.existing(arn.account, arn.region) if arn is not None else None
        if scope is None or arn is None or not arn.resource.startswith("event-bus/"):
            return None
        bus = scope.backend.buses.get(arn.resource[len("event-bus/"):])
        return bus.policy if bus is not None else None

    # -- the delivery port ------------------------------------------------------------------
    def has_bus(self, arn_text: str) -> bool:
        arn = try_parse_arn(arn_text)
        if arn is None or not arn.resource.startswith("event-bus/"):
            return False
        scope = self.backends.existing(arn.account, arn.region)
        name = arn.resource[len("event-bus/"):]
        return name == "default" or (scope is not None and name in scope.backend.buses)

    def receive(self, target_arn: str, message: Message) -> str:
        """The sink: put the event ``message.body`` holds (AWS's envelope, as S3's EventBridge
        notifications build it) on the bus ``target_arn`` names; answers the event id. Fields
        the producer left out (id, time, account, region) are filled in."""
        try:
            event = json.loads(message.body)
        except ValueError as exc:
            raise DeliveryError(f"an event must be JSON: {exc}") from exc
        if not isinstance(event, dict):
            raise DeliveryError("an event must be a JSON object")
        arn = try_parse_arn(target_arn)
        if arn is None:
            raise DeliveryError(f"not an event bus ARN: {target_arn!r}")
        event.setdefault("version", "0")
        event.setdefault("id", str(uuid.uuid4()))
        event.setdefault("time", event_time(self.clock.time()))
        event.setdefault("account", arn.account)
        event.setdefault("region", arn.region)
        event.setdefault("resources", [])
        event.setdefault("detail", {})
        self.forward(target_arn, event, message.sender or arn.account, 0)
        return str(event["id"])

    def forward(self, bus_arn: str, event: dict[str, Any], sender: str, hops: int) -> None:
        """Route ``event`` on another bus (a rule's bus target, a service's event), then deliver."""
        arn = try_parse_arn(bus_arn)
        if arn is None or not arn.resource.startswith("event-bus/"):
            raise DeliveryError(f"not an event bus ARN: {bus_arn!r}")
        name = arn.resource[len("event-bus/"):]
        scope = self.backends.scope(arn.account, arn.region)
        with scope.lock:
            bus = scope.backend.buses.get(name)
            if bus is None:
                raise DeliveryError(f"Event bus {name} does not exist.")
            if sender != arn.account and not allows(bus, sender):
                raise DeliveryError(f"account {sender} may not put events on {bus_arn}")
            work = route(scope.backend, bus, event, self.clock.time())
        self.notify_state_changed(arn.account, arn.region, "PutEvents")
        self.dispatcher.run(work, hops)

    # -- API destinations --------------------------------------------------------------------
    def api_request(self, arn_text: str, target: dict[str, Any], body: str) -> HttpRequest:
        arn = try_parse_arn(arn_text)
        if arn is None:
            raise DeliveryError(f"not an API destination ARN: {arn_text!r}")
        scope = self.backends.scope(arn.account, arn.region)
        with scope.lock:
            destination = next((d for d in scope.backend.api_destinations.values() if d.arn == arn_text), None)
            if destination is None:
                raise DeliveryError(f"API destination {arn_text} does not exist.")
            connection = next((c for c in scope.backend.connections.values()
                               if c.arn == destination.connection_arn), None)
            if connection is None or destination.state != "ACTIVE":
                raise DeliveryError(f"API destination {destination.name} has no usable connection.")
            headers, query = auth_headers(connection.authorization_type, connection.auth_parameters)
            url, method = destination.invocation_endpoint, destination.http_method
            oauth = (dict(connection.auth_parameters.get("OAuthParameters") or {})
                     if connection.authorization_type == "OAUTH_CLIENT_CREDENTIALS" else None)
        http = target.get("HttpParameters") or {}
        for value in http.get("PathParameterValues") or []:
            url = url.replace("*", urllib.parse.quote(str(value), safe=""), 1)
        headers.update({str(k): str(v) for k, v in (http.get("HeaderParameters") or {}).items()})
        query.update({str(k): str(v) for k, v in (http.get("QueryStringParameters") or {}).items()})
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        headers.setdefault("User-Agent", "Amazon/EventBridge/ApiDestinations")
        return HttpRequest(method, with_query(url, query), headers,
                           body.encode("utf-8") if method not in ("GET", "HEAD") else b"", oauth=oauth)

    # -- for tests ---------------------------------------------------------------------------
    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until every queued API destination call was made; False if ``timeout`` passed."""
        return self.dispatcher.http.wait_idle(timeout)


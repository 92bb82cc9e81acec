"""EventBridge's typed state view: one account/region's event buses with their rules and the
rules' targets, archives with the events they hold, replays, connections and API destinations.

Each resource's view is derived from its record in ``state.py`` (``core.kit.records``); a
target is the model's ``Target`` structure (``core.kit.shape_views``). Keys: buses, rules
(within their bus), archives, replays, connections and API destinations by ``name``, targets
by ``id``. ARNs that point inside the scope (an archive's bus, a destination's connection)
are moved onto the scope a view is restored into.

Merge rule: a resource whose key exists takes the view's fields; a bus's rules and a rule's
targets merge by the same rule; nothing is removed. Connection secrets (passwords, API key
values, client secrets) are left out of a snapshot unless it is taken with ``secrets=True``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.core.kit.event_patterns import PatternError, compile_pattern
from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.kit.schedule_expressions import ScheduleError, parse_schedule
from hoarfrost.core.kit.shape_views import ShapeView, shape_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.events.state import (
    DEFAULT_BUS,
    ApiDestination,
    Archive,
    ArchivedEvent,
    Connection,
    EventBus,
    EventsBackend,
    Replay,
    Rule,
)

if TYPE_CHECKING:
    TargetView = ShapeView
else:
    TargetView = shape_view("events", "Target")

AUTHORIZATION_TYPES = ("BASIC", "API_KEY", "OAUTH_CLIENT_CREDENTIALS")


@record_view(Rule, key="name")
class RuleView(RecordView):
    """One rule of its bus: an event pattern and/or a schedule expression, its state, and its
    targets (AWS's Target structure, by ``id``)."""

    targets: list[TargetView] = Field(default_factory=list)

    @classmethod
    def of_rule(cls, rule: Rule) -> RuleView:
        view = cls.of(rule)
        view.targets = [TargetView.from_wire(target) for target in rule.targets.values()]
        return view

    @classmethod
    def merge(cls, target: Any, source: Any) -> None:
        targets = target.targets
        super().merge(target, source)
        merge_keyed(targets, source.targets)
        target.targets = targets


@record_view(EventBus, key="name")
class EventBusView(RecordView):
    """One event bus (``default`` included) with its resource policy, tags and rules."""


@record_view(ArchivedEvent)
class ArchivedEventView(RecordView):
    """An event an archive recorded, as the bus saw it, with when it was recorded."""


@record_view(Archive, key="name")
class ArchiveView(RecordView):
    """An archive of a bus of this scope (``event_source_arn``) and the events it holds."""


@record_view(Replay, key="name")
class ReplayView(RecordView):
    """A replay of an archive's events onto its bus, with its state and times."""


@record_view(Connection, key="name")
class ConnectionView(RecordView):
    """A connection: its authorization type and AuthParameters (AWS's member names)."""


@record_view(ApiDestination, key="name")
class ApiDestinationView(RecordView):
    """An API destination: the endpoint, method and connection a target calls through."""


class EventsStateView(StateView):
    """EventBridge state of one account/region (keys and merge: see
    ``hoarfrost.services.events.views``)."""

    SCHEMA_VERSION: ClassVar[int] = 1

    event_buses: list[EventBusView] = Field(default_factory=list)
    archives: list[ArchiveView] = Field(default_factory=list)
    replays: list[ReplayView] = Field(default_factory=list)
    connections: list[ConnectionView] = Field(default_factory=list)
    api_destinations: list[ApiDestinationView] = Field(default_factory=list)


# -- backend -> view ---------------------------------------------------------------------------
def _archive_view(archive: Archive, now: float) -> ArchiveView:
    """The archive with the events its retention still keeps (expiry is lazy in the state)."""
    view = ArchiveView.of(archive)
    if archive.retention_days:
        horizon = now - archive.retention_days * 86_400
        view.events = [event for event, record in zip(view.events, archive.events, strict=True)
                       if record.time >= horizon]
    return view


def to_view(backend: EventsBackend, now: float) -> EventsStateView:
    buses = []
    for bus in backend.buses.values():
        view = EventBusView.of(bus)
        view.rules = [RuleView.of_rule(rule) for rule in bus.rules.values()]
        buses.append(view)
    return EventsStateView(
        event_buses=buses,
        archives=[_archive_view(archive, now) for archive in backend.archives.values()],
        replays=[ReplayView.of(replay) for replay in backend.replays.values()],
        connections=[ConnectionView.of(connection) for connection in backend.connections.values()],
        api_destinations=[ApiDestinationView.of(destination) for destination in backend.api_destinations.values()],
    )


_SECRETS = (("BasicAuthParameters", "Password"), ("ApiKeyAuthParameters", "ApiKeyValue"))


def redact(view: EventsStateView) -> None:
    for connection in view.connections:
        # A copy: a view's nested dicts may be the record's own (``of`` copies one level).
        parameters = copy.deepcopy(connection.auth_parameters)
        connection.auth_parameters = parameters
        for member, secret in _SECRETS:
            if isinstance(parameters.get(member), dict):
                parameters[member].pop(secret, None)
        client = (parameters.get("OAuthParameters") or {}).get("ClientParameters")
        if isinstance(client, dict):
            client.pop("ClientSecret", None)


# -- view -> backend ---------------------------------------------------------------------------
def _invalid(message: str) -> StateViewError:
    return StateViewError("invalid", f"events: {message}")


def _unique(kind: str, keys: Iterable[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise _invalid(f"{kind} {key!r} appears twice")
        seen.add(key)


def _moved(text: str, account: str, region: str) -> str:
    """An events ARN of the view's scope as the same resource's ARN in this scope."""
    arn = try_parse_arn(text)
    if arn is None or arn.service != "events":
        raise _invalid(f"{text!r} is not an EventBridge ARN")
    return build_arn("events", region, account, arn.resource)


def _pattern(kind: str, text: str | None) -> None:
    if text:
        try:
            compile_pattern(text)
        except PatternError as exc:
            raise _invalid(f"{kind}: event pattern is not valid: {exc.reason}") from None


def _rule(view: RuleView, bus: str) -> Rule:
    where = f"rule {view.name!r} of bus {bus!r}"
    if not view.event_pattern and not view.schedule_expression:
        raise _invalid(f"{where} has neither an event pattern nor a schedule expression")
    _pattern(where, view.event_pattern)
    if view.schedule_expression:
        if bus != DEFAULT_BUS:
            raise _invalid(f"{where}: only rules of the default bus have schedules")
        try:
            parse_schedule(view.schedule_expression, ("rate", "cron"))
        except ScheduleError as exc:
            raise _invalid(f"{where}: {exc}") from None
    if view.state not in ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"):
        raise _invalid(f"{where}: unknown state {view.state!r}")
    targets = [target.to_wire() for target in view.targets]
    _unique(f"{where}: target", (str(target.get("Id")) for target in targets))
    for target in targets:
        if not target.get("Id") or not try_parse_arn(str(target.get("Arn", ""))):
            raise _invalid(f"{where}: a target needs an Id and an ARN")
    rule: Rule = view.to_record()
    rule.targets = {str(target["Id"]): target for target in targets}
    return rule


def from_view(view: EventsStateView, account: str, region: str, now: float) -> EventsBackend:
    _unique("event bus", (bus.name for bus in view.event_buses))
    for kind, items in (("archive", view.archives), ("replay", view.replays), ("connection", view.connections),
                        ("API destination", view.api_destinations)):
        _unique(kind, (item.name for item in items))
    backend = EventsBackend(account=account, region=region)
    for bus_view in view.event_buses:
        _unique(f"bus {bus_view.name!r}: rule", (rule.name for rule in bus_view.rules))
        rules = {rule.name: _rule(rule, bus_view.name) for rule in bus_view.rules}
        if bus_view.policy:
            try:
                parse_policy(bus_view.policy)
            except PolicyError as exc:
                raise _invalid(f"bus {bus_view.name!r}: policy: {exc.message}") from None
        bus: EventBus = bus_view.to_record()
        bus.rules = {}
        backend.add_bus(bus)
        for rule in rules.values():
            backend.place_rule(bus, rule)
    for archive_view in view.archives:
        _pattern(f"archive {archive_view.name!r}", archive_view.event_pattern)
        archive: Archive = archive_view.to_record()
        archive.event_source_arn = _moved(archive.event_source_arn, account, region)
        backend.archives[archive.name] = archive
    for replay_view in view.replays:
        replay: Replay = replay_view.to_record()
        replay.event_source_arn = _moved(replay.event_source_arn, account, region)
        if replay.destination.get("Arn"):
            replay.destination["Arn"] = _moved(str(replay.destination["Arn"]), account, region)
        backend.replays[replay.name] = replay
    for connection_view in view.connections:
        if connection_view.authorization_type not in AUTHORIZATION_TYPES:
            raise _invalid(f"connection {connection_view.name!r}: unknown authorization type "
                           f"{connection_view.authorization_type!r}")
        connection: Connection = connection_view.to_record()
        connection.arn = _moved(connection.arn, account, region)
        backend.connections[connection.name] = connection
    for destination_view in view.api_destinations:
        destination: ApiDestination = destination_view.to_record()
        destination.arn = _moved(destination.arn, account, region)
        destination.connection_arn = _moved(destination.connection_arn, account, region)
        backend.api_destinations[destination.name] = destination
    backend.ensure_default(now)
    return backend


def merge(target: EventsBackend, source: EventsBackend) -> None:
    for name, bus in source.buses.items():
        existing = target.buses.get(name)
        if existing is None:
            target.add_bus(bus)
            continue
        rules = existing.rules
        EventBusView.merge(existing, bus)
        existing.rules = rules
        for rule in bus.rules.values():
            current = rules.get(rule.name)
            if current is None:
                target.place_rule(existing, rule)
            else:
                RuleView.merge(current, rule)
    merge_keyed(target.archives, source.archives)
    merge_keyed(target.replays, source.replays)
    merge_keyed(target.connections, source.connections)
    merge_keyed(target.api_destinations, source.api_destinations)

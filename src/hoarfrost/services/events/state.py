"""EventBridge's internal state for one account/region: event buses with their rules and the
rules' targets, archives with the events they recorded, replays, connections and API
destinations.

Plain dataclasses shaped for the handlers and the dispatch path, and also the declaration of
the state view (``views.py`` derives each resource's view from its record). Metadata keeps
runtime-only fields (ARNs the scope implies, compiled patterns) out of the view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.event_patterns import EventPattern, compile_pattern
from hoarfrost.core.kit.records import EPOCH, OPTIONAL_EPOCH, VIEW_EXCLUDE, view_as

DEFAULT_BUS = "default"


def bus_arn(region: str, account: str, name: str) -> str:
    return build_arn("events", region, account, f"event-bus/{name}")


def rule_arn(region: str, account: str, bus: str, name: str) -> str:
    """Rules of the default bus are 'rule/<name>', others 'rule/<bus>/<name>'."""
    resource = f"rule/{name}" if bus == DEFAULT_BUS else f"rule/{bus}/{name}"
    return build_arn("events", region, account, resource)


@dataclass(kw_only=True)
class Rule:
    name: str
    event_pattern: str | None = None
    schedule_expression: str | None = None
    state: str = "ENABLED"
    description: str | None = None
    role_arn: str | None = None
    managed_by: str | None = None
    created_by: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    # Target Id -> the Target as PutTargets took it (AWS's member names); the view lists them.
    targets: dict[str, dict[str, Any]] = field(default_factory=dict, metadata=VIEW_EXCLUDE)
    # Epoch seconds the rule was created: where a rate() schedule counts from.
    created: float = field(default=0.0, metadata=view_as(EPOCH))
    arn: str = field(default="", metadata=VIEW_EXCLUDE)
    bus: str = field(default=DEFAULT_BUS, metadata=VIEW_EXCLUDE)
    _compiled: tuple[str, EventPattern] | None = field(default=None, repr=False, compare=False,
                                                       metadata=VIEW_EXCLUDE)

    @property
    def enabled(self) -> bool:
        return self.state == "ENABLED"

    def pattern(self) -> EventPattern | None:
        """The compiled EventPattern, compiled once per pattern text."""
        if not self.event_pattern:
            return None
        if self._compiled is None or self._compiled[0] != self.event_pattern:
            self._compiled = (self.event_pattern, compile_pattern(self.event_pattern))
        return self._compiled[1]


@dataclass(kw_only=True)
class EventBus:
    name: str
    description: str | None = None
    policy: str | None = None
    kms_key_identifier: str | None = None
    dead_letter_config: dict[str, Any] | None = None
    log_config: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)  # by name
    creation_time: float = field(default=0.0, metadata=view_as(EPOCH))
    last_modified_time: float = field(default=0.0, metadata=view_as(EPOCH))
    arn: str = field(default="", metadata=VIEW_EXCLUDE)


@dataclass(kw_only=True)
class ArchivedEvent:
    """One event an archive recorded: the envelope as the bus saw it, and when."""

    time: float = field(metadata=view_as(EPOCH))
    event: dict[str, Any]
    size: int = 0


@dataclass(kw_only=True)
class Archive:
    name: str
    event_source_arn: str
    description: str | None = None
    event_pattern: str | None = None
    retention_days: int = 0  # 0: kept indefinitely
    kms_key_identifier: str | None = None
    state: str = "ENABLED"
    creation_time: float = field(default=0.0, metadata=view_as(EPOCH))
    events: list[ArchivedEvent] = field(default_factory=list)
    _compiled: tuple[str, EventPattern] | None = field(default=None, repr=False, compare=False,
                                                       metadata=VIEW_EXCLUDE)

    def pattern(self) -> EventPattern | None:
        if not self.event_pattern:
            return None
        if self._compiled is None or self._compiled[0] != self.event_pattern:
            self._compiled = (self.event_pattern, compile_pattern(self.event_pattern))
        return self._compiled[1]

    def expire(self, now: float) -> None:
        """Drop events older than the retention period (the clock decides, on every touch)."""
        if self.retention_days and self.events:
            horizon = now - self.retention_days * 86_400
            if self.events[0].time < horizon:
                self.events = [event for event in self.events if event.time >= horizon]

    @property
    def size_bytes(self) -> int:
        return sum(event.size for event in self.events)


@dataclass(kw_only=True)
class Replay:
    name: str
    event_source_arn: str  # the archive
    destination: dict[str, Any]  # ReplayDestination: Arn, FilterArns
    event_start_time: float = field(metadata=view_as(EPOCH))
    event_end_time: float = field(metadata=view_as(EPOCH))
    description: str | None = None
    state: str = "STARTING"
    state_reason: str | None = None
    replay_start_time: float = field(default=0.0, metadata=view_as(EPOCH))
    replay_end_time: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    event_last_replayed_time: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))


@dataclass(kw_only=True)
class Connection:
    name: str
    arn: str
    authorization_type: str
    # AuthParameters as CreateConnection took them (secrets included: an invocation needs them).
    auth_parameters: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    kms_key_identifier: str | None = None
    invocation_connectivity_parameters: dict[str, Any] | None = None
    state: str = "AUTHORIZED"
    state_reason: str | None = None
    secret_arn: str = ""
    creation_time: float = field(default=0.0, metadata=view_as(EPOCH))
    last_modified_time: float = field(default=0.0, metadata=view_as(EPOCH))
    last_authorized_time: float = field(default=0.0, metadata=view_as(EPOCH))


@dataclass(kw_only=True)
class ApiDestination:
    name: str
    arn: str
    connection_arn: str
    invocation_endpoint: str
    http_method: str
    invocation_rate_limit_per_second: int = 300
    description: str | None = None
    state: str = "ACTIVE"
    creation_time: float = field(default=0.0, metadata=view_as(EPOCH))
    last_modified_time: float = field(default=0.0, metadata=view_as(EPOCH))


@dataclass
class EventsBackend:
    account: str
    region: str
    buses: dict[str, EventBus] = field(default_factory=dict)  # by name
    archives: dict[str, Archive] = field(default_factory=dict)  # by name
    replays: dict[str, Replay] = field(default_factory=dict)  # by name
    connections: dict[str, Connection] = field(default_factory=dict)  # by name
    api_destinations: dict[str, ApiDestination] = field(default_factory=dict)  # by name

    def bus_arn(self, name: str) -> str:
        return bus_arn(self.region, self.account, name)

    def add_bus(self, bus: EventBus) -> EventBus:
        bus.arn = self.bus_arn(bus.name)
        for rule in bus.rules.values():
            self.place_rule(bus, rule)
        self.buses[bus.name] = bus
        return bus

    def place_rule(self, bus: EventBus, rule: Rule) -> None:
        rule.bus = bus.name
        rule.arn = rule_arn(self.region, self.account, bus.name, rule.name)
        bus.rules[rule.name] = rule

    def ensure_default(self, now: float) -> None:
        """Every account/region has the default bus, from the first moment it is looked at."""
        if DEFAULT_BUS not in self.buses:
            self.add_bus(EventBus(name=DEFAULT_BUS, creation_time=now, last_modified_time=now))

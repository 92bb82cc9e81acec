"""Routing an event on a bus (under the bus scope's lock): the envelope, the enabled rules whose
patterns match, the archives that record it. What leaves the scope is a list of ``Delivery``
values, which the service hands to targets after the lock is released (``dispatch.py``)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hoarfrost.services.events.state import ArchivedEvent, EventBus, EventsBackend, Rule


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one target of one rule; ``account`` / ``region`` are the rule's."""

    target: dict[str, Any]
    rule_arn: str
    rule_name: str
    event: dict[str, Any]
    account: str
    region: str


def event_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(*, account: str, region: str, source: str, detail_type: str, detail: Any, resources: list[str],
             time: float, event_id: str | None = None) -> dict[str, Any]:
    """An event as rules and targets see it, in AWS's member order."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": event_time(time),
        "region": region,
        "resources": list(resources),
        "detail": detail,
    }


def deliveries(backend: EventsBackend, rules: Iterable[Rule], event: dict[str, Any]) -> list[Delivery]:
    out: list[Delivery] = []
    for rule in rules:
        for target in rule.targets.values():
            out.append(Delivery(dict(target), rule.arn, rule.name, event, backend.account, backend.region))
    return out


def route(backend: EventsBackend, bus: EventBus, event: dict[str, Any], now: float, *,
          archive: bool = True, only_rules: frozenset[str] | None = None) -> list[Delivery]:
    """The deliveries ``event`` makes on ``bus``; archives of the bus record it (not a replay)."""
    matched = []
    for rule in bus.rules.values():
        if not rule.enabled or (only_rules is not None and rule.arn not in only_rules):
            continue
        pattern = rule.pattern()
        if pattern is not None and pattern.matches(event):
            matched.append(rule)
    if archive:
        record(backend, bus, event, now)
    return deliveries(backend, matched, event)


def record(backend: EventsBackend, bus: EventBus, event: dict[str, Any], now: float) -> None:
    for item in backend.archives.values():
        if item.event_source_arn != bus.arn or item.state != "ENABLED":
            continue
        pattern = item.pattern()
        if pattern is None or pattern.matches(event):
            item.expire(now)
            item.events.append(ArchivedEvent(time=now, event=event, size=len(json.dumps(event))))

"""PutEvents (entry validation, per-entry errors, the size limit, event ids, routing to rules
and archives, delivery after commit, cross-account buses by policy) and TestEventPattern."""

from __future__ import annotations

import json
from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.events.bus_policy import allows
from hoarfrost.services.events.errors import validation
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.handlers.common import EventsContext, backend, compiled_pattern, epoch
from hoarfrost.services.events.routing import Delivery, envelope, route
from hoarfrost.services.events.state import DEFAULT_BUS, EventBus, EventsBackend

MAX_REQUEST_BYTES = 256 * 1024
_REQUIRED = ("Source", "DetailType", "Detail")


def entry_size(entry: dict[str, Any]) -> int:
    """AWS's PutEvents entry size: 14 bytes for a Time, and the UTF-8 bytes of Source,
    DetailType, Detail and each Resource."""
    size = 14 if entry.get("Time") is not None else 0
    for member in _REQUIRED:
        if entry.get(member):
            size += len(str(entry[member]).encode("utf-8"))
    return size + sum(len(str(resource).encode("utf-8")) for resource in entry.get("Resources") or [])


def _error(code: str, message: str) -> dict[str, str]:
    return {"ErrorCode": code, "ErrorMessage": message}


def _invalid_entry(entry: dict[str, Any]) -> tuple[dict[str, str] | None, Any]:
    for member in _REQUIRED:
        if not entry.get(member):
            return _error("InvalidArgument", f"Parameter {member} is not valid. Reason: {member} is a required "
                                             "argument."), None
    try:
        detail = json.loads(entry["Detail"])
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        return _error("MalformedDetail", "Detail is malformed."), None
    if str(entry["Source"]).startswith("aws."):
        return _error("NotAuthorizedForSourceException", "Not authorized for the source."), None
    return None, detail


@ops.operation
def put_events(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = request["Entries"]
    if sum(entry_size(entry) for entry in entries) > MAX_REQUEST_BYTES:
        raise validation("Total size of the entries in the request is over the limit.")
    results: list[dict[str, Any]] = []
    work: list[Delivery] = []
    now = ctx.clock.time()
    for entry in entries:
        error, detail = _invalid_entry(entry)
        if error is not None:
            results.append(error)
            continue
        result = _put(ctx, entry, detail, now, work)
        results.append(result)
    if work:
        dispatcher = ctx.service.dispatcher
        ctx.after_commit(lambda: dispatcher.run(work))
    failed = sum(1 for result in results if "ErrorCode" in result)
    return {"FailedEntryCount": failed, "Entries": results}


def _put(ctx: EventsContext, entry: dict[str, Any], detail: Any, now: float, work: list[Delivery]) -> dict[str, str]:
    text = entry.get("EventBusName") or DEFAULT_BUS
    account, region, name = ctx.scope.account, ctx.scope.region, text
    if text.startswith("arn:"):
        arn = try_parse_arn(text)
        if arn is None or arn.service != "events" or not arn.resource.startswith("event-bus/"):
            return _error("InvalidArgument", f"Parameter EventBusName is not valid. Reason: {text} is not a valid "
                                             "event bus ARN.")
        account, region, name = arn.account, arn.region, arn.resource[len("event-bus/"):]
    time = epoch(entry["Time"]) if entry.get("Time") is not None else now

    def on(state: EventsBackend) -> dict[str, str]:
        state.ensure_default(now)
        bus: EventBus | None = state.buses.get(name)
        if bus is None:
            return _error("ResourceNotFoundException", f"Event bus {name} does not exist.")
        if account != ctx.account and not allows(bus, ctx.account):
            return _error("AccessDeniedException", f"User: arn:aws:iam::{ctx.account}:root is not authorized to "
                                                   f"perform: events:PutEvents on resource: {bus.arn}")
        event = envelope(account=ctx.account, region=region, source=str(entry["Source"]),
                         detail_type=str(entry["DetailType"]), detail=detail,
                         resources=list(entry.get("Resources") or []), time=time)
        work.extend(route(state, bus, event, now))
        return {"EventId": event["id"]}

    if (account, region) == (ctx.scope.account, ctx.scope.region):
        return on(backend(ctx))
    with ctx.in_scope(account, region) as scope:
        return on(scope.backend)


_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


@ops.operation(mutates=False)
def test_event_pattern(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    pattern = compiled_pattern(request["EventPattern"])
    try:
        event = json.loads(request["Event"])
    except ValueError:
        raise validation("Parameter Event is not valid.") from None
    if not isinstance(event, dict) or any(field not in event for field in _EVENT_FIELDS):
        raise validation("Parameter Event is not valid.")
    return {"Result": pattern.matches(event)}

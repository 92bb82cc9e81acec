"""Archives (events a bus received, recorded with their retention on the clock) and replays
(the archived events of a time window sent to the bus's rules again, with ``replay-name``)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.services.events.errors import errors, validation
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.handlers.common import (
    EventsContext,
    backend,
    check_name,
    compiled_pattern,
    epoch,
    page,
    stamp,
)
from hoarfrost.services.events.routing import Delivery, route
from hoarfrost.services.events.state import Archive, EventsBackend, Replay


def archive_arn(state: EventsBackend, name: str) -> str:
    return build_arn("events", state.region, state.account, f"archive/{name}")


def replay_arn(state: EventsBackend, name: str) -> str:
    return build_arn("events", state.region, state.account, f"replay/{name}")


def _archive(state: EventsBackend, name: str, now: float) -> Archive:
    archive = state.archives.get(name)
    if archive is None:
        raise errors.ResourceNotFoundException(f"Archive {name} does not exist.")
    archive.expire(now)
    return archive


def _bus_of(state: EventsBackend, source_arn: str) -> Any:
    arn = try_parse_arn(source_arn)
    if arn is None or arn.service != "events" or not arn.resource.startswith("event-bus/"):
        raise validation(f"Parameter EventSourceArn is not valid. Reason: {source_arn} is not an event bus ARN.")
    name = arn.resource[len("event-bus/"):]
    bus = state.buses.get(name)
    if bus is None or bus.arn != source_arn:
        raise errors.ResourceNotFoundException(f"Event bus {name} does not exist.")
    return bus


def _summary(state: EventsBackend, archive: Archive) -> dict[str, Any]:
    out: dict[str, Any] = {"ArchiveName": archive.name, "EventSourceArn": archive.event_source_arn,
                           "State": archive.state}
    if archive.retention_days:
        out["RetentionDays"] = archive.retention_days
    out.update({"SizeBytes": archive.size_bytes, "EventCount": len(archive.events),
                "CreationTime": stamp(archive.creation_time)})
    return out


@ops.operation
def create_archive(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    name = request["ArchiveName"]
    check_name(name, "ArchiveName", 48)
    _bus_of(state, request["EventSourceArn"])
    if name in state.archives:
        raise errors.ResourceAlreadyExistsException(f"Archive {name} already exists.")
    if request.get("EventPattern"):
        compiled_pattern(request["EventPattern"])
    now = ctx.clock.time()
    archive = Archive(name=name, event_source_arn=request["EventSourceArn"], description=request.get("Description"),
                      event_pattern=request.get("EventPattern"), retention_days=int(request.get("RetentionDays") or 0),
                      kms_key_identifier=request.get("KmsKeyIdentifier"), creation_time=now)
    state.archives[name] = archive
    return {"ArchiveArn": archive_arn(state, name), "State": archive.state, "CreationTime": stamp(now)}


@ops.operation
def describe_archive(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    archive = _archive(state, request["ArchiveName"], ctx.clock.time())
    out = {"ArchiveArn": archive_arn(state, archive.name), **_summary(state, archive)}
    if archive.description is not None:
        out["Description"] = archive.description
    if archive.event_pattern is not None:
        out["EventPattern"] = archive.event_pattern
    if archive.kms_key_identifier is not None:
        out["KmsKeyIdentifier"] = archive.kms_key_identifier
    out.setdefault("RetentionDays", 0)
    return out


@ops.operation
def update_archive(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    archive = _archive(state, request["ArchiveName"], ctx.clock.time())
    if "EventPattern" in request:
        if request["EventPattern"]:
            compiled_pattern(request["EventPattern"])
        archive.event_pattern = request["EventPattern"] or None
    if "Description" in request:
        archive.description = request["Description"]
    if "RetentionDays" in request:
        archive.retention_days = int(request["RetentionDays"])
    if "KmsKeyIdentifier" in request:
        archive.kms_key_identifier = request["KmsKeyIdentifier"] or None
    return {"ArchiveArn": archive_arn(state, archive.name), "State": archive.state,
            "CreationTime": stamp(archive.creation_time)}


@ops.operation
def delete_archive(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    _archive(state, request["ArchiveName"], ctx.clock.time())
    del state.archives[request["ArchiveName"]]
    return {}


@ops.operation
def list_archives(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    prefix, source, status = request.get("NamePrefix") or "", request.get("EventSourceArn"), request.get("State")
    now = ctx.clock.time()
    chosen = []
    for archive in sorted(state.archives.values(), key=lambda a: a.name):
        if archive.name.startswith(prefix) and source in (None, archive.event_source_arn) \
                and status in (None, archive.state):
            archive.expire(now)
            chosen.append(archive)
    result = page(ctx, chosen, request, "ListArchives", key=lambda archive: archive.name)
    return {"Archives": [_summary(state, archive) for archive in result.items], **result.token_member()}


# -- replays --------------------------------------------------------------------------------------
def _describe_replay(state: EventsBackend, replay: Replay, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"ReplayName": replay.name}
    if full:
        out["ReplayArn"] = replay_arn(state, replay.name)
        if replay.description is not None:
            out["Description"] = replay.description
    out.update({"State": replay.state, "EventSourceArn": replay.event_source_arn})
    if replay.state_reason:
        out["StateReason"] = replay.state_reason
    if full:
        out["Destination"] = replay.destination
    out.update({"EventStartTime": stamp(replay.event_start_time), "EventEndTime": stamp(replay.event_end_time),
                "ReplayStartTime": stamp(replay.replay_start_time)})
    if replay.event_last_replayed_time is not None:
        out["EventLastReplayedTime"] = stamp(replay.event_last_replayed_time)
    if replay.replay_end_time is not None:
        out["ReplayEndTime"] = stamp(replay.replay_end_time)
    return out


@ops.operation
def start_replay(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    name = request["ReplayName"]
    check_name(name, "ReplayName")
    if name in state.replays:
        raise errors.ResourceAlreadyExistsException(f"Replay {name} already exists.")
    source = try_parse_arn(request["EventSourceArn"])
    if source is None or not source.resource.startswith("archive/"):
        raise validation("Parameter EventSourceArn is not valid. Reason: it must be an archive ARN.")
    now = ctx.clock.time()
    archive = _archive(state, source.resource[len("archive/"):], now)
    destination = dict(request["Destination"])
    if destination.get("Arn") != archive.event_source_arn:
        raise validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
    start, end = epoch(request["EventStartTime"]), epoch(request["EventEndTime"])
    if start >= end:
        raise validation("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
    if end > now:
        raise validation("Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.")
    replay = Replay(name=name, event_source_arn=request["EventSourceArn"], destination=destination,
                    event_start_time=start, event_end_time=end, description=request.get("Description"),
                    replay_start_time=now)
    state.replays[name] = replay
    service, account, region = ctx.service, ctx.scope.account, ctx.scope.region
    ctx.after_commit(lambda: run_replay(service, account, region, name))
    return {"ReplayArn": replay_arn(state, name), "State": replay.state, "ReplayStartTime": stamp(now)}


def run_replay(service: Any, account: str, region: str, name: str) -> None:
    """Send the window's archived events to the bus's rules (those of ``FilterArns`` when
    given), each with ``replay-name``; the replay goes STARTING -> RUNNING -> COMPLETED."""
    scope = service.backends.scope(account, region)
    work: list[Delivery] = []
    with scope.lock:
        state: EventsBackend = scope.backend
        replay = state.replays.get(name)
        if replay is None or replay.state != "STARTING":
            return
        replay.state = "RUNNING"
        source = try_parse_arn(replay.event_source_arn)
        archive = state.archives.get(source.resource[len("archive/"):]) if source is not None else None
        bus = next((b for b in state.buses.values() if b.arn == replay.destination.get("Arn")), None)
        filters = frozenset(replay.destination.get("FilterArns") or []) or None
        last = None
        if archive is not None and bus is not None:
            for item in archive.events:
                if replay.event_start_time <= item.time < replay.event_end_time:
                    event = {**item.event, "replay-name": name}
                    work.extend(route(state, bus, event, service.clock.time(), archive=False, only_rules=filters))
                    last = item.time
        replay.event_last_replayed_time = last
        replay.state = "COMPLETED"
        replay.replay_end_time = service.clock.time()
    service.notify_state_changed(account, region, "StartReplay")
    service.dispatcher.run(work)


@ops.operation
def describe_replay(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    replay = state.replays.get(request["ReplayName"])
    if replay is None:
        raise errors.ResourceNotFoundException(f"Replay {request['ReplayName']} does not exist.")
    return _describe_replay(state, replay, True)


@ops.operation
def list_replays(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    prefix, source, status = request.get("NamePrefix") or "", request.get("EventSourceArn"), request.get("State")
    chosen = [replay for replay in sorted(state.replays.values(), key=lambda r: r.name)
              if replay.name.startswith(prefix) and source in (None, replay.event_source_arn)
              and status in (None, replay.state)]
    result = page(ctx, chosen, request, "ListReplays", key=lambda replay: replay.name)
    return {"Replays": [_describe_replay(state, replay, False) for replay in result.items], **result.token_member()}


@ops.operation
def cancel_replay(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    replay = state.replays.get(request["ReplayName"])
    if replay is None:
        raise errors.ResourceNotFoundException(f"Replay {request['ReplayName']} does not exist.")
    if replay.state not in ("STARTING", "RUNNING"):
        raise errors.IllegalStatusException(f"Replay {replay.name} is not in a valid state for this operation.")
    replay.state = "CANCELLED"
    replay.replay_end_time = ctx.clock.time()
    return {"ReplayArn": replay_arn(state, replay.name), "State": "CANCELLING"}

"""Log events: PutLogEvents with AWS's batch rules, GetLogEvents with forward/backward tokens,
FilterLogEvents with filter patterns."""

from __future__ import annotations

import itertools
from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.logs import delivery
from hoarfrost.services.logs.delivery import event_id
from hoarfrost.services.logs.errors import invalid
from hoarfrost.services.logs.filter_pattern import FilterPatternError, compile_pattern
from hoarfrost.services.logs.handlers import ops
from hoarfrost.services.logs.handlers.common import Ctx, group, stream
from hoarfrost.services.logs.state import DAY_MS, LogEvent, LogGroup, LogStream

MAX_BATCH_BYTES = 1_048_576
TOO_NEW_MS = 2 * 3_600_000
TOO_OLD_MS = 14 * DAY_MS


def put_events(group: LogGroup, stream: LogStream, events: list[dict[str, Any]], now: int
               ) -> tuple[list[LogEvent], dict[str, int]]:
    """Store a batch as PutLogEvents does: the whole batch is refused when it is out of order,
    spans more than 24 hours or is too large; single events too new (over 2 hours ahead), too
    old (over 14 days) or past the group's retention are left out and reported by index."""
    timestamps = [int(event["timestamp"]) for event in events]
    if any(later < earlier for earlier, later in itertools.pairwise(timestamps)):
        raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
    if timestamps[-1] - timestamps[0] > DAY_MS:
        raise invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
    size = sum(len(event["message"].encode("utf-8")) + 26 for event in events)
    if size > MAX_BATCH_BYTES:
        raise invalid(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")
    rejected: dict[str, int] = {}
    too_old = sum(1 for t in timestamps if t < now - TOO_OLD_MS)
    expired = 0
    if group.retention_in_days is not None:
        expired = sum(1 for t in timestamps if t < now - group.retention_in_days * DAY_MS)
    too_new_at = next((i for i, t in enumerate(timestamps) if t > now + TOO_NEW_MS), None)
    if too_old:
        rejected["tooOldLogEventEndIndex"] = too_old
    if expired:
        rejected["expiredLogEventEndIndex"] = expired
    if too_new_at is not None:
        rejected["tooNewLogEventStartIndex"] = too_new_at
    first = max(too_old, expired)
    last = too_new_at if too_new_at is not None else len(events)
    stored = [stream.add(timestamps[i], events[i]["message"], now) for i in range(first, last)]
    return stored, rejected


@ops.operation
def put_log_events(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    """Sequence tokens are accepted and ignored, as AWS does since 2023."""
    found = group(ctx, request)
    target = stream(found, request["logStreamName"])
    stored, rejected = put_events(found, target, request["logEvents"], ctx.clock.millis())
    delivery.after_put(ctx, found, target, stored)
    output: dict[str, Any] = {"nextSequenceToken": f"{target.next_seq + 1:056d}"}
    if rejected:
        output["rejectedLogEventsInfo"] = rejected
    return output


def _event(event: LogEvent) -> dict[str, Any]:
    return {"timestamp": event.timestamp, "message": event.message, "ingestionTime": event.ingestion_time}


def _position(token: str, size: int) -> tuple[str, int]:
    """A GetLogEvents token: ``f/<index>`` reads forward from index, ``b/<index>`` backward."""
    direction, _, digits = token.partition("/")
    if direction not in ("f", "b") or not digits.isdigit() or len(digits) > 56:
        raise invalid("The specified nextToken is invalid.")
    return direction, min(int(digits), size)


@ops.operation
def get_log_events(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    """Events of one stream in time order. Without a token, the first page (``startFromHead``)
    or the last; a forward token at the end of the stream comes back unchanged, which is how
    callers know they have read everything."""
    found = group(ctx, request)
    events = stream(found, request["logStreamName"]).window(request.get("startTime"), request.get("endTime"))
    limit = request.get("limit") or 10_000
    token = request.get("nextToken")
    if token:
        direction, index = _position(token, len(events))
    else:
        direction, index = ("f", 0) if request.get("startFromHead") else ("b", len(events))
    if direction == "f":
        start, end = index, min(index + limit, len(events))
    else:
        start, end = max(0, index - limit), index
    return {
        "events": [_event(event) for event in events[start:end]],
        "nextForwardToken": f"f/{end:056d}",
        "nextBackwardToken": f"b/{start:056d}",
    }


@ops.operation
def filter_log_events(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    names = request.get("logStreamNames")
    prefix = request.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
    try:
        matches = compile_pattern(request.get("filterPattern"))
    except FilterPatternError as exc:
        raise invalid(f"Invalid filter pattern: {exc}") from None
    if names is not None:
        streams = [found.streams[name] for name in names if name in found.streams]
    else:
        streams = [s for name, s in sorted(found.streams.items()) if prefix is None or name.startswith(prefix)]
    start, end = request.get("startTime"), request.get("endTime")
    hits = [
        (event, s.name)
        for s in streams
        for event in s.window(start, None if end is None else end + 1)
        if matches(event.message)
    ]
    hits.sort(key=lambda hit: (hit[0].timestamp, hit[1], hit[0].seq))
    page = paginate(hits, request.get("nextToken"), request.get("limit") or 10_000, kind="logs:FilterLogEvents",
                    error=lambda: invalid("The specified nextToken is invalid."))
    return {
        "events": [
            {"logStreamName": name, "eventId": event_id(name, event), **_event(event)} for event, name in page.items
        ],
        "searchedLogStreams": [{"logStreamName": s.name, "searchedCompletely": page.next_token is None}
                               for s in streams],
        **page.token_member("nextToken"),
    }

"""Log streams: create, describe (by name or by last event time), delete."""

from __future__ import annotations

import bisect
from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.logs.errors import errors, invalid
from hoarfrost.services.logs.handlers import ops
from hoarfrost.services.logs.handlers.common import Ctx, group, stream, stream_output
from hoarfrost.services.logs.state import LogStream


@ops.operation
def create_log_stream(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    name = request["logStreamName"]
    if name in found.streams:
        raise errors.ResourceAlreadyExistsException("The specified log stream already exists")
    found.streams[name] = LogStream(name=name, creation_time=ctx.clock.millis())
    return {}


@ops.operation
def delete_log_stream(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    stream(found, request["logStreamName"])
    del found.streams[request["logStreamName"]]
    return {}


@ops.operation
def describe_log_streams(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    """Streams ordered by name (the default) or by last event time, either way ``descending``
    on request; a name prefix only goes with the name order, as in AWS."""
    found = group(ctx, request)
    prefix = request.get("logStreamNamePrefix")
    order = request.get("orderBy") or "LogStreamName"
    descending = bool(request.get("descending", False))
    if prefix is not None and order == "LastEventTime":
        raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    names = sorted(found.streams)
    if prefix is not None:
        start = bisect.bisect_left(names, prefix)
        end = start
        while end < len(names) and names[end].startswith(prefix):
            end += 1
        names = names[start:end]
    if order == "LastEventTime":
        def last(name: str) -> tuple[int, str]:
            s = found.streams[name]
            return (s.last_event_timestamp if s.last_event_timestamp is not None else -1, name)
        keyed = sorted(((*last(name),) for name in names), reverse=descending)
        page = paginate(keyed, request.get("nextToken"), request.get("limit") or 50,
                        kind=f"logs:DescribeLogStreams:time:{int(descending)}",
                        error=lambda: invalid("The specified nextToken is invalid."))
        chosen = [name for _, name in page.items]
        more = page.token_member("nextToken")
    else:
        if descending:
            names.reverse()
        by_name = paginate(names, request.get("nextToken"), request.get("limit") or 50,
                           kind=f"logs:DescribeLogStreams:name:{int(descending)}",
                           error=lambda: invalid("The specified nextToken is invalid."))
        chosen = list(by_name.items)
        more = by_name.token_member("nextToken")
    return {"logStreams": [stream_output(ctx.state, found, found.streams[name]) for name in chosen],
            **more}

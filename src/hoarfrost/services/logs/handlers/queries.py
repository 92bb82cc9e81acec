"""Logs Insights queries (the subset in ``insights``): run at StartQuery over the groups' events
in the time range, results kept for GetQueryResults."""

from __future__ import annotations

import uuid
from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.logs.delivery import event_id
from hoarfrost.services.logs.errors import errors, invalid
from hoarfrost.services.logs.handlers import ops
from hoarfrost.services.logs.handlers.common import Ctx, name_from_identifier
from hoarfrost.services.logs.insights import QueryError, compile_query, row_of, run
from hoarfrost.services.logs.state import Query


@ops.operation
def start_query(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    names = [request["logGroupName"]] if request.get("logGroupName") else []
    names += list(request.get("logGroupNames") or [])
    names += [name_from_identifier(i) for i in request.get("logGroupIdentifiers") or []]
    if not names:
        raise invalid("Log group name, log group names or log group identifiers must be specified.")
    if request.get("queryLanguage", "CWLI") not in ("CWLI", None):
        raise invalid(f"hoarfrost runs Logs Insights queries (CWLI), not {request['queryLanguage']}.")
    start, end = request["startTime"], request["endTime"]
    if end < start:
        raise invalid("End time cannot be less than start time.")
    try:
        plan = compile_query(request["queryString"])
    except QueryError as exc:
        raise errors.MalformedQueryException(f"Query is malformed: {exc}") from None
    rows = []
    scanned = 0
    size = 0
    now = ctx.clock.millis()
    for name in names:
        group = ctx.state.groups.get(name)
        if group is None:
            raise errors.ResourceNotFoundException(
                f"Log group '{name}' does not exist for account ID '{ctx.state.account}' (Service: CloudWatchLogs, "
                "Status Code: 400)")
        group.expire(now)
        for stream in group.streams.values():
            for event in stream.window(start * 1000, (end + 1) * 1000):
                scanned += 1
                size += event.size
                rows.append(row_of(name, stream.name, event.timestamp, event.message, event.ingestion_time,
                                   event_id(stream.name, event)))
    limit = min(request.get("limit") or 10_000, 10_000)
    results = run(plan, rows, limit)
    query = Query(query_id=str(uuid.uuid4()), query_string=request["queryString"], log_group_names=names,
                  create_time=now, results=results, records_matched=float(len(results)),
                  records_scanned=float(scanned), bytes_scanned=float(size))
    ctx.state.queries[query.query_id] = query
    return {"queryId": query.query_id}


def _query(ctx: Ctx, query_id: str) -> Query:
    query = ctx.state.queries.get(query_id)
    if query is None:
        raise errors.ResourceNotFoundException("Query does not exist.")
    return query


@ops.operation
def get_query_results(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    query = _query(ctx, request["queryId"])
    return {
        "queryLanguage": "CWLI", "results": query.results, "status": query.status,
        "statistics": {"recordsMatched": query.records_matched, "recordsScanned": query.records_scanned,
                       "bytesScanned": query.bytes_scanned},
    }


@ops.operation
def stop_query(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    """Queries complete at StartQuery, so there is never one to stop (AWS answers false then)."""
    _query(ctx, request["queryId"])
    return {"success": False}


@ops.operation
def describe_queries(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    group, status = request.get("logGroupName"), request.get("status")
    found = [q for q in sorted(ctx.state.queries.values(), key=lambda q: (-q.create_time, q.query_id))
             if (group is None or group in q.log_group_names) and (status is None or q.status == status)]
    page = paginate(found, request.get("nextToken"), request.get("maxResults") or 1000, kind="logs:DescribeQueries",
                    error=lambda: invalid("The specified nextToken is invalid."))
    return {"queries": [{"queryLanguage": "CWLI", "queryId": q.query_id, "queryString": q.query_string,
                         "status": q.status, "createTime": q.create_time, "logGroupName": q.log_group_names[0]}
                        for q in page.items], **page.token_member("nextToken")}

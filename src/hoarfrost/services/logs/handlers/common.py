"""What several Logs handlers share: finding a group by name or identifier, tag rules,
and the dict shapes groups and streams are answered in."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.tags import TagRules
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.logs.errors import errors, group_not_found, invalid, stream_not_found
from hoarfrost.services.logs.state import LogGroup, LogsBackend, LogStream

Ctx = RequestContext[LogsBackend, Any]

TAG_RULES = TagRules(
    too_many=lambda limit: errors.TooManyTagsException(f"A resource can have no more than {limit} tags."),
    bad_key=lambda key: invalid(f"Invalid tag key: {key}"),
    bad_value=lambda key, value: invalid(f"Invalid tag value for key: {key}"),
    reserved=lambda key: invalid(f"Tag keys starting with 'aws:' are reserved: {key}"),
)


def group_name_of(request: dict[str, Any]) -> str:
    """The group a request names, by ``logGroupName`` or ``logGroupIdentifier`` (a name or an ARN)."""
    name = request.get("logGroupName")
    identifier = request.get("logGroupIdentifier")
    if name is not None and identifier is not None:
        raise invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if name is None and identifier is None:
        raise invalid("Either logGroupName or logGroupIdentifier must be provided.")
    if identifier is not None:
        return name_from_identifier(identifier)
    return str(name)


def name_from_identifier(identifier: str) -> str:
    if not identifier.startswith("arn:"):
        return identifier
    arn = try_parse_arn(identifier)
    if arn is None or arn.service != "logs" or not arn.resource.startswith("log-group:"):
        raise invalid(f"Invalid log group identifier: {identifier}")
    name = arn.resource[len("log-group:"):]
    return name[:-2] if name.endswith(":*") else name


def group(ctx: Ctx, request: dict[str, Any]) -> LogGroup:
    found = ctx.state.groups.get(group_name_of(request))
    if found is None:
        raise group_not_found()
    found.expire(ctx.clock.millis())
    return found


def stream(group: LogGroup, name: str) -> LogStream:
    found = group.streams.get(name)
    if found is None:
        raise stream_not_found()
    return found


def group_by_arn(ctx: Ctx, arn_text: str) -> LogGroup:
    """TagResource's ``resourceArn``: a log group's ARN (with or without ``:*``)."""
    arn = try_parse_arn(arn_text)
    if arn is None or arn.service != "logs" or not arn.resource.startswith("log-group:"):
        raise invalid(f"Invalid resource ARN: {arn_text}")
    if (arn.account, arn.region) != (ctx.state.account, ctx.state.region):
        raise errors.ResourceNotFoundException(f"The specified resource does not exist: {arn_text}")
    found = ctx.state.groups.get(name_from_identifier(arn_text))
    if found is None:
        raise errors.ResourceNotFoundException("The specified log group does not exist.")
    return found


def group_output(backend: LogsBackend, group: LogGroup) -> dict[str, Any]:
    arn = backend.group_arn(group.name)
    output: dict[str, Any] = {
        "logGroupName": group.name,
        "creationTime": group.creation_time,
        "metricFilterCount": len(group.metric_filters),
        "arn": arn + ":*",
        "logGroupArn": arn,
        "storedBytes": group.stored_bytes,
        "logGroupClass": group.log_group_class,
        "deletionProtectionEnabled": group.deletion_protection,
    }
    if group.retention_in_days is not None:
        output["retentionInDays"] = group.retention_in_days
    if group.kms_key_id is not None:
        output["kmsKeyId"] = group.kms_key_id
    return output


def stream_output(backend: LogsBackend, group: LogGroup, stream: LogStream) -> dict[str, Any]:
    output: dict[str, Any] = {
        "logStreamName": stream.name,
        "creationTime": stream.creation_time,
        "arn": backend.stream_arn(group.name, stream.name),
        "storedBytes": stream.stored_bytes,
        "uploadSequenceToken": f"{stream.next_seq + 1:056d}",
    }
    if stream.events:
        output["firstEventTimestamp"] = stream.first_event_timestamp
        output["lastEventTimestamp"] = stream.last_event_timestamp
    if stream.last_ingestion_time is not None:
        output["lastIngestionTime"] = stream.last_ingestion_time
    return output

"""Event source mappings: SQS queues, DynamoDB streams and Kinesis streams Lambda reads for a
function (see ``runtime.mapping_poller``). A DynamoDB stream mapping's LATEST starting position
is the stream's newest record when the mapping is created, read through the change-stream port
with Lambda's lock released (the port's owner takes its own); a Kinesis mapping's is the
moment it was created (records that arrive after it)."""

from __future__ import annotations

import datetime as dt
import uuid as uuids
from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import conflict, errors, function_not_found, invalid
from ..runtime import record_filters
from ..state import EventSourceMapping
from . import ops
from .common import TAG_RULES, Ctx, resolve, split_name


def _output(ctx: Ctx, mapping: EventSourceMapping) -> dict[str, Any]:
    out: dict[str, Any] = {
        "UUID": mapping.uuid, "BatchSize": mapping.batch_size, "EventSourceArn": mapping.event_source_arn,
        "FunctionArn": ctx.state.function_arn(mapping.function_name, mapping.qualifier),
        "LastModified": dt.datetime.fromtimestamp(mapping.last_modified, dt.UTC),
        "State": mapping.state, "StateTransitionReason": "USER_INITIATED",
        "MaximumBatchingWindowInSeconds": mapping.batching_window,
        "FunctionResponseTypes": list(mapping.response_types),
        "LastProcessingResult": mapping.last_processing_result,
        "EventSourceMappingArn": f"arn:aws:lambda:{ctx.state.region}:{ctx.state.account}:"
                                 f"event-source-mapping:{mapping.uuid}",
    }
    if mapping.starting_position == "AT_TIMESTAMP" and mapping.starting_position_timestamp is not None:
        out["StartingPositionTimestamp"] = dt.datetime.fromtimestamp(mapping.starting_position_timestamp,
                                                                     dt.UTC)
    if mapping.filters:
        out["FilterCriteria"] = {"Filters": [{"Pattern": pattern} for pattern in mapping.filters]}
    if mapping.is_stream:
        out.update({
            "StartingPosition": mapping.starting_position, "ParallelizationFactor": 1, "TumblingWindowInSeconds": 0,
            "MaximumRetryAttempts": -1 if mapping.maximum_retry_attempts is None else mapping.maximum_retry_attempts,
            "MaximumRecordAgeInSeconds": -1 if mapping.maximum_record_age is None else mapping.maximum_record_age,
            "BisectBatchOnFunctionError": mapping.bisect,
            "DestinationConfig": {"OnFailure": {"Destination": mapping.on_failure} if mapping.on_failure else {}},
        })
    return out


def _mapping(ctx: Ctx, uuid: str) -> EventSourceMapping:
    mapping = ctx.state.mappings.get(uuid)
    if mapping is None:
        raise errors.ResourceNotFoundException(f"The resource you requested does not exist. (Service: Lambda, "
                                               f"Status Code: 404, Request ID: {ctx.request_id})")
    mapping.settle()
    return mapping


def _filters(request: dict[str, Any]) -> list[str] | None:
    """FilterCriteria's patterns, checked; None when the request leaves them as they are (an
    empty ``Filters`` list removes them)."""
    criteria = request.get("FilterCriteria")
    if criteria is None:
        return None
    patterns = [item.get("Pattern") or "" for item in criteria.get("Filters") or []]
    try:
        record_filters.check(patterns)
    except record_filters.FilterError:
        raise invalid("Invalid filter pattern definition.") from None
    return patterns


def _check_batching(batch_size: int, window: int) -> None:
    if batch_size > 10 and window < 1:
        raise invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
                      "than 10")


def _start_polling(ctx: Ctx) -> None:
    service = ctx.service
    ctx.after_commit(service.poller.ensure_running)


STREAM_ONLY = ("StartingPosition", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
               "BisectBatchOnFunctionError", "DestinationConfig", "ParallelizationFactor")


def _on_failure(request: dict[str, Any]) -> str | None:
    """The on-failure destination (an SQS queue or SNS topic), checked as AWS checks it."""
    target = ((request.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if not target:
        return None
    arn = try_parse_arn(target)
    if arn is None or arn.service not in ("sqs", "sns"):
        raise invalid(f"The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure("
                      f"destination={target})) is invalid.")
    return str(target)


def _stream_settings(mapping: EventSourceMapping, request: dict[str, Any]) -> None:
    """MaximumRetryAttempts, MaximumRecordAgeInSeconds, BisectBatchOnFunctionError and the
    on-failure destination of a stream mapping, from a create or update request."""
    on_failure = _on_failure(request) if "DestinationConfig" in request else mapping.on_failure
    age = request.get("MaximumRecordAgeInSeconds", mapping.maximum_record_age)
    if age is not None and age != -1 and not 60 <= age <= 604800:  # the model's range starts at -1
        raise invalid("MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)")
    if "MaximumRetryAttempts" in request:
        mapping.maximum_retry_attempts = request["MaximumRetryAttempts"]
    mapping.maximum_record_age = age
    if "BisectBatchOnFunctionError" in request:
        mapping.bisect = bool(request["BisectBatchOnFunctionError"])
    mapping.on_failure = on_failure


def _stream_head(ctx: Ctx, source: str) -> tuple[bool, str | None]:
    """Whether the DynamoDB stream exists, and its newest record's sequence number, read through
    the change-stream port with Lambda's lock released (a handler registered ``blocking``)."""
    with ctx.unlocked():
        streams = ctx.emulator.ports.streams("dynamodb")
        stream = streams.stream(source) if streams is not None else None
    if stream is None or stream.status != "ENABLED":
        return False, None
    return True, stream.last_sequence


def _kinesis_stream_exists(ctx: Ctx, source: str, position: str, request: dict[str, Any]) -> bool:
    """Whether the Kinesis stream exists (the delivery port's lock-free probe), once the
    starting position is checked: AT_TIMESTAMP needs StartingPositionTimestamp."""
    if position == "AT_TIMESTAMP" and request.get("StartingPositionTimestamp") is None:
        raise invalid("StartingPositionTimestamp must be specified for the AT_TIMESTAMP starting position.")
    if position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
        raise invalid(f"Unsupported starting position {position} for Kinesis stream event sources.")
    probe = ctx.emulator.ports.probe("kinesis")
    return probe is not None and probe(source)


@ops.operation(blocking=True)
def create_event_source_mapping(ctx: Ctx, request: dict[str, Any]) -> Reply:
    source = request.get("EventSourceArn") or ""
    arn = try_parse_arn(source)
    kinesis = arn is not None and arn.service == "kinesis" and arn.resource.startswith("stream/")
    stream = kinesis or (arn is not None and arn.service == "dynamodb" and "/stream/" in arn.resource)
    if arn is None or (arn.service != "sqs" and not stream):
        raise invalid("hoarfrost's event source mappings read SQS queues, DynamoDB streams and Kinesis streams; "
                      "other sources are not supported yet.")
    head: str | None = None
    if stream:
        position = request.get("StartingPosition")
        if position is None:
            raise invalid("1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                          "constraint: Member must not be null")
        if kinesis:
            found = _kinesis_stream_exists(ctx, source, position, request)
        elif position not in ("TRIM_HORIZON", "LATEST"):
            raise invalid(f"Unsupported starting position {position} for DynamoDB stream event sources.")
        else:
            found, head = _stream_head(ctx, source)  # first: the handler's lock is released meanwhile
        if not found:
            raise invalid(f"Cannot access stream {source}. Please ensure the role can perform the GetRecords, "
                          "GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.")
    else:
        for member in STREAM_ONLY:
            if member in request:
                raise invalid(f"Unsupported {member} parameter for given event source mapping type.")
    filters = _filters(request)
    function, qualifier = resolve(ctx, request)
    if qualifier is not None and function.config(qualifier) is None and qualifier not in function.aliases:
        raise function_not_found(ctx.state.function_arn(function.name, qualifier))
    if not stream and not ctx.emulator.accepts(source):
        raise invalid("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                      "SQS Error Message: The specified queue does not exist for this wsdl version.")
    for other in ctx.state.mappings.values():
        if other.event_source_arn == source and other.function_name == function.name and stream:
            raise conflict(f'The event source arn (" {source} ") and function (" {function.name} ") provided mapping '
                           f"already exists. Please update or delete the existing mapping with UUID {other.uuid}")
        if other.event_source_arn == source and other.function_name == function.name:
            raise conflict(f'An event source mapping with SQS arn (" {source} ") and function (" {function.name} ") '
                           f"already exists. Please update or delete the existing mapping with UUID {other.uuid}")
    batch_size = request.get("BatchSize") or (100 if stream else 10)
    window = request.get("MaximumBatchingWindowInSeconds") or 0
    if not stream:
        _check_batching(batch_size, window)
    enabled = request.get("Enabled", True)
    mapping = EventSourceMapping(
        uuid=str(uuids.uuid4()), event_source_arn=source, function_name=function.name, qualifier=qualifier,
        batch_size=batch_size, last_modified=ctx.clock.time(), batching_window=window, enabled=enabled,
        state="Creating", response_types=list(request.get("FunctionResponseTypes") or []),
        tags=tagkit.check(request.get("Tags") or {}, TAG_RULES), filters=filters or [],
    )
    if stream:
        mapping.starting_position = request["StartingPosition"]
        # TRIM_HORIZON reads from the oldest retained record; LATEST after the newest one now.
        mapping.position = head if mapping.starting_position == "LATEST" and not kinesis else None
        if kinesis and mapping.starting_position != "TRIM_HORIZON":
            given = request.get("StartingPositionTimestamp")
            mapping.starting_position_timestamp = (ctx.clock.time() if given is None else
                                                   given.timestamp() if hasattr(given, "timestamp") else float(given))
        _stream_settings(mapping, request)
    ctx.state.mappings[mapping.uuid] = mapping
    if enabled:
        _start_polling(ctx)
    return Reply(_output(ctx, mapping), status=202)


@ops.operation
def get_event_source_mapping(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    return _output(ctx, _mapping(ctx, request["UUID"]))


@ops.operation
def update_event_source_mapping(ctx: Ctx, request: dict[str, Any]) -> Reply:
    mapping = _mapping(ctx, request["UUID"])
    filters = _filters(request)
    target = resolve(ctx, request) if "FunctionName" in request else None
    batch_size = request.get("BatchSize", mapping.batch_size)
    window = request.get("MaximumBatchingWindowInSeconds", mapping.batching_window)
    if not mapping.is_stream:
        _check_batching(batch_size, window)
        for member in STREAM_ONLY[1:]:
            if member in request:
                raise invalid(f"Unsupported {member} parameter for given event source mapping type.")
    if mapping.is_stream:
        _stream_settings(mapping, request)  # checks all it takes before it changes the mapping
    if target is not None:  # only once the request is known valid: a refused update changes nothing
        mapping.function_name, mapping.qualifier = target[0].name, target[1]
    mapping.batch_size, mapping.batching_window = batch_size, window
    if "FunctionResponseTypes" in request:
        mapping.response_types = list(request["FunctionResponseTypes"])
    if filters is not None:
        mapping.filters = filters
    if "Enabled" in request:
        mapping.enabled = bool(request["Enabled"])
    mapping.state = "Updating"
    mapping.last_modified = ctx.clock.time()
    if mapping.enabled:
        _start_polling(ctx)
    return Reply(_output(ctx, mapping), status=202)


@ops.operation
def delete_event_source_mapping(ctx: Ctx, request: dict[str, Any]) -> Reply:
    mapping = _mapping(ctx, request["UUID"])
    del ctx.state.mappings[mapping.uuid]
    mapping.state = "Deleting"
    return Reply(_output(ctx, mapping), status=202)


@ops.operation
def list_event_source_mappings(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    source = request.get("EventSourceArn")
    name = split_name(request["FunctionName"])[0] if request.get("FunctionName") else None
    found = [m for _, m in sorted(ctx.state.mappings.items())
             if (source is None or m.event_source_arn == source) and (name is None or m.function_name == name)]
    for mapping in found:
        mapping.settle()
    page = paginate(found, request.get("Marker"), request.get("MaxItems") or 100,
                    kind="lambda:ListEventSourceMappings", error=lambda: invalid("Invalid marker."))
    return {"EventSourceMappings": [_output(ctx, m) for m in page.items], **page.token_member("NextMarker")}

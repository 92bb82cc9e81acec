"""Enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer,
ListStreamConsumers, DeregisterStreamConsumer. A consumer's ARN is its stream's ARN with
``/consumer/<name>:<creation epoch seconds>``, as AWS's; it is ACTIVE once registered (AWS
passes through CREATING for seconds)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.kit.paging import key_token, token_key
from hoarfrost.services.kinesis.errors import errors, invalid
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import (
    KinesisContext,
    consumer_of,
    find_stream,
    stream_name_of,
    stream_named,
)
from hoarfrost.services.kinesis.handlers.tags import TAG_RULES
from hoarfrost.services.kinesis.state import Consumer, Stream

MAX_CONSUMERS = 20
LIST_KIND = "kinesis:ListStreamConsumers"


def _output(consumer: Consumer) -> dict[str, Any]:
    return {"ConsumerName": consumer.name, "ConsumerARN": consumer.arn, "ConsumerStatus": consumer.status,
            "ConsumerCreationTimestamp": consumer.created}


@ops.operation
def register_stream_consumer(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request)
    name = request["ConsumerName"]
    if name in stream.consumers:
        raise errors.ResourceInUseException(
            f"Consumer {stream.consumers[name].arn} under account {ctx.scope.account} already exists.")
    if len(stream.consumers) >= MAX_CONSUMERS:
        raise errors.LimitExceededException(
            f"Consumer limit of {MAX_CONSUMERS} for stream {stream.arn} has been reached.")
    now = ctx.clock.time()
    consumer = Consumer(name, f"{stream.arn}/consumer/{name}:{int(now)}", now,
                        tags=tagkit.check(request.get("Tags") or {}, TAG_RULES))
    stream.consumers[name] = consumer
    return {"Consumer": _output(consumer)}


def find_consumer(ctx: KinesisContext, request: dict[str, Any]) -> tuple[Stream, Consumer]:
    """The consumer named by ConsumerARN, or by StreamARN and ConsumerName."""
    arn = request.get("ConsumerARN")
    if arn is not None:
        name = stream_name_of(arn)
        if name is None or "/consumer/" not in arn:
            raise invalid(f"Invalid ConsumerARN: {arn}.")
        stream = stream_named(ctx, name)
        consumer = consumer_of(stream, arn)
        if consumer is None:
            raise errors.ResourceNotFoundException(f"Consumer {arn} under account {ctx.scope.account} not found.")
        return stream, consumer
    if request.get("StreamARN") is None or request.get("ConsumerName") is None:
        raise invalid("Either ConsumerARN or both ConsumerName and StreamARN must be provided.")
    stream = find_stream(ctx, request)
    consumer = stream.consumers.get(request["ConsumerName"])
    if consumer is None:
        raise errors.ResourceNotFoundException(
            f"Consumer {request['ConsumerName']} for stream {stream.arn} under account {ctx.scope.account} "
            "not found.")
    return stream, consumer


@ops.operation
def describe_stream_consumer(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream, consumer = find_consumer(ctx, request)
    return {"ConsumerDescription": {**_output(consumer), "StreamARN": stream.arn}}


@ops.operation
def deregister_stream_consumer(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream, consumer = find_consumer(ctx, request)
    del stream.consumers[consumer.name]


def _bad_token() -> Exception:
    return errors.ExpiredNextTokenException("The NextToken is invalid or has expired.")


@ops.operation
def list_stream_consumers(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request)
    names = sorted(stream.consumers)
    token = request.get("NextToken")
    if token is not None:
        after = token_key(LIST_KIND, token, _bad_token)
        if not isinstance(after, tuple) or len(after) != 2 or after[0] != stream.arn:
            raise _bad_token()
        names = [n for n in names if n > str(after[1])]
    limit = request.get("MaxResults") or 100
    page = names[:limit]
    output: dict[str, Any] = {"Consumers": [_output(stream.consumers[n]) for n in page]}
    if len(names) > limit:
        output["NextToken"] = key_token(LIST_KIND, (stream.arn, page[-1]))
    return output

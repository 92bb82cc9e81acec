"""Resource policies on a stream or a consumer: PutResourcePolicy, GetResourcePolicy,
DeleteResourcePolicy (the kit's policy parser checks the document). They are stored and read
by IAM enforcement through the policy source the service registers."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.services.kinesis.errors import errors, invalid
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import KinesisContext, resource_at


@ops.operation
def put_resource_policy(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream, consumer = resource_at(ctx, request["ResourceARN"])
    try:
        parse_policy(request["Policy"])
    except PolicyError as error:
        raise invalid(f"Invalid policy: {error}") from None
    if consumer is not None:
        consumer.policy = request["Policy"]
    else:
        stream.policy = request["Policy"]


@ops.operation
def get_resource_policy(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    """The policy, or ``{}`` when the resource has none (as AWS answers)."""
    stream, consumer = resource_at(ctx, request["ResourceARN"])
    policy = consumer.policy if consumer is not None else stream.policy
    return {"Policy": policy if policy is not None else "{}"}


@ops.operation
def delete_resource_policy(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream, consumer = resource_at(ctx, request["ResourceARN"])
    holder = consumer if consumer is not None else stream
    if holder.policy is None:
        raise errors.ResourceNotFoundException(f"No resource policy found for resource ARN {request['ResourceARN']}.")
    holder.policy = None

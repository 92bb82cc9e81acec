"""Tags and permissions: TagQueue / UntagQueue / ListQueueTags, and AddPermission /
RemovePermission, which edit statements of the queue's Policy attribute as SQS does."""

from __future__ import annotations

import json
from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import build_arn, partition_for
from hoarfrost.core.kit.tags import TagRules
from hoarfrost.services.sqs.errors import (
    InvalidParameterValue,
    OverLimit,
    invalid_parameter,
    missing_parameter,
)
from hoarfrost.services.sqs.handlers.common import SqsContext, operation, resolve_queue
from hoarfrost.services.sqs.state import Queue

MAX_ACTIONS = 7
# The actions AddPermission may grant (SQS answers with them prefixed "SQS:").
SHAREABLE_ACTIONS = frozenset((
    "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
    "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags", "ListMessageMoveTasks",
    "StartMessageMoveTask", "CancelMessageMoveTask",
))


TAG_RULES = TagRules(
    too_many=lambda limit: InvalidParameterValue(f"Too many tags added for queue. The maximum is {limit}."),
    bad_key=lambda key: InvalidParameterValue("Tag keys must be between 1 and 128 characters long."),
    bad_value=lambda key, value: InvalidParameterValue(f"The value of tag {key} must be at most 256 characters long."),
    reserved=lambda key: InvalidParameterValue(f"Tag key {key} is reserved: keys starting with 'aws:' belong to AWS."),
)


@operation
def tag_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    tags = request.get("Tags") or {}
    if not tags:
        raise missing_parameter("Tags")
    tagging.tag(queue.tags, tags, TAG_RULES)
    return {}


@operation
def untag_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    keys = request.get("TagKeys") or []
    if not keys:
        raise missing_parameter("TagKeys")
    tagging.untag(queue.tags, keys, TAG_RULES)
    return {}


@operation
def list_queue_tags(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    return {"Tags": dict(queue.tags)} if queue.tags else {}


@operation
def add_permission(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    label = request["Label"]
    accounts = request.get("AWSAccountIds") or []
    actions = request.get("Actions") or []
    if not accounts:
        raise missing_parameter("AWSAccountIds")
    if not actions:
        raise missing_parameter("Actions")
    if len(actions) > MAX_ACTIONS:
        raise OverLimit(f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
    for action in actions:
        if action.removeprefix("SQS:") not in SHAREABLE_ACTIONS:
            raise invalid_parameter("Actions", action, "Only the queue owner is allowed to invoke this action")
    policy = _policy(queue)
    statements = policy["Statement"]
    if any(statement.get("Sid") == label for statement in statements):
        raise invalid_parameter("Label", label, "Already exists")
    partition = partition_for(queue.region)
    principals = [build_arn("iam", "", account, "root", partition) for account in accounts]
    granted = [f"SQS:{action.removeprefix('SQS:')}" for action in actions]
    statements.append({
        "Sid": label,
        "Effect": "Allow",
        "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
        "Action": granted[0] if len(granted) == 1 else granted,
        "Resource": queue.arn,
    })
    queue.set_attributes({"Policy": json.dumps(policy, separators=(",", ":"))}, modified_at=ctx.clock.time())
    return {}


@operation
def remove_permission(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    label = request["Label"]
    policy = _policy(queue)
    kept = [statement for statement in policy["Statement"] if statement.get("Sid") != label]
    if len(kept) == len(policy["Statement"]):
        raise invalid_parameter("Label", label, "can't find label on existing policy")
    policy["Statement"] = kept
    queue.set_attributes({"Policy": json.dumps(policy, separators=(",", ":")) if kept else ""}, modified_at=ctx.clock.time())
    return {}


def _policy(queue: Queue) -> dict[str, Any]:
    """The queue's policy document (a new default one when it has none), with a Statement list."""
    text = queue.attributes.get("Policy")
    policy: dict[str, Any] = json.loads(text) if text else {
        "Version": "2012-10-17",
        "Id": f"{queue.arn}/SQSDefaultPolicy",
        "Statement": [],
    }
    statements = policy.get("Statement")
    if statements is None:
        policy["Statement"] = []
    elif isinstance(statements, dict):
        policy["Statement"] = [statements]
    return policy

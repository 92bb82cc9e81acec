"""Tags and permissions: TagQueue / UntagQueue / ListQueueTags, and AddPermission /
RemovePermission, which edit statements of the queue's Policy attribute as SQS does."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.policy_grants import (
    DuplicateStatement,
    dump_document,
    grant,
    load_document,
    revoke,
)
from hoarfrost.core.kit.tags import TagRules
from hoarfrost.services.sqs.errors import (
    errors,
    invalid_parameter,
    missing_parameter,
)
from hoarfrost.services.sqs.handlers.common import SqsContext, operation, resolve_queue

MAX_ACTIONS = 7
# The actions AddPermission may grant (SQS answers with them prefixed "SQS:").
SHAREABLE_ACTIONS = frozenset((
    "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
    "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags", "ListMessageMoveTasks",
    "StartMessageMoveTask", "CancelMessageMoveTask",
))


TAG_RULES = TagRules(
    too_many=lambda limit: errors.InvalidParameterValueException(
        f"Too many tags added for queue. The maximum is {limit}."),
    bad_key=lambda key: errors.InvalidParameterValueException("Tag keys must be between 1 and 128 characters long."),
    bad_value=lambda key, value: errors.InvalidParameterValueException(
        f"The value of tag {key} must be at most 256 characters long."),
    reserved=lambda key: errors.InvalidParameterValueException(
        f"Tag key {key} is reserved: keys starting with 'aws:' belong to AWS."),
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
        raise errors.OverLimit(f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
    for action in actions:
        if action.removeprefix("SQS:") not in SHAREABLE_ACTIONS:
            raise invalid_parameter("Actions", action, "Only the queue owner is allowed to invoke this action")
    document = load_document(queue.attributes.get("Policy"), {
        "Version": "2012-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": [],
    })
    try:
        grant(document, sid=label, accounts=accounts, actions=actions, vendor="SQS", resource=queue.arn)
    except DuplicateStatement:
        raise invalid_parameter("Label", label, "Already exists") from None
    queue.set_attributes({"Policy": dump_document(document)}, modified_at=ctx.clock.time())
    return {}


@operation
def remove_permission(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    label = request["Label"]
    document = load_document(queue.attributes.get("Policy"))
    if not revoke(document, label):
        raise invalid_parameter("Label", label, "can't find label on existing policy")
    text = dump_document(document) if document["Statement"] else ""
    queue.set_attributes({"Policy": text}, modified_at=ctx.clock.time())
    return {}

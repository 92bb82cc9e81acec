"""Queue operations: create, delete, find, list, attributes, purge, dead-letter sources."""

from __future__ import annotations

import json
from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import build_arn
from hoarfrost.services.sqs.attributes import COMPUTED, check_requested, check_settable
from hoarfrost.services.sqs.checks import check_queue_name
from hoarfrost.services.sqs.errors import (
    errors,
    invalid_parameter,
    queue_does_not_exist,
)
from hoarfrost.services.sqs.handlers.common import (
    SqsContext,
    backend,
    name_page,
    operation,
    resolve_queue,
    url_of,
)
from hoarfrost.services.sqs.handlers.permissions import TAG_RULES
from hoarfrost.services.sqs.state import PURGE_INTERVAL, DeletedQueue, Queue, SqsBackend
from hoarfrost.services.sqs.urls import queue_url


@operation
def create_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["QueueName"]
    attributes = dict(request.get("Attributes") or {})
    fifo = str(attributes.get("FifoQueue", "false")).lower() == "true"
    check_queue_name(name, fifo)
    checked = check_settable(attributes, fifo, creating=True)
    state = backend(ctx)
    existing = state.queues.get(name)
    if existing is not None:
        for attribute, value in checked.items():
            current = existing.attributes.get(attribute, "")
            if current != value:
                raise errors.QueueNameExists(
                    f"A queue already exists with the same name and a different value for attribute {attribute}"
                )
        return {"QueueUrl": url_of(ctx, existing)}
    now = ctx.clock.time()
    if state.recently_deleted(name, now):
        raise errors.QueueDeletedRecently(
            "You must wait 60 seconds after deleting a queue before you can create another with the same name."
        )
    tags = tagging.check(request.get("tags") or {}, TAG_RULES)
    arn = build_arn("sqs", ctx.region, ctx.account, name)
    check_dead_letter_target(state, arn, fifo, checked)
    queue = Queue(name=name, arn=arn, attributes=checked, tags=tags, created=now, last_modified=now)
    state.queues[name] = queue
    return {"QueueUrl": url_of(ctx, queue)}


@operation
def delete_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    state = backend(ctx)
    del state.queues[queue.name]
    state.deleted[queue.name] = DeletedQueue(name=queue.name, deleted=ctx.clock.time())
    ctx.wake()  # long polls on it end
    return {}


@operation
def get_queue_url(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["QueueName"]
    if name not in backend(ctx).queues:  # the owner's scope (SqsService.scope_for)
        raise queue_does_not_exist()
    return {"QueueUrl": queue_url(ctx, ctx.scope.account, name)}


@operation
def list_queues(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("QueueNamePrefix") or ""
    names = sorted(name for name in backend(ctx).queues if name.startswith(prefix))
    page = name_page(names, request, "sqs:ListQueues")
    output: dict[str, Any] = page.token_member()
    if page.items:
        output["QueueUrls"] = [queue_url(ctx, ctx.account, name) for name in page.items]
    return output


@operation
def get_queue_attributes(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    names = request.get("AttributeNames") or []
    if not names:
        return {}
    wanted = check_requested(names)
    attributes = queue_attributes(queue, ctx.clock.time())
    if wanted is not None:
        attributes = {name: value for name, value in attributes.items() if name in wanted}
    return {"Attributes": attributes} if attributes else {}


def queue_attributes(queue: Queue, now: float) -> dict[str, str]:
    """Every attribute GetQueueAttributes answers for ``All``, in AWS's order."""
    visible, in_flight, delayed = queue.counts(now)
    computed = {
        "QueueArn": queue.arn,
        "ApproximateNumberOfMessages": str(visible),
        "ApproximateNumberOfMessagesNotVisible": str(in_flight),
        "ApproximateNumberOfMessagesDelayed": str(delayed),
        "CreatedTimestamp": str(int(queue.created)),
        "LastModifiedTimestamp": str(int(queue.last_modified)),
    }
    assert tuple(computed) == COMPUTED
    return {**computed, **queue.attributes}


@operation
def set_queue_attributes(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    checked = check_settable(dict(request.get("Attributes") or {}), queue.fifo, creating=False)
    check_dead_letter_target(backend(ctx), queue.arn, queue.fifo, checked)
    queue.set_attributes(checked, modified_at=ctx.clock.time())
    ctx.wake()  # a shorter delay or wait may release a long poll
    return {}


def check_dead_letter_target(state: SqsBackend, source_arn: str, fifo: bool, attributes: dict[str, str]) -> None:
    """A RedrivePolicy must name an existing queue of the same type that allows this source."""
    policy_text = attributes.get("RedrivePolicy")
    if not policy_text:
        return
    target_arn = json.loads(policy_text)["deadLetterTargetArn"]
    target = state.queue_by_arn(target_arn)
    if target is None:
        raise invalid_parameter("RedrivePolicy", policy_text, "Dead letter target does not exist")
    if target.fifo != fifo:
        raise invalid_parameter("RedrivePolicy", policy_text,
                                "Dead-letter queue must be same type of queue as the source.")
    allow_text = target.attributes.get("RedriveAllowPolicy")
    if allow_text:
        allow = json.loads(allow_text)
        permission = allow.get("redrivePermission")
        if permission == "denyAll" or (permission == "byQueue" and source_arn not in allow.get("sourceQueueArns", [])):
            raise invalid_parameter("RedrivePolicy", policy_text, f"Queue {target_arn} does not allow this queue "
                                    "to use it as a dead-letter queue")


@operation
def purge_queue(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    now = ctx.clock.time()
    if queue.last_purge is not None and now - queue.last_purge < PURGE_INTERVAL:
        raise errors.PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
    queue.purge(now)
    return {}


@operation
def list_dead_letter_source_queues(ctx: SqsContext, request: dict[str, Any]) -> dict[str, Any]:
    queue = resolve_queue(ctx, request["QueueUrl"])
    names = sorted(source.name for source in backend(ctx).dead_letter_sources(queue))
    page = name_page(names, request, "sqs:ListDeadLetterSourceQueues")
    return {"queueUrls": [queue_url(ctx, ctx.account, name) for name in page.items], **page.token_member()}

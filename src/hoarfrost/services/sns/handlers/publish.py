"""Publish and PublishBatch: to a topic (fan-out), a platform endpoint, or a phone number."""

from __future__ import annotations

import re
from typing import Any

from hoarfrost.core.backend import Scope
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.sns import messages
from hoarfrost.services.sns.attributes import max_message_size
from hoarfrost.services.sns.delivery import Publication, content_deduplication_id
from hoarfrost.services.sns.errors import (
    errors,
    invalid,
)
from hoarfrost.services.sns.handlers import ops
from hoarfrost.services.sns.handlers.common import (
    SnsContext,
    base_url,
    deliverer,
    topic_access,
    valid_phone,
)
from hoarfrost.services.sns.state import SnsBackend, Topic

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 262144
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


@ops.operation
def publish(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    targets = [name for name in ("TopicArn", "TargetArn", "PhoneNumber") if request.get(name)]
    if not targets:
        raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
    if len(targets) > 1:
        raise invalid(f"{targets[1]} Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified")
    if "PhoneNumber" in targets:
        return _publish_sms(ctx, request)
    arn_text = request.get("TopicArn") or request["TargetArn"]
    arn = try_parse_arn(arn_text)
    if "TargetArn" in targets and arn is not None and arn.resource.startswith("endpoint/"):
        return _publish_to_endpoint(ctx, request, arn_text)
    member = targets[0]
    with topic_access(ctx, arn_text, "Publish", member) as (backend, scope, topic):
        return publish_to_topic(ctx, backend, scope, topic, request)


def publish_to_topic(ctx: SnsContext, backend: SnsBackend, scope: Scope[Any], topic: Topic,
                     request: dict[str, Any]) -> dict[str, Any]:
    """The FIFO rules, deduplication, then fan-out; the answer Publish gives."""
    publication = messages.build(request, ctx.clock.time(), max_message_size(topic))
    if topic.fifo:
        check_fifo_keys(topic, request)
        if publication.deduplication_id is None:
            publication.deduplication_id = content_deduplication_id(publication.message)
        dedup_key = publication.deduplication_id
        if topic.attributes.get("FifoThroughputScope") == "MessageGroup":
            dedup_key = f"{publication.group_id}\x00{dedup_key}"
        duplicate = topic.recent_duplicate(dedup_key, publication.sent_at)
        if duplicate is not None:
            return {"MessageId": duplicate[0], "SequenceNumber": duplicate[1]}
        publication.sequence_number = topic.next_sequence_number()
        topic.remember(dedup_key, publication.message_id, publication.sequence_number, publication.sent_at)
    elif publication.deduplication_id is not None:
        raise invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
                      "that is not valid for this topic type")
    deliverer(ctx).fan_out(backend, scope, topic, publication, base_url(ctx), ctx.after_commit)
    output: dict[str, Any] = {"MessageId": publication.message_id}
    if publication.sequence_number is not None:
        output["SequenceNumber"] = publication.sequence_number
    return output


def check_fifo_keys(topic: Topic, request: dict[str, Any]) -> None:
    """A FIFO publish names its message group, and a deduplication id unless the topic derives
    one from the message. PublishBatch checks every entry first: one entry without them fails
    the whole request."""
    if not request.get("MessageGroupId"):
        raise invalid("The MessageGroupId parameter is required for FIFO topics")
    if request.get("MessageDeduplicationId") is None and not topic.content_based_deduplication:
        raise invalid("The topic should either have ContentBasedDeduplication enabled or "
                      "MessageDeduplicationId provided explicitly")


def _publish_sms(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    phone = request["PhoneNumber"]
    if not valid_phone(phone):
        raise invalid(f"PhoneNumber Reason: {phone} is not valid to publish to")
    publication = _direct_publication(ctx, request)
    backend: SnsBackend = ctx.state
    if phone in backend.opted_out:
        deliverer(ctx).direct(backend, "sms", phone, publication.message, publication, "failed",
                              "The phone number has opted out of receiving SMS messages")
    else:
        deliverer(ctx).direct(backend, "sms", phone, publication.message, publication)
    return {"MessageId": publication.message_id}


def _publish_to_endpoint(ctx: SnsContext, request: dict[str, Any], arn: str) -> dict[str, Any]:
    backend: SnsBackend = ctx.state
    endpoint = backend.platform_endpoints.get(arn)
    if endpoint is None:
        raise invalid("TargetArn Reason: No endpoint found for the target arn specified")
    application = backend.platform_applications.get(endpoint.application_arn)
    if application is not None and not application.enabled:
        raise errors.PlatformApplicationDisabledException("Platform application is disabled.")
    if not endpoint.enabled:
        raise errors.EndpointDisabledException("Endpoint is disabled")
    publication = _direct_publication(ctx, request)
    text = deliverer(ctx).platform_text(backend, arn, publication)
    deliverer(ctx).direct(backend, "application", arn, text, publication)
    return {"MessageId": publication.message_id}


def _direct_publication(ctx: SnsContext, request: dict[str, Any]) -> Publication:
    for member in ("MessageGroupId", "MessageDeduplicationId"):
        if request.get(member) is not None:
            raise invalid(f"{member} Reason: The request includes {member} parameter that is not valid "
                          "for this topic type")
    return messages.build(request, ctx.clock.time())


@ops.operation
def publish_batch(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = request.get("PublishBatchRequestEntries") or []
    if not entries:
        raise errors.EmptyBatchRequestException("The batch request doesn't contain any entries.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise errors.TooManyEntriesInBatchRequestException("The batch request contains more entries than permissible.")
    ids = [entry["Id"] for entry in entries]
    if len(set(ids)) != len(ids):
        raise errors.BatchEntryIdsNotDistinctException("Two or more batch entries in the request have the same Id.")
    if not all(_BATCH_ID.match(entry_id) for entry_id in ids):
        raise errors.InvalidBatchEntryIdException(
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long.")
    total = sum(messages.message_size(entry.get("Message") or "", entry.get("MessageAttributes") or {})
                for entry in entries)
    if total > MAX_BATCH_BYTES:
        raise errors.BatchRequestTooLongException("The length of all the messages put together is more than the limit.")

    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with topic_access(ctx, request["TopicArn"], "Publish") as (backend, scope, topic):
        if topic.fifo:
            for entry in entries:
                check_fifo_keys(topic, entry)
        for entry in entries:
            try:
                result = publish_to_topic(ctx, backend, scope, topic, entry)
            except ServiceError as error:
                failed.append({"Id": entry["Id"], "Code": error.code, "Message": error.message,
                               "SenderFault": error.sender_fault})
                continue
            successful.append({"Id": entry["Id"], **result})
    return {"Successful": successful, "Failed": failed}

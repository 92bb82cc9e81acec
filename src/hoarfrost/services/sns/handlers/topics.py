"""Topics: create / delete / list, attributes, permissions, tags and data protection policies."""

from __future__ import annotations

import json
import re
from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.kit.policy_grants import (
    DuplicateStatement,
    dump_document,
    grant,
    load_document,
    revoke,
)
from hoarfrost.services.sns.attributes import (
    check_topic_attribute,
    set_topic_attribute,
    topic_attributes,
)
from hoarfrost.services.sns.errors import errors, invalid
from hoarfrost.services.sns.handlers import ops
from hoarfrost.services.sns.handlers.common import (
    PAGE_SIZE,
    TAG_RULES,
    SnsContext,
    parse_topic_arn,
    token_error,
    topic_access,
)
from hoarfrost.services.sns.state import SnsBackend, Topic, default_topic_policy

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
_FIFO_NAME_MESSAGE = (
    "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII "
    "letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
)


def _check_name(name: str, fifo: bool) -> None:
    if fifo:
        if not _FIFO_NAME.match(name):
            raise invalid(_FIFO_NAME_MESSAGE)
    elif not _NAME.match(name):
        raise invalid("Topic Name")


def _check_json_policy(text: str, member: str) -> None:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise invalid(f"{member}: failed to parse JSON.") from exc
    if not isinstance(document, dict):
        raise invalid(f"{member}: must be a JSON object.")


@ops.operation
def create_topic(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    name: str = request["Name"]
    attributes: dict[str, str] = dict(request.get("Attributes") or {})
    fifo = attributes.get("FifoTopic", "false").lower() == "true"
    _check_name(name, fifo)
    for attr_name, value in attributes.items():
        check_topic_attribute(attr_name, value, fifo, creating=True)
    tags = tagging.check(tagging.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
    protection = request.get("DataProtectionPolicy")
    if protection:
        _check_json_policy(protection, "DataProtectionPolicy")

    backend: SnsBackend = ctx.state
    arn = backend.topic_arn(name)
    existing = backend.topics.get(arn)
    if existing is not None:
        if any(existing.attributes.get(k, _default(existing, k)) != v for k, v in attributes.items()):
            raise invalid("Attributes Reason: Topic already exists with different attributes")
        if tags and any(existing.tags.get(k) != v for k, v in tags.items()):
            raise invalid("Tags Reason: Topic already exists with different tags")
        return {"TopicArn": arn}

    topic = Topic(arn=arn, name=name, owner=ctx.account, tags=tags, data_protection_policy=protection or None)
    topic.attributes["Policy"] = default_topic_policy(arn, ctx.account)
    topic.attributes["DisplayName"] = ""
    for attr_name, value in attributes.items():
        set_topic_attribute(topic, ctx.account, attr_name, value)
    if fifo:
        topic.attributes["FifoTopic"] = "true"
    else:
        topic.attributes.pop("FifoTopic", None)
    backend.topics[arn] = topic
    return {"TopicArn": arn}


def _default(topic: Topic, name: str) -> str:
    """What an attribute CreateTopic compares against reads as when never set."""
    if name in ("FifoTopic", "ContentBasedDeduplication"):
        return "false"
    return ""


@ops.operation
def delete_topic(ctx: SnsContext, request: dict[str, Any]) -> None:
    arn = parse_topic_arn(ctx, request["TopicArn"])
    if arn.account != ctx.account:
        with topic_access(ctx, request["TopicArn"], "DeleteTopic") as (backend, _, topic):
            backend.remove_topic(topic.arn)
        return
    ctx.state.remove_topic(request["TopicArn"])  # deleting a topic that does not exist succeeds


@ops.operation
def list_topics(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    page = paginate(sorted(ctx.state.topics), request.get("NextToken"), PAGE_SIZE, kind="sns:ListTopics",
                    key=str, error=token_error())
    return {"Topics": [{"TopicArn": arn} for arn in page.items], **page.token_member()}


@ops.operation
def get_topic_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    with topic_access(ctx, request["TopicArn"], "GetTopicAttributes") as (_, _, topic):
        return {"Attributes": topic_attributes(topic)}


@ops.operation
def set_topic_attributes(ctx: SnsContext, request: dict[str, Any]) -> None:
    name = request["AttributeName"]
    value = request.get("AttributeValue") or ""
    with topic_access(ctx, request["TopicArn"], "SetTopicAttributes") as (_, _, topic):
        check_topic_attribute(name, value, topic.fifo)
        set_topic_attribute(topic, topic.owner, name, value)


# -- permissions -----------------------------------------------------------------------------
@ops.operation
def add_permission(ctx: SnsContext, request: dict[str, Any]) -> None:
    with topic_access(ctx, request["TopicArn"], "AddPermission") as (_, _, topic):
        document = load_document(topic.access_policy)
        try:
            grant(document, sid=request["Label"], accounts=request["AWSAccountId"], actions=request["ActionName"],
                  vendor="SNS", resource=topic.arn)
        except DuplicateStatement:
            raise invalid("Statement already exists") from None
        topic.attributes["Policy"] = dump_document(document)


@ops.operation
def remove_permission(ctx: SnsContext, request: dict[str, Any]) -> None:
    with topic_access(ctx, request["TopicArn"], "RemovePermission") as (_, _, topic):
        document = load_document(topic.access_policy)
        if revoke(document, request["Label"]):  # an unknown label changes nothing, without error
            topic.attributes["Policy"] = dump_document(document)


# -- tags ------------------------------------------------------------------------------------
def _tagged_topic(ctx: SnsContext, arn: str) -> Topic:
    topic = ctx.state.topics.get(arn)
    if topic is None:
        raise errors.ResourceNotFoundException("Resource does not exist")
    return topic


@ops.operation
def tag_resource(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    topic = _tagged_topic(ctx, request["ResourceArn"])
    tagging.tag(topic.tags, tagging.from_list(request["Tags"], TAG_RULES), TAG_RULES)
    return {}


@ops.operation
def untag_resource(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    topic = _tagged_topic(ctx, request["ResourceArn"])
    tagging.untag(topic.tags, request["TagKeys"], TAG_RULES)
    return {}


@ops.operation
def list_tags_for_resource(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": tagging.to_list(_tagged_topic(ctx, request["ResourceArn"]).tags, TAG_RULES)}


# -- data protection -------------------------------------------------------------------------
def _protected_topic(ctx: SnsContext, arn: str) -> Topic:
    parse_topic_arn(ctx, arn, "ResourceArn")
    topic = ctx.state.topics.get(arn)
    if topic is None:
        raise errors.NotFoundException("Topic does not exist")
    return topic


@ops.operation
def put_data_protection_policy(ctx: SnsContext, request: dict[str, Any]) -> None:
    topic = _protected_topic(ctx, request["ResourceArn"])
    policy = request["DataProtectionPolicy"]
    if policy:
        _check_json_policy(policy, "DataProtectionPolicy")
    topic.data_protection_policy = policy or None


@ops.operation
def get_data_protection_policy(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    topic = _protected_topic(ctx, request["ResourceArn"])
    return {"DataProtectionPolicy": topic.data_protection_policy or ""}

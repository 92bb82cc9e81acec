"""Tags on streams (AddTagsToStream, ListTagsForStream, RemoveTagsFromStream) and on streams or
consumers by ARN (TagResource, UntagResource, ListTagsForResource): the kit's rules, 50 tags."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.services.kinesis.errors import errors
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import (
    KinesisContext,
    find_stream,
    resource_at,
)

TAG_RULES = tagkit.TagRules(
    too_many=lambda limit: errors.LimitExceededException(
        f"Failed to add tags to stream because a given stream cannot have more than {limit} tags."),
    bad_key=lambda key: errors.InvalidArgumentException(
        f"Failed to add tags because the tag key '{key}' must be between 1 and 128 characters."),
    bad_value=lambda key, value: errors.InvalidArgumentException(
        f"Failed to add tags because the value of tag '{key}' must be at most 256 characters."),
    reserved=lambda key: errors.InvalidArgumentException(
        f"Failed to add tags because the tag key '{key}' starts with the reserved prefix 'aws:'."),
)


@ops.operation
def add_tags_to_stream(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    tagkit.tag(stream.tags, request["Tags"], TAG_RULES)


@ops.operation
def remove_tags_from_stream(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    tagkit.untag(stream.tags, request["TagKeys"], TAG_RULES)


@ops.operation
def list_tags_for_stream(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    """Tags in key order, after ExclusiveStartTagKey, at most Limit (default 50)."""
    stream = find_stream(ctx, request)
    keys = sorted(stream.tags)
    start = request.get("ExclusiveStartTagKey")
    if start is not None:
        keys = [k for k in keys if k > start]
    limit = request.get("Limit") or 50
    page = keys[:limit]
    return {"Tags": [{"Key": k, "Value": stream.tags[k]} for k in page], "HasMoreTags": len(keys) > limit}


def _tags_of(ctx: KinesisContext, arn: str) -> dict[str, str]:
    stream, consumer = resource_at(ctx, arn)
    return consumer.tags if consumer is not None else stream.tags


@ops.operation
def tag_resource(ctx: KinesisContext, request: dict[str, Any]) -> None:
    tagkit.tag(_tags_of(ctx, request["ResourceARN"]), request["Tags"], TAG_RULES)


@ops.operation
def untag_resource(ctx: KinesisContext, request: dict[str, Any]) -> None:
    tagkit.untag(_tags_of(ctx, request["ResourceARN"]), request["TagKeys"], TAG_RULES)


@ops.operation
def list_tags_for_resource(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    tags = _tags_of(ctx, request["ResourceARN"])
    return {"Tags": [{"Key": k, "Value": tags[k]} for k in sorted(tags)]}

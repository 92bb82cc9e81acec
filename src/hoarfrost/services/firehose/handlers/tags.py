"""TagDeliveryStream, UntagDeliveryStream, ListTagsForDeliveryStream (the kit's rules, 50 tags)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.services.firehose.errors import errors
from hoarfrost.services.firehose.handlers import ops
from hoarfrost.services.firehose.handlers.common import FirehoseContext, find_stream

TAG_RULES = tagkit.TagRules(
    too_many=lambda limit: errors.LimitExceededException(
        f"A delivery stream cannot have more than {limit} tags."),
    bad_key=lambda key: errors.InvalidArgumentException(f"Tag key '{key}' must be between 1 and 128 characters."),
    bad_value=lambda key, value: errors.InvalidArgumentException(
        f"The value of tag '{key}' must be at most 256 characters."),
    reserved=lambda key: errors.InvalidArgumentException(
        f"Tag key '{key}' uses the reserved prefix 'aws:'."),
)


@ops.operation
def tag_delivery_stream(ctx: FirehoseContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request["DeliveryStreamName"])
    tagkit.tag(stream.tags, tagkit.from_list(request["Tags"], TAG_RULES), TAG_RULES)


@ops.operation
def untag_delivery_stream(ctx: FirehoseContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request["DeliveryStreamName"])
    tagkit.untag(stream.tags, request["TagKeys"], TAG_RULES)


@ops.operation
def list_tags_for_delivery_stream(ctx: FirehoseContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request["DeliveryStreamName"])
    keys = sorted(stream.tags)
    start = request.get("ExclusiveStartTagKey")
    if start is not None:
        keys = [k for k in keys if k > start]
    limit = request.get("Limit") or 50
    return {"Tags": [{"Key": k, "Value": stream.tags[k]} for k in keys[:limit]], "HasMoreTags": len(keys) > limit}

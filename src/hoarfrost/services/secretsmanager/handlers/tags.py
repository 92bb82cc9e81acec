"""TagResource and UntagResource on a secret (the kit's tag rules: 50 tags, ``aws:`` reserved)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.services.secretsmanager.errors import errors
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.handlers.common import SmContext, primary
from hoarfrost.services.secretsmanager.handlers.replication import sync_replicas

TAG_RULES = tagkit.TagRules(
    too_many=lambda limit: errors.InvalidParameterException(f"A secret can have at most {limit} tags."),
    bad_key=lambda key: errors.InvalidParameterException(f"Invalid tag key: {key!r}."),
    bad_value=lambda key, value: errors.InvalidParameterException(f"Invalid tag value for key {key!r}."),
    reserved=lambda key: errors.InvalidParameterException(
        f"Invalid tag key: {key!r}. Tag keys starting with 'aws:' are reserved."),
)


@ops.operation
def tag_resource(ctx: SmContext, request: dict[str, Any]) -> None:
    secret = primary(ctx, request["SecretId"])
    tagkit.tag(secret.tags, tagkit.from_list(request["Tags"], TAG_RULES), TAG_RULES)
    sync_replicas(ctx, secret)


@ops.operation
def untag_resource(ctx: SmContext, request: dict[str, Any]) -> None:
    secret = primary(ctx, request["SecretId"])
    tagkit.untag(secret.tags, request["TagKeys"], TAG_RULES)
    sync_replicas(ctx, secret)

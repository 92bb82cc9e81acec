"""Tags on parameters (ResourceType Parameter, ResourceId the name or ARN). SSM's other
taggable resources are not part of hoarfrost, so naming one answers InvalidResourceId."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit import tags as tagkit
from hoarfrost.services.ssm.errors import errors, validation
from hoarfrost.services.ssm.handlers import ops
from hoarfrost.services.ssm.handlers.common import SsmContext, backend
from hoarfrost.services.ssm.names import plain_name
from hoarfrost.services.ssm.state import Parameter

TAG_RULES = tagkit.TagRules(
    too_many=lambda limit: errors.TooManyTagsError(f"The resource can have at most {limit} tags."),
    bad_key=lambda key: validation(f"Tag key {key!r} must be between 1 and 128 characters long."),
    bad_value=lambda key, value: validation(f"The value of tag {key!r} must be at most 256 characters long."),
    reserved=lambda key: validation(f"Tag keys starting with 'aws:' are reserved for AWS: {key!r}."),
)


def _invalid_id() -> ServiceError:
    return errors.InvalidResourceId("The resource ID is not valid. Verify the ID and try again.")


def _parameter(ctx: SsmContext, request: dict[str, Any]) -> Parameter:
    if request["ResourceType"] != "Parameter":
        raise _invalid_id()
    parameter = backend(ctx).parameters.get(plain_name(request["ResourceId"]))
    if parameter is None:
        raise _invalid_id()
    return parameter


@ops.operation
def add_tags_to_resource(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    parameter = _parameter(ctx, request)
    tagkit.tag(parameter.tags, tagkit.from_list(request["Tags"], TAG_RULES), TAG_RULES)
    return {}


@ops.operation
def remove_tags_from_resource(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    parameter = _parameter(ctx, request)
    tagkit.untag(parameter.tags, request["TagKeys"], TAG_RULES)
    return {}


@ops.operation
def list_tags_for_resource(ctx: SsmContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"TagList": tagkit.to_list(_parameter(ctx, request).tags)}

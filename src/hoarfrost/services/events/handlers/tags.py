"""Tags on event buses and rules."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tag_kit
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.handlers.common import EventsContext, backend
from hoarfrost.services.events.tagging import TAG_RULES, taggable


@ops.operation
def tag_resource(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    resource = taggable(backend(ctx), request["ResourceARN"])
    tag_kit.tag(resource.tags, tag_kit.from_list(request["Tags"], TAG_RULES), TAG_RULES)
    return {}


@ops.operation
def untag_resource(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    resource = taggable(backend(ctx), request["ResourceARN"])
    tag_kit.untag(resource.tags, request["TagKeys"], TAG_RULES)
    return {}


@ops.operation
def list_tags_for_resource(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    resource = taggable(backend(ctx), request["ResourceARN"])
    return {"Tags": tag_kit.to_list(resource.tags, TAG_RULES)}

"""What CloudWatch's handlers share: the typed context and the time conversions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.tags import TagRules
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.cloudwatch.state import CloudWatchBackend

if TYPE_CHECKING:
    from hoarfrost.services.cloudwatch.service import CloudWatchService

    CwContext = RequestContext[CloudWatchBackend, CloudWatchService]
else:
    CwContext = RequestContext[CloudWatchBackend, Any]


def epoch(value: dt.datetime | float | None) -> float | None:
    """A timestamp member (an aware datetime from the protocol) as epoch seconds."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    return float(value)


def _tag_error(message: str) -> Exception:
    from hoarfrost.services.cloudwatch.errors import validation

    return validation(message)


# CloudWatch's tag limits, its ValidationError (``ValidationError`` on the query wire) for breaking them.
TAG_RULES = TagRules(
    too_many=lambda limit: _tag_error(f"A resource can have at most {limit} tags."),
    bad_key=lambda key: _tag_error(f"Tag key {key!r} must be between 1 and 128 characters long."),
    bad_value=lambda key, value: _tag_error(f"The value of tag {key!r} must be at most 256 characters long."),
    reserved=lambda key: _tag_error(f"Tag keys starting with 'aws:' are reserved for AWS: {key!r}."),
)

"""What every Firehose handler shares: the request context type and finding a delivery stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hoarfrost.core.operations import RequestContext
from hoarfrost.services.firehose.errors import not_found
from hoarfrost.services.firehose.state import DeliveryStream, FirehoseBackend

if TYPE_CHECKING:
    from hoarfrost.services.firehose.service import FirehoseService  # noqa: F401

FirehoseContext = RequestContext[FirehoseBackend, "FirehoseService"]


def find_stream(ctx: FirehoseContext, name: str) -> DeliveryStream:
    stream = ctx.state.streams.get(name)
    if stream is None:
        raise not_found(name, ctx.scope.account)
    return stream

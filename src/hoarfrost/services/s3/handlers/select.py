"""SelectObjectContent (S3 Select): an SQL query over one CSV or JSON object, answered as the
``Payload`` event stream. The SQL engine lives in ``services/s3/select``; this handler finds
the object as GetObject does and hands the engine a reader of its bytes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.common import S3Context, blobs, on_bucket
from hoarfrost.services.s3.handlers.objects import check_customer_key, find_version
from hoarfrost.services.s3.select.engine import check_request, run
from hoarfrost.services.s3.state import Bucket


@ops.operation
@on_bucket
def select_object_content(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    version = find_version(bucket, request["Key"], None)
    if version.is_archived(ctx.clock):
        raise errors.InvalidObjectState(StorageClass=version.storage_class)
    check_customer_key(version, request)
    size = version.size
    settings = check_request(request, size)  # bad SQL or settings: a 400 before any event
    store = blobs(ctx)

    def read(start: int, end: int | None) -> Iterable[bytes]:
        stop = size if end is None else min(end, size)
        if not version.blob or start >= stop:
            return iter(())
        return store.open(version.blob, start, stop)

    return {"Payload": run(settings, read, size, ctx.clock.now())}

"""SelectObjectContent (S3 Select): an SQL query over one CSV, JSON or Parquet object,
answered as the ``Payload`` event stream. The SQL engine lives in ``services/s3/select``;
this handler finds the object as GetObject does and hands the engine a reader of its bytes.

The query runs with the bucket's scope unlocked (a large scan must not stall every other
request to the region's buckets) and the blob store holding deletions back, so an object
deleted or overwritten meanwhile is still read whole, as the version found under the lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.common import S3Context, blobs, on_bucket
from hoarfrost.services.s3.handlers.objects import check_customer_key, find_version
from hoarfrost.services.s3.select.engine import check_request, run
from hoarfrost.services.s3.state import Bucket


@ops.operation(mutates=False, blocking=True)
@on_bucket
def select_object_content(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    version = find_version(bucket, request["Key"], None)
    if version.is_archived(ctx.clock):
        raise errors.InvalidObjectState(StorageClass=version.storage_class)
    check_customer_key(version, request)
    blob, size = version.blob, version.size
    settings = check_request(request, size)  # bad SQL or settings: a 400 before any event
    store = blobs(ctx)

    def read(start: int, end: int | None) -> Iterable[bytes]:
        stop = size if end is None else min(end, size)
        if not blob or start >= stop:
            return iter(())
        return store.open(blob, start, stop)

    now = ctx.clock.now()
    with store.held(), ctx.unlocked():
        events = run(settings, read, size, now)
    return {"Payload": events}

"""S3's operations, split by resource; importing this package registers every handler on ``ops``."""

from hoarfrost.core.operations import OperationRegistry

ops = OperationRegistry("s3")

from hoarfrost.services.s3.handlers import (  # noqa: E402,F401  (registration by import)
    bucket_config,
    buckets,
    listing,
    multipart,
    notifications,
    object_config,
    objects,
    post_object,
    select,
)

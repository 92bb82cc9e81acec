"""S3 as the core port's ``ObjectStore``: how other services (DynamoDB's table exports and
imports) write and read whole objects without importing this package. Each call takes the
bucket's scope lock; objects written here are ordinary objects (a version, a blob, an ETag and
a CRC64NVME checksum, as a PutObject without checksum headers gets)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from hoarfrost.services.s3.checksums import checksum_of
from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.state import ObjectVersion, now

if TYPE_CHECKING:
    from hoarfrost.core.backend import Scope
    from hoarfrost.services.s3.service import S3Service
    from hoarfrost.services.s3.state import Bucket, S3Backend


class S3Objects:
    def __init__(self, service: S3Service) -> None:
        self.service = service

    def _scope(self, bucket: str) -> Scope[S3Backend]:
        where = self.service.locate(bucket)
        if where is None:
            raise errors.NoSuchBucket(BucketName=bucket)
        return self.service.backends.scope(*where)

    @staticmethod
    def _bucket(scope: Scope[S3Backend], name: str) -> Bucket:
        bucket = scope.backend.buckets.get(name)
        if bucket is None:
            raise errors.NoSuchBucket(BucketName=name)
        return bucket

    def put_object(self, bucket: str, key: str, body: bytes, content_type: str = "application/octet-stream"
                   ) -> str:
        scope = self._scope(bucket)
        store = self.service.blobs
        with scope.lock:
            target = self._bucket(scope, bucket)
            blob = scope.backend.new_blob_key()
            store.put(blob, body)
            etag = f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324 - S3's ETag is an MD5
            version = ObjectVersion(
                key=key, version_id=target.new_object_version_id(), last_modified=now(self.service.clock),
                owner=scope.account, blob=blob, size=len(body), etag=etag, headers={"ContentType": content_type},
                checksums={"CRC64NVME": checksum_of("CRC64NVME", body)}, checksum_type="FULL_OBJECT",
            )
            for gone in target.add_version(version):
                if gone.blob:
                    store.delete(gone.blob)
        self.service.notify_state_changed(scope.account, scope.region, "PutObject")
        return etag

    def get_object(self, bucket: str, key: str) -> bytes | None:
        scope = self._scope(bucket)
        with scope.lock:
            version = self._bucket(scope, bucket).current(key)
            if version is None or version.blob is None:
                return None
            return b"".join(self.service.blobs.open(version.blob))

    def list_keys(self, bucket: str, prefix: str = "") -> list[str]:
        scope = self._scope(bucket)
        with scope.lock:
            target = self._bucket(scope, bucket)
            return [key for key in target.keys if key.startswith(prefix) and target.current(key) is not None]

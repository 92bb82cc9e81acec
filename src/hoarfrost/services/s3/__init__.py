"""Amazon S3: buckets, objects, versions, multipart uploads, sub-resources and event
notifications; ``SERVICE`` is the StatefulService the emulator instantiates."""

from hoarfrost.services.s3.service import S3Service

SERVICE = S3Service

__all__ = ["SERVICE", "S3Service"]

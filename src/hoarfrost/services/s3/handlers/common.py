"""What every S3 handler shares: finding a bucket in its own region's scope, blob release,
the object response headers, and S3's tag rules.

A bucket lives in the scope of the account and region it was created in; the pipeline
locks that scope before the handler runs (``S3Service.scope_for``), whatever region the
request was sent to, so one scope lock is held at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.tags import TagRules
from hoarfrost.core.operations import Reply, RequestContext
from hoarfrost.protocols.wire import format_timestamp, parse_timestamp
from hoarfrost.services.s3.checksums import MEMBER, PENDING, checksum_of
from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.handlers.presigned import check_presigned
from hoarfrost.services.s3.state import (
    Bucket,
    ObjectVersion,
    S3Backend,
    is_valid_bucket_name,
)

if TYPE_CHECKING:
    from hoarfrost.core.blobs import BlobStore
    from hoarfrost.services.s3.service import S3Service  # noqa: F401  (named in S3Context)

# Handlers see S3's own backend and service, so they need no casts.
S3Context = RequestContext[S3Backend, "S3Service"]

BucketHandler = Callable[[S3Context, dict[str, Any], Bucket], "dict[str, Any] | Reply | None"]



def blobs(ctx: S3Context) -> BlobStore:
    return ctx.emulator.blobs


def validate_bucket_name(name: str) -> None:
    if not is_valid_bucket_name(name):
        raise errors.InvalidBucketName(BucketName=name)


def on_bucket(fn: BucketHandler) -> Callable[[S3Context, dict[str, Any]], dict[str, Any] | Reply | None]:
    """Run ``fn(ctx, request, bucket)`` with ``request['Bucket']`` found in the scope the
    pipeline locked for it (``S3Service.scope_for``: the bucket's own account and region)."""

    @functools.wraps(fn)
    def handler(ctx: S3Context, request: dict[str, Any]) -> dict[str, Any] | Reply | None:
        name = request.get("Bucket") or ""
        bucket = ctx.state.buckets.get(name)
        if bucket is None:  # no such bucket anywhere, or deleted since scope_for looked
            raise errors.NoSuchBucket(BucketName=name)
        expected_owner = request.get("ExpectedBucketOwner")
        if bucket.account != ctx.account or (expected_owner and expected_owner != bucket.account):
            raise errors.AccessDenied()
        if ctx.request.query:
            check_presigned(ctx, request)
        return fn(ctx, request, bucket)

    return handler


def release(ctx: S3Context, versions: Sequence[ObjectVersion]) -> None:
    """Delete the blobs of versions that left the state."""
    store = blobs(ctx)
    for version in versions:
        if version.blob:
            store.delete(version.blob)


def quote_etag(hex_digest: str) -> str:
    return f'"{hex_digest}"'


def object_headers(version: ObjectVersion, versioned: bool) -> dict[str, Any]:
    """Output members GetObject and HeadObject share (everything but the body and range)."""
    out: dict[str, Any] = {
        "ETag": version.etag,
        "LastModified": version.last_modified,
        "ContentLength": version.size,
        "AcceptRanges": "bytes",
        **version.headers,
        **version.encryption,
    }
    out.setdefault("ContentType", "binary/octet-stream")
    if version.metadata:
        out["Metadata"] = dict(version.metadata)
    if versioned or version.version_id != "null":
        out["VersionId"] = version.version_id
    if version.storage_class != "STANDARD":
        out["StorageClass"] = version.storage_class
    if version.tags:
        out["TagCount"] = len(version.tags)
    if version.retention:
        out["ObjectLockMode"] = version.retention.get("Mode")
        out["ObjectLockRetainUntilDate"] = version.retention.get("RetainUntilDate")
    if version.legal_hold:
        out["ObjectLockLegalHoldStatus"] = version.legal_hold
    if version.restore_expiry is not None:
        expiry = format_timestamp(version.restore_expiry, "rfc822")
        out["Restore"] = f'ongoing-request="false", expiry-date="{expiry}"'
    return out


def resolved_checksums(ctx: S3Context, version: ObjectVersion) -> dict[str, str]:
    """The version's checksums with any PENDING value computed from its body (and kept)."""
    for name, value in version.checksums.items():
        if value == PENDING:
            version.checksums[name] = checksum_of(name, blobs(ctx).open(version.blob) if version.blob else b"")
    return version.checksums


def checksum_members(ctx: S3Context, version: ObjectVersion) -> dict[str, Any]:
    out: dict[str, Any] = {MEMBER[name]: value for name, value in resolved_checksums(ctx, version).items()}
    if out and version.checksum_type:
        out["ChecksumType"] = version.checksum_type
    return out


def continuation_error(token: str | None) -> Callable[[], Exception]:
    """What S3 answers a ContinuationToken it did not issue with (the kit's pager raises it)."""
    return lambda: errors.InvalidArgument("The continuation token provided is incorrect",
                                          ArgumentName="continuation-token", ArgumentValue=token)


BUCKET_TAGS = TagRules(
    too_many=lambda limit: errors.InvalidTag(f"Bucket tag count cannot be greater than {limit}"),
    bad_key=lambda key: errors.InvalidTag("The TagKey you have provided is too long, max 128" if key
                                   else "The TagKey you have provided is invalid", TagKey=key),
    bad_value=lambda key, value: errors.InvalidTag("The TagValue you have provided is too long, max 256", TagKey=key),
    reserved=lambda key: errors.InvalidTag("System tags cannot be added/updated by requester", TagKey=key),
    duplicate=lambda key: errors.InvalidTag("Cannot provide multiple Tags with the same key", TagKey=key),
)
OBJECT_TAGS = dataclasses.replace(
    BUCKET_TAGS, max_tags=10, too_many=lambda limit: errors.BadRequest(f"Object tags cannot be greater than {limit}"),
)


def checked_tags(tag_set: list[dict[str, Any]], rules: TagRules) -> dict[str, str]:
    """A TagSet as S3 checks it: a tag without a Key is malformed XML; then the kit's rules."""
    if any(tag.get("Key") is None for tag in tag_set):
        raise errors.MalformedXML()
    return tagging.check(tagging.from_list(tag_set, rules), rules)


def aware(value: Any) -> dt.datetime:
    """A timestamp from a request or a restored view (datetime or text) as an aware UTC datetime."""
    if isinstance(value, str):
        value = parse_timestamp(value)
    stamp: dt.datetime = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return stamp


def page_size(value: Any, name: str, minimum: int) -> int:
    """A page size argument (max-parts, max-uploads): absent is 1,000, more is capped at 1,000;
    below ``minimum`` or beyond a 32-bit integer is S3's InvalidArgument."""
    if value is None:
        return 1000
    if int(value) > 2**31 - 1:
        raise errors.InvalidArgument(f"Provided {name} not an integer or within integer range",
                                     ArgumentName=name, ArgumentValue=str(value))
    if int(value) < minimum:
        raise errors.InvalidArgument(f"Argument {name} must be an integer between 0 and 2147483647",
                                     ArgumentName=name, ArgumentValue=str(value))
    return min(int(value), 1000)

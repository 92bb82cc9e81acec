"""An object version's sub-resources: tagging, ACL, retention, legal hold, archive restore, attributes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.operations import Reply
from hoarfrost.services.s3.checksums import MEMBER
from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.events import emit
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.acl import (
    acl_from_request,
    check_acl_allowed,
    require_acl,
)
from hoarfrost.services.s3.handlers.common import (
    OBJECT_TAGS,
    S3Context,
    aware,
    checked_tags,
    on_bucket,
    page_size,
    resolved_checksums,
)
from hoarfrost.services.s3.handlers.objects import find_version
from hoarfrost.services.s3.state import ARCHIVE_CLASSES, Bucket, ObjectVersion, now


def _target(bucket: Bucket, request: dict[str, Any]) -> ObjectVersion:
    return find_version(bucket, request["Key"], request.get("VersionId"))


def _version_member(bucket: Bucket, version: ObjectVersion) -> dict[str, Any]:
    return {"VersionId": version.version_id} if bucket.versioning else {}


# -- tagging ------------------------------------------------------------------------------------------
@ops.operation
@on_bucket
def put_object_tagging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    version = _target(bucket, request)
    tags = (request.get("Tagging") or {}).get("TagSet")
    if tags is None:
        raise errors.MalformedXML()
    version.tags = checked_tags(tags, OBJECT_TAGS)
    emit(ctx, bucket, "ObjectTagging:Put", version.key, version)
    return _version_member(bucket, version)


@ops.operation
@on_bucket
def get_object_tagging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    version = _target(bucket, request)
    return {"TagSet": tagging.to_list(version.tags, OBJECT_TAGS), **_version_member(bucket, version)}


@ops.operation
@on_bucket
def delete_object_tagging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    version = _target(bucket, request)
    version.tags = {}
    emit(ctx, bucket, "ObjectTagging:Delete", version.key, version)
    return _version_member(bucket, version)


# -- ACL ------------------------------------------------------------------------------------------------
@ops.operation
@on_bucket
def put_object_acl(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    version = _target(bucket, request)
    require_acl(request)
    acl = acl_from_request(request, ctx.account, version.acl)
    check_acl_allowed(bucket, acl)
    version.acl = acl
    emit(ctx, bucket, "ObjectAcl:Put", version.key, version)
    return {}


@ops.operation
@on_bucket
def get_object_acl(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    version = _target(bucket, request)
    return dict(version.acl or acl_from_request({}, version.owner, None))


# -- Object Lock: retention and legal hold ---------------------------------------------------------
def _require_lock(bucket: Bucket) -> None:
    if not bucket.object_lock_enabled:
        raise errors.InvalidRequest("Bucket is missing Object Lock Configuration")


@ops.operation
@on_bucket
def put_object_retention(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    _require_lock(bucket)
    version = _target(bucket, request)
    if request.get("Retention") is None:
        raise errors.MissingRequestBodyError()
    retention = request["Retention"]
    mode, until = retention.get("Mode"), retention.get("RetainUntilDate")
    if mode not in ("GOVERNANCE", "COMPLIANCE") or until is None:
        raise errors.MalformedXML()
    if aware(until) <= now(ctx.clock):
        raise errors.InvalidArgument("The retain until date must be in the future!", ArgumentName="RetainUntilDate")
    current = version.retention
    if current and aware(current["RetainUntilDate"]) > now(ctx.clock):
        shortening = aware(until) < aware(current["RetainUntilDate"]) or mode != current["Mode"]
        if shortening and (current["Mode"] == "COMPLIANCE" or not request.get("BypassGovernanceRetention")):
            raise errors.AccessDenied()
    version.retention = {"Mode": mode, "RetainUntilDate": aware(until)}
    return {}


@ops.operation
@on_bucket
def get_object_retention(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    _require_lock(bucket)
    version = _target(bucket, request)
    if not version.retention:
        raise errors.NoSuchObjectLockConfiguration()
    return {"Retention": dict(version.retention)}


@ops.operation
@on_bucket
def put_object_legal_hold(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    _require_lock(bucket)
    version = _target(bucket, request)
    if request.get("LegalHold") is None:
        raise errors.MissingRequestBodyError()
    status = request["LegalHold"].get("Status")
    if status not in ("ON", "OFF"):
        raise errors.MalformedXML()
    version.legal_hold = status
    return {}


@ops.operation
@on_bucket
def get_object_legal_hold(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    _require_lock(bucket)
    version = _target(bucket, request)
    if not version.legal_hold:
        raise errors.NoSuchObjectLockConfiguration()
    return {"LegalHold": {"Status": version.legal_hold}}


# -- archive restore ------------------------------------------------------------------------------------
@ops.operation
@on_bucket
def restore_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> Reply:
    """Archived objects are restored at once (no tier delay): readable for ``Days`` days."""
    version = _target(bucket, request)
    if version.storage_class not in ARCHIVE_CLASSES:
        raise errors.InvalidObjectState("Restore is not allowed for the object's current storage class",
                                        StorageClass=version.storage_class)
    days = int((request.get("RestoreRequest") or {}).get("Days") or 1)
    already = version.restore_expiry is not None and version.restore_expiry > now(ctx.clock)
    expiry = now(ctx.clock) + dt.timedelta(days=days)
    version.restore_expiry = expiry.replace(hour=0, minute=0, second=0, microsecond=0)
    if not already:
        emit(ctx, bucket, "ObjectRestore:Post", version.key, version)
        emit(ctx, bucket, "ObjectRestore:Completed", version.key, version)
    return Reply({}, status=None if already else 202)


# -- attributes -----------------------------------------------------------------------------------------
_ATTRIBUTES = frozenset({"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"})


@ops.operation
@on_bucket
def get_object_attributes(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    wanted = set(request.get("ObjectAttributes") or [])
    if not wanted or not wanted <= _ATTRIBUTES:
        raise errors.InvalidArgument("Invalid attribute name specified.", ArgumentName="x-amz-object-attributes")
    max_parts = page_size(request.get("MaxParts"), "max-parts", minimum=1)
    version = _target(bucket, request)
    out: dict[str, Any] = {"LastModified": version.last_modified, **_version_member(bucket, version)}
    if "ETag" in wanted:
        out["ETag"] = version.etag.strip('"')
    if "StorageClass" in wanted:
        out["StorageClass"] = version.storage_class
    if "ObjectSize" in wanted:
        out["ObjectSize"] = version.size
    if "Checksum" in wanted and version.checksums:
        out["Checksum"] = {MEMBER[name]: value for name, value in resolved_checksums(ctx, version).items()}
        if version.checksum_type:
            out["Checksum"]["ChecksumType"] = version.checksum_type
    if "ObjectParts" in wanted and version.parts:
        marker = int(request.get("PartNumberMarker") or 0)
        later = [part for part in version.parts if part.number > marker]
        page = later[:max_parts]
        parts: dict[str, Any] = {"TotalPartsCount": len(version.parts), "PartNumberMarker": marker,
                                 "MaxParts": max_parts, "IsTruncated": len(later) > max_parts}
        if any(part.checksums for part in version.parts):
            parts["Parts"] = [{"PartNumber": p.number, "Size": p.size,
                               **{MEMBER[name]: value for name, value in p.checksums.items()}} for p in page]
        if page:
            parts["NextPartNumberMarker"] = page[-1].number
        out["ObjectParts"] = parts
    return out

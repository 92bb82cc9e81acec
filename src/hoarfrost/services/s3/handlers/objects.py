"""Objects: put, get, head, delete (one or many) and copy, with versioning and conditions."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from hoarfrost.core.http import BodyStream
from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.operations import Reply
from hoarfrost.services.s3.checksums import (
    DEFAULT_ALGORITHM,
    MEMBER,
    PENDING,
    checksum_of,
    new_digest,
)
from hoarfrost.services.s3.errors import (
    errors,
)
from hoarfrost.services.s3.events import emit
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.acl import check_acl_allowed, requested_acl
from hoarfrost.services.s3.handlers.body import (
    check_read_conditions,
    content_headers,
    ingest,
    parse_range,
)
from hoarfrost.services.s3.handlers.common import (
    OBJECT_TAGS,
    S3Context,
    aware,
    blobs,
    checked_tags,
    checksum_members,
    object_headers,
    on_bucket,
    release,
)
from hoarfrost.services.s3.state import NULL_VERSION, Bucket, ObjectVersion, now

MAX_KEY_BYTES = 1024
_VERSION_ID = re.compile(r"^[A-Za-z0-9._\-]{32}$")
_OVERRIDES = {
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType",
    "ResponseExpires": "Expires",
}


def check_key(key: str) -> None:
    if not key:
        raise errors.InvalidArgument("Key must not be empty", ArgumentName="key")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise errors.KeyTooLongError(Size=str(len(key.encode("utf-8", "surrogatepass"))), MaxSizeAllowed="1024")


def parse_tagging(text: str | None) -> dict[str, str]:
    """The x-amz-tagging header: a URL-encoded query string of tags, checked as a TagSet is."""
    pairs = parse_qsl(text, keep_blank_values=True) if text else []
    return checked_tags([{"Key": key, "Value": value} for key, value in pairs], OBJECT_TAGS)


def encryption_of(request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    """Explicit SSE headers, else the bucket's default encryption, else SSE-S3 (S3's default)."""
    if request.get("SSECustomerAlgorithm"):
        return {"SSECustomerAlgorithm": request["SSECustomerAlgorithm"],
                "SSECustomerKeyMD5": customer_key_md5(request)}
    algorithm = request.get("ServerSideEncryption")
    key_id = request.get("SSEKMSKeyId")
    bucket_key = request.get("BucketKeyEnabled")
    if not algorithm:
        rules = (bucket.config.encryption or {}).get("Rules") or []
        default = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
        algorithm = default.get("SSEAlgorithm") or "AES256"
        key_id = key_id or default.get("KMSMasterKeyID")
        if bucket_key is None and rules:
            bucket_key = rules[0].get("BucketKeyEnabled")
    out: dict[str, Any] = {"ServerSideEncryption": algorithm}
    if algorithm.startswith("aws:kms"):
        out["SSEKMSKeyId"] = key_id or build_arn("kms", bucket.region, bucket.account, "alias/aws/s3")
        if bucket_key:
            out["BucketKeyEnabled"] = True
    return out


def customer_key_md5(request: dict[str, Any]) -> str:
    """The MD5 of an SSE-C key as S3 checks it (the client sends both; they must agree)."""
    try:
        key = base64.b64decode(request.get("SSECustomerKey") or "", validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidArgument("The secret key was invalid for the specified algorithm.",
                                     ArgumentName="x-amz-server-side-encryption-customer-key") from None
    digest = base64.b64encode(hashlib.md5(key).digest()).decode()  # noqa: S324 - S3's key check
    if len(key) != 32 or (request.get("SSECustomerKeyMD5") and request["SSECustomerKeyMD5"] != digest):
        raise errors.InvalidArgument("The secret key was invalid for the specified algorithm.",
                                     ArgumentName="x-amz-server-side-encryption-customer-key")
    return digest


def check_customer_key(version: ObjectVersion, request: dict[str, Any], prefix: str = "") -> None:
    """An SSE-C object is readable only with its key (``prefix`` ``CopySource`` for a copy source)."""
    stored = version.encryption.get("SSECustomerKeyMD5")
    given = request.get(f"{prefix}SSECustomerAlgorithm")
    if stored is None:
        if given:
            raise errors.InvalidRequest("The encryption parameters are not applicable to this object.")
        return
    if not given:
        raise errors.InvalidRequest("The object was stored using a form of Server Side Encryption. The correct "
                                    "parameters must be provided to retrieve the object.")
    sub = {"SSECustomerKey": request.get(f"{prefix}SSECustomerKey"),
           "SSECustomerKeyMD5": request.get(f"{prefix}SSECustomerKeyMD5")}
    if customer_key_md5(sub) != stored:
        raise errors.AccessDenied()


def lock_settings(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> tuple[dict[str, Any] | None, str | None]:
    """Object Lock retention and legal hold for a new object: explicit, else the bucket default."""
    mode, until = request.get("ObjectLockMode"), request.get("ObjectLockRetainUntilDate")
    if (mode or until or request.get("ObjectLockLegalHoldStatus")) and not bucket.object_lock_enabled:
        raise errors.InvalidRequest("Bucket is missing Object Lock Configuration")
    retention = None
    if mode and until:
        retention = {"Mode": mode, "RetainUntilDate": until}
    elif bucket.object_lock_enabled:
        rule = (bucket.config.object_lock or {}).get("Rule") or {}
        default = rule.get("DefaultRetention")
        if default:
            days = default.get("Days") or (default.get("Years") or 0) * 365
            retention = {"Mode": default["Mode"], "RetainUntilDate": now(ctx.clock) + dt.timedelta(days=days)}
    return retention, request.get("ObjectLockLegalHoldStatus")


def put_output(version: ObjectVersion, bucket: Bucket) -> dict[str, Any]:
    """A write's answer. A default checksum still PENDING (a large multipart object's) is not
    computed for it: GetObject, HeadObject and GetObjectAttributes answer it."""
    known = {MEMBER[name]: value for name, value in version.checksums.items() if value != PENDING}
    out: dict[str, Any] = {"ETag": version.etag, **version.encryption, **known}
    if known and version.checksum_type:
        out["ChecksumType"] = version.checksum_type
    if bucket.versioning:
        out["VersionId"] = version.version_id
    return out


def store_version(ctx: S3Context, bucket: Bucket, version: ObjectVersion) -> None:
    release(ctx, bucket.add_version(version))


def check_write_conditions(request: dict[str, Any], bucket: Bucket, key: str) -> None:
    current = bucket.current(key)
    if_none_match, if_match = request.get("IfNoneMatch"), request.get("IfMatch")
    if if_none_match is not None:
        if if_none_match != "*":
            raise errors.InvalidArgument("If-None-Match only accepts '*'", ArgumentName="If-None-Match")
        if current is not None:
            raise errors.PreconditionFailed(Condition="If-None-Match")
    if if_match is not None:
        if current is None:
            raise errors.NoSuchKey(Key=key)
        if if_match.strip('"') != current.etag.strip('"') and if_match != "*":
            raise errors.PreconditionFailed(Condition="If-Match")


@ops.operation
@on_bucket
def put_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return put_output(write_object(ctx, request, bucket, "ObjectCreated:Put"), bucket)


def write_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket, event: str) -> ObjectVersion:
    """PutObject's effect, shared with the browser-form POST: ``request`` in PutObject's members."""
    key = request["Key"]
    check_key(key)
    check_write_conditions(request, bucket, key)
    retention, legal_hold = lock_settings(ctx, request, bucket)
    # Everything that can reject the request is settled before the body is stored.
    encryption = encryption_of(request, bucket)
    tags = parse_tagging(request.get("Tagging"))
    acl = requested_acl(request, ctx.account)
    check_acl_allowed(bucket, acl)
    storage = storage_class(request)
    data = ingest(ctx, request, ctx.state.new_blob_key(), default=DEFAULT_ALGORITHM)
    version = ObjectVersion(
        key=key,
        version_id=bucket.new_object_version_id(),
        last_modified=now(ctx.clock),
        owner=ctx.account,
        blob=data.blob,
        size=data.size,
        etag=f'"{data.md5_hex}"',
        headers=content_headers(request),
        metadata=dict(request.get("Metadata") or {}),
        storage_class=storage,
        checksums=data.checksums,
        checksum_type="FULL_OBJECT" if data.checksums else None,
        tags=tags,
        acl=acl,
        encryption=encryption,
        retention=retention,
        legal_hold=legal_hold,
    )
    store_version(ctx, bucket, version)
    emit(ctx, bucket, event, key, version)
    return version


# The model's StorageClass values a general purpose bucket takes (not Outposts', Snowball's,
# directory buckets' or FSx's own classes).
_STORAGE_CLASSES = frozenset({"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                              "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"})


def storage_class(request: dict[str, Any]) -> str:
    """The request's StorageClass (STANDARD when absent), InvalidStorageClass when S3 has no such class."""
    value = request.get("StorageClass") or "STANDARD"
    if value not in _STORAGE_CLASSES:
        raise errors.InvalidStorageClass(StorageClassRequested=value)
    return value


def check_version_id(version_id: str) -> None:
    """A version id S3 could not have issued (its are 32 URL-safe characters, or ``null``) is a
    bad request, not a missing version; asked only once the id matched no version."""
    if version_id != NULL_VERSION and not _VERSION_ID.match(version_id):
        raise errors.InvalidArgument("Invalid version id specified", ArgumentName="versionId",
                                     ArgumentValue=version_id)


def find_version(bucket: Bucket, key: str, version_id: str | None) -> ObjectVersion:
    """The version a read addresses: S3's NoSuchKey / NoSuchVersion / delete-marker answers."""
    if version_id:
        version = bucket.version(key, version_id)
        if version is None:
            check_version_id(version_id)
            raise errors.NoSuchVersion(Key=key, VersionId=version_id)
        if version.delete_marker:
            raise errors.MethodNotAllowed(Method="GET", ResourceType="DeleteMarker",
                                          headers={"x-amz-delete-marker": "true", "x-amz-version-id": version_id,
                                                   "allow": "DELETE"})
        return version
    latest = bucket.latest(key)
    if latest is None:
        raise errors.NoSuchKey(Key=key)
    if latest.delete_marker:
        raise errors.NoSuchKey(Key=key, headers={"x-amz-delete-marker": "true", "x-amz-version-id": latest.version_id})
    return latest


def _read(ctx: S3Context, request: dict[str, Any], bucket: Bucket, with_body: bool) -> Reply:
    key = request["Key"]
    version = find_version(bucket, key, request.get("VersionId"))
    if with_body and version.is_archived(ctx.clock):
        raise errors.InvalidObjectState(StorageClass=version.storage_class)
    check_customer_key(version, request)
    check_read_conditions(version, request.get("IfMatch"), request.get("IfNoneMatch"),
                          request.get("IfModifiedSince"), request.get("IfUnmodifiedSince"))
    out = object_headers(version, bucket.versioning is not None)
    start, end = 0, version.size - 1
    ranged = False
    part_number = request.get("PartNumber")
    if part_number is not None and request.get("Range"):
        raise errors.InvalidRequest("Cannot specify both Range header and partNumber query parameter")
    if part_number is not None:
        # S3 answers a part (even part 1 of an object not uploaded in parts) as a range.
        start, end = _part_range(version, int(part_number))
        ranged = True
        if version.parts:
            out["PartsCount"] = len(version.parts)
    else:
        byte_range = parse_range(request.get("Range"), version.size)
        if byte_range is not None:
            start, end = byte_range
            ranged = True
    if ranged:
        out["ContentRange"] = f"bytes {start}-{end}/{version.size}"
        out["ContentLength"] = end - start + 1
    elif request.get("ChecksumMode") == "ENABLED":
        out.update(checksum_members(ctx, version))
    for override, member in _OVERRIDES.items():
        if request.get(override):
            out[member] = request[override]
    if with_body:
        length = max(end - start + 1, 0)
        chunks = blobs(ctx).open(version.blob, start, end + 1) if version.blob and length else iter(())
        out["Body"] = BodyStream(chunks, length)
    return Reply(out, status=206 if ranged else None)


def _part_range(version: ObjectVersion, number: int) -> tuple[int, int]:
    """Bytes of part ``number`` (an object not uploaded in parts is one part)."""
    count = len(version.parts) if version.parts else 1
    if not 1 <= number <= count:
        raise errors.InvalidPartNumber(PartNumberRequested=str(number), ActualPartCount=str(count))
    if not version.parts:
        return 0, version.size - 1
    start = sum(part.size for part in version.parts[: number - 1])
    return start, start + version.parts[number - 1].size - 1


@ops.operation
@on_bucket
def get_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> Reply:
    return _read(ctx, request, bucket, with_body=True)


@ops.operation
@on_bucket
def head_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> Reply:
    return _read(ctx, request, bucket, with_body=False)


def _check_lock(ctx: S3Context, version: ObjectVersion, bypass_governance: bool) -> None:
    if version.legal_hold == "ON":
        raise errors.AccessDenied("Access Denied because object protected by object lock.")
    retention = version.retention
    if retention and retention.get("RetainUntilDate"):
        bypassed = retention.get("Mode") == "GOVERNANCE" and bypass_governance
        if aware(retention["RetainUntilDate"]) > now(ctx.clock) and not bypassed:
            raise errors.AccessDenied("Access Denied because object protected by object lock.")


def delete_one(ctx: S3Context, bucket: Bucket, key: str, version_id: str | None,
               bypass_governance: bool = False) -> dict[str, Any]:
    """DeleteObject's effect and answer, shared with DeleteObjects."""
    if version_id:
        version = bucket.version(key, version_id)
        if version is None:
            check_version_id(version_id)
            return {"VersionId": version_id}
        if not version.delete_marker:
            _check_lock(ctx, version, bypass_governance)
        bucket.remove_version(key, version_id)
        release(ctx, [version])
        emit(ctx, bucket, "ObjectRemoved:Delete", key, version)
        out: dict[str, Any] = {"VersionId": version_id}
        if version.delete_marker:
            out["DeleteMarker"] = True
        return out
    if bucket.versioning is None:
        removed = bucket.remove_key(key)
        release(ctx, removed)
        if removed:
            emit(ctx, bucket, "ObjectRemoved:Delete", key, removed[-1])
        return {}
    marker = ObjectVersion(key=key, version_id=bucket.new_object_version_id(), last_modified=now(ctx.clock),
                           owner=ctx.account, delete_marker=True)
    store_version(ctx, bucket, marker)
    emit(ctx, bucket, "ObjectRemoved:DeleteMarkerCreated", key, marker)
    return {"DeleteMarker": True, "VersionId": marker.version_id}


@ops.operation
@on_bucket
def delete_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    key = request["Key"]
    if request.get("IfMatch") is not None:
        current = bucket.current(key)
        if current is None:
            raise errors.NoSuchKey(Key=key)
        if request["IfMatch"].strip('"') != current.etag.strip('"') and request["IfMatch"] != "*":
            raise errors.PreconditionFailed(Condition="If-Match")
    return delete_one(ctx, bucket, key, request.get("VersionId"), bool(request.get("BypassGovernanceRetention")))


@ops.operation
@on_bucket
def delete_objects(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    spec = request.get("Delete") or {}
    objects = spec.get("Objects") or []
    if not objects or len(objects) > 1000:
        raise errors.MalformedXML()
    quiet = bool(spec.get("Quiet"))
    deleted: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for item in objects:
        key, version_id = item.get("Key", ""), item.get("VersionId")
        try:
            result = delete_one(ctx, bucket, key, version_id, bool(request.get("BypassGovernanceRetention")))
        except Exception as error:  # noqa: BLE001 - each key's failure is reported, not raised
            code = getattr(error, "code", "InternalError")
            failures.append({"Key": key, "Code": code, "Message": getattr(error, "message", str(error)),
                             **({"VersionId": version_id} if version_id else {})})
            continue
        if quiet:
            continue
        entry: dict[str, Any] = {"Key": key}
        if version_id:
            entry["VersionId"] = version_id
            if result.get("DeleteMarker"):
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = version_id
        elif result.get("DeleteMarker"):
            entry["DeleteMarker"] = True
            entry["DeleteMarkerVersionId"] = result["VersionId"]
        deleted.append(entry)
    out: dict[str, Any] = {}
    if deleted:
        out["Deleted"] = deleted
    if failures:
        out["Errors"] = failures
    return out


# -- copy -------------------------------------------------------------------------------------
def parse_copy_source(source: Any) -> tuple[str, str, str | None]:
    """``bucket/key[?versionId=v]`` (URL-encoded, optional leading slash) -> parts."""
    if isinstance(source, dict):
        return source["Bucket"], source["Key"], source.get("VersionId")
    text = str(source)
    path, _, query = text.partition("?")
    path = unquote(path).lstrip("/")
    bucket, sep, key = path.partition("/")
    if not sep or not bucket or not key:
        raise errors.InvalidArgument("Invalid copy source object key", ArgumentName="x-amz-copy-source")
    version_id = dict(parse_qsl(query)).get("versionId") if query else None
    return bucket, key, version_id


def source_version(ctx: S3Context, request: dict[str, Any], target: Bucket) -> tuple[Bucket, ObjectVersion]:
    """The version CopySource names, with the copy-source conditions checked.

    A source in another region's scope is read without that scope's lock: versions are never
    modified in place and blobs are immutable, and taking a second lock could deadlock with a
    copy going the other way.
    """
    bucket_name, key, version_id = parse_copy_source(request["CopySource"])
    if bucket_name == target.name:
        source_bucket = target
    else:
        location = ctx.service.locate(bucket_name)
        if location is None or location[0] != ctx.account:
            raise errors.NoSuchBucket(BucketName=bucket_name)
        found = ctx.service.backends.scope(*location).backend.buckets.get(bucket_name)
        if found is None:
            raise errors.NoSuchBucket(BucketName=bucket_name)
        source_bucket = found
    try:
        version = find_version(source_bucket, key, version_id)
    except errors.MethodNotAllowed:
        raise errors.InvalidRequest("The source of a copy request may not specifically refer to a delete marker "
                             "by version id.") from None
    if version.is_archived(ctx.clock):
        raise errors.ObjectNotInActiveTierError()
    check_customer_key(version, request, "CopySource")
    check_read_conditions(version, request.get("CopySourceIfMatch"), request.get("CopySourceIfNoneMatch"),
                          request.get("CopySourceIfModifiedSince"), request.get("CopySourceIfUnmodifiedSince"),
                          copy_source=True)
    return source_bucket, version


def _copied_headers(request: dict[str, Any], source: ObjectVersion, replace_metadata: bool) -> dict[str, Any]:
    """The copy's content headers: the request's with REPLACE, else the source's; a
    WebsiteRedirectLocation given with the copy applies either way."""
    if replace_metadata:
        return content_headers(request)
    headers = dict(source.headers)
    if request.get("WebsiteRedirectLocation"):
        headers["WebsiteRedirectLocation"] = request["WebsiteRedirectLocation"]
    return headers


@ops.operation
@on_bucket
def copy_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    key = request["Key"]
    check_key(key)
    source_bucket, source = source_version(ctx, request, bucket)
    replace_metadata = request.get("MetadataDirective") == "REPLACE"
    replace_tags = request.get("TaggingDirective") == "REPLACE"
    # Copying an object onto itself must change something, unless it names a source version (a
    # restore of an older version) or the bucket has a default encryption configuration.
    same = source_bucket is bucket and source.key == key and not parse_copy_source(request["CopySource"])[2]
    if same and not replace_metadata and bucket.config.encryption is None and not any(
        request.get(name) for name in ("StorageClass", "WebsiteRedirectLocation", "ServerSideEncryption",
                                       "SSEKMSKeyId")
    ):
        raise errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself "
                                    "without changing the object's metadata, storage class, website redirect location "
                                    "or encryption attributes.")
    check_write_conditions(request, bucket, key)
    retention, legal_hold = lock_settings(ctx, request, bucket)
    encryption = encryption_of(request, bucket)
    acl = requested_acl(request, ctx.account)
    check_acl_allowed(bucket, acl)
    storage = storage_class(request)
    tags = parse_tagging(request.get("Tagging")) if replace_tags else dict(source.tags)
    algorithm = (request.get("ChecksumAlgorithm") or "").upper()
    if algorithm:
        new_digest(algorithm)  # an unknown algorithm is refused before anything is stored
    blob = ctx.state.new_blob_key()
    if source.blob:
        try:
            blobs(ctx).copy(source.blob, blob)
        except KeyError:
            raise errors.NoSuchKey(Key=source.key) from None
    version = ObjectVersion(
        key=key,
        version_id=bucket.new_object_version_id(),
        last_modified=now(ctx.clock),
        owner=ctx.account,
        blob=blob if source.blob else None,
        size=source.size,
        etag=source.etag,
        headers=_copied_headers(request, source, replace_metadata),
        metadata=dict(request.get("Metadata") or {}) if replace_metadata else dict(source.metadata),
        storage_class=storage,
        checksums=dict(source.checksums),
        checksum_type=source.checksum_type,
        parts=list(source.parts) if source.parts else None,
        tags=tags,
        acl=acl,
        encryption=encryption,
        retention=retention,
        legal_hold=legal_hold,
    )
    if algorithm and (algorithm not in version.checksums or version.checksum_type != "FULL_OBJECT"):
        version.checksums = {algorithm: checksum_of(algorithm, blobs(ctx).open(version.blob) if version.blob else b"")}
        version.checksum_type = "FULL_OBJECT"
    elif not version.checksums:  # a source from before default checksums: the copy gets S3's default
        version.checksums = {DEFAULT_ALGORITHM: PENDING}
        version.checksum_type = "FULL_OBJECT"
    store_version(ctx, bucket, version)
    emit(ctx, bucket, "ObjectCreated:Copy", key, version)
    result: dict[str, Any] = {"ETag": version.etag, "LastModified": version.last_modified,
                              **checksum_members(ctx, version)}
    out: dict[str, Any] = {"CopyObjectResult": result, **version.encryption}
    if bucket.versioning:
        out["VersionId"] = version.version_id
    if source_bucket.versioning:
        out["CopySourceVersionId"] = source.version_id
    return out

"""S3's typed state view: the buckets of one account created in one region, with everything in them.

Object bodies are not in the view: each object version and uploaded part names its blob by
``blob`` key. ``snapshot_with_blobs`` / ``restore_with_blobs`` move those blobs alongside.

Merge rule (the project's one rule, applied per level): a bucket whose name exists takes the
view's attributes and configurations; its object versions merge by (key, version id) and its
multipart uploads by upload id — an existing one is replaced, a new one is added, nothing is
removed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from hoarfrost.core.views import StateView, ViewModel
from hoarfrost.services.s3.state import (
    NULL_VERSION,
    Bucket,
    MultipartUpload,
    ObjectVersion,
    Part,
    PartInfo,
    S3Backend,
    is_valid_bucket_name,
)

# View field -> the Content-* member it holds.
_CONTENT_FIELDS = {
    "content_type": "ContentType",
    "content_encoding": "ContentEncoding",
    "content_disposition": "ContentDisposition",
    "content_language": "ContentLanguage",
    "cache_control": "CacheControl",
    "expires": "Expires",
    "website_redirect_location": "WebsiteRedirectLocation",
}
_ENCRYPTION_FIELDS = {
    "server_side_encryption": "ServerSideEncryption",
    "sse_kms_key_id": "SSEKMSKeyId",
    "bucket_key_enabled": "BucketKeyEnabled",
    "sse_customer_algorithm": "SSECustomerAlgorithm",
    "sse_customer_key_md5": "SSECustomerKeyMD5",
}
# View field -> the key of ``Bucket.config`` (the Put operation's input member).
CONFIG_FIELDS = {
    "acl": "AccessControlPolicy",
    "tagging": "Tagging",
    "policy": "Policy",
    "cors": "CORSConfiguration",
    "lifecycle": "LifecycleConfiguration",
    "transition_default_minimum_object_size": "TransitionDefaultMinimumObjectSize",
    "encryption": "ServerSideEncryptionConfiguration",
    "website": "WebsiteConfiguration",
    "logging": "BucketLoggingStatus",
    "notification": "NotificationConfiguration",
    "ownership_controls": "OwnershipControls",
    "public_access_block": "PublicAccessBlockConfiguration",
    "object_lock": "ObjectLockConfiguration",
    "replication": "ReplicationConfiguration",
    "accelerate": "AccelerateConfiguration",
    "request_payment": "RequestPaymentConfiguration",
}
# View field -> the kind in ``Bucket.id_configs``.
ID_CONFIG_FIELDS = {
    "inventory": "Inventory",
    "analytics": "Analytics",
    "metrics": "Metrics",
    "intelligent_tiering": "IntelligentTiering",
}


class ContentHeadersView(ViewModel):
    """The Content-* headers an object (or a pending upload) was stored with."""

    content_type: str | None = None
    content_encoding: str | None = None
    content_disposition: str | None = None
    content_language: str | None = None
    cache_control: str | None = None
    expires: dt.datetime | None = None
    website_redirect_location: str | None = None


class EncryptionView(ViewModel):
    server_side_encryption: str | None = None
    sse_kms_key_id: str | None = None
    bucket_key_enabled: bool | None = None
    sse_customer_algorithm: str | None = None
    sse_customer_key_md5: str | None = None  # SSE-C: only the key's MD5 is kept, as S3 does


class ObjectPartView(ViewModel):
    """A part of a completed multipart object (its body is inside the object's blob)."""

    part_number: int
    size: int
    etag: str
    checksums: dict[str, str] = Field(default_factory=dict)


class ObjectVersionView(ViewModel):
    """One version of a key — an object, or a delete marker (``delete_marker``, no blob).

    ``etag`` is quoted as S3 sends it; ``checksums`` maps an algorithm (CRC32, CRC32C,
    CRC64NVME, SHA1, SHA256) to its base64 value; ``owner`` is the writer's account id.
    """

    key: str
    version_id: str = NULL_VERSION
    last_modified: dt.datetime
    owner: str | None = None
    delete_marker: bool = False
    blob: str | None = None
    size: int = 0
    etag: str = ""
    content: ContentHeadersView = Field(default_factory=ContentHeadersView)
    metadata: dict[str, str] = Field(default_factory=dict)
    storage_class: str = "STANDARD"
    checksums: dict[str, str] = Field(default_factory=dict)
    checksum_type: str | None = None
    parts: list[ObjectPartView] | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    acl: dict[str, Any] | None = None
    encryption: EncryptionView = Field(default_factory=EncryptionView)
    retention_mode: str | None = None
    retain_until_date: dt.datetime | None = None
    legal_hold: str | None = None
    restore_expiry_date: dt.datetime | None = None


class UploadedPartView(ViewModel):
    part_number: int
    blob: str
    size: int
    etag: str
    last_modified: dt.datetime
    checksums: dict[str, str] = Field(default_factory=dict)


class MultipartUploadView(ViewModel):
    """An in-progress multipart upload and the parts uploaded so far."""

    upload_id: str
    key: str
    initiated: dt.datetime
    owner: str | None = None
    content: ContentHeadersView = Field(default_factory=ContentHeadersView)
    metadata: dict[str, str] = Field(default_factory=dict)
    storage_class: str = "STANDARD"
    tags: dict[str, str] = Field(default_factory=dict)
    acl: dict[str, Any] | None = None
    encryption: EncryptionView = Field(default_factory=EncryptionView)
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    parts: list[UploadedPartView] = Field(default_factory=list)
    retention_mode: str | None = None
    retain_until_date: dt.datetime | None = None
    legal_hold: str | None = None


class BucketConfigurationsView(ViewModel):
    """A bucket's sub-resources, each the document its Put operation takes (AWS member names
    inside, as in the API); None when never set. ``policy`` is the policy JSON text."""

    acl: dict[str, Any] | None = None
    tagging: dict[str, Any] | None = None
    policy: str | None = None
    cors: dict[str, Any] | None = None
    lifecycle: dict[str, Any] | None = None
    transition_default_minimum_object_size: str | None = None
    encryption: dict[str, Any] | None = None
    website: dict[str, Any] | None = None
    logging: dict[str, Any] | None = None
    notification: dict[str, Any] | None = None
    ownership_controls: dict[str, Any] | None = None
    public_access_block: dict[str, Any] | None = None
    object_lock: dict[str, Any] | None = None
    replication: dict[str, Any] | None = None
    accelerate: dict[str, Any] | None = None
    request_payment: dict[str, Any] | None = None
    inventory: dict[str, dict[str, Any]] = Field(default_factory=dict)
    analytics: dict[str, dict[str, Any]] = Field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = Field(default_factory=dict)
    intelligent_tiering: dict[str, dict[str, Any]] = Field(default_factory=dict)


class BucketView(ViewModel):
    """A bucket: its settings, configurations, every object version (per key oldest first,
    the last one current) and its in-progress multipart uploads."""

    name: str
    creation_date: dt.datetime
    versioning: str | None = None
    mfa_delete: str | None = None
    object_lock_enabled: bool = False
    configurations: BucketConfigurationsView = Field(default_factory=BucketConfigurationsView)
    objects: list[ObjectVersionView] = Field(default_factory=list)
    multipart_uploads: list[MultipartUploadView] = Field(default_factory=list)


class S3StateView(StateView):
    """The S3 buckets of one account that live in one region (S3 scopes a bucket by the region
    it was created in; names are global across accounts and regions)."""

    buckets: list[BucketView] = Field(default_factory=list)


# -- internal -> view ----------------------------------------------------------------------------------
def _content_view(headers: dict[str, Any]) -> ContentHeadersView:
    return ContentHeadersView(**{f: headers[m] for f, m in _CONTENT_FIELDS.items() if m in headers})


def _encryption_view(encryption: dict[str, Any]) -> EncryptionView:
    return EncryptionView(**{f: encryption[m] for f, m in _ENCRYPTION_FIELDS.items() if m in encryption})


def _version_view(v: ObjectVersion) -> ObjectVersionView:
    return ObjectVersionView(
        key=v.key, version_id=v.version_id, last_modified=v.last_modified, owner=v.owner,
        delete_marker=v.delete_marker, blob=v.blob, size=v.size, etag=v.etag, content=_content_view(v.headers),
        metadata=dict(v.metadata), storage_class=v.storage_class, checksums=dict(v.checksums),
        checksum_type=v.checksum_type,
        parts=[ObjectPartView(part_number=p.number, size=p.size, etag=p.etag, checksums=dict(p.checksums))
               for p in v.parts] if v.parts is not None else None,
        tags=dict(v.tags), acl=v.acl, encryption=_encryption_view(v.encryption),
        retention_mode=(v.retention or {}).get("Mode"), retain_until_date=(v.retention or {}).get("RetainUntilDate"),
        legal_hold=v.legal_hold, restore_expiry_date=v.restore_expiry,
    )


def _upload_view(u: MultipartUpload) -> MultipartUploadView:
    return MultipartUploadView(
        upload_id=u.upload_id, key=u.key, initiated=u.initiated, owner=u.owner, content=_content_view(u.headers),
        metadata=dict(u.metadata), storage_class=u.storage_class, tags=dict(u.tags), acl=u.acl,
        encryption=_encryption_view(u.encryption), checksum_algorithm=u.checksum_algorithm,
        checksum_type=u.checksum_type,
        parts=[UploadedPartView(part_number=p.number, blob=p.blob, size=p.size, etag=p.etag,
                                last_modified=p.last_modified, checksums=dict(p.checksums))
               for p in sorted(u.parts.values(), key=lambda p: p.number)],
        retention_mode=(u.retention or {}).get("Mode"), retain_until_date=(u.retention or {}).get("RetainUntilDate"),
        legal_hold=u.legal_hold,
    )


def bucket_view(bucket: Bucket) -> BucketView:
    configs = BucketConfigurationsView(
        **{f: bucket.config[k] for f, k in CONFIG_FIELDS.items() if k in bucket.config},
        **{f: dict(bucket.id_configs[k]) for f, k in ID_CONFIG_FIELDS.items() if bucket.id_configs.get(k)},
    )
    return BucketView(
        name=bucket.name, creation_date=bucket.created, versioning=bucket.versioning, mfa_delete=bucket.mfa_delete,
        object_lock_enabled=bucket.object_lock_enabled,
        configurations=BucketConfigurationsView.model_validate(configs.model_dump()),  # a deep copy
        objects=[_version_view(v) for v in bucket.all_versions()],
        multipart_uploads=[_upload_view(u) for u in bucket.uploads.values()],
    )


def backend_view(backend: S3Backend) -> S3StateView:
    return S3StateView(buckets=[bucket_view(b) for b in sorted(backend.buckets.values(), key=lambda b: b.name)])


# -- view -> internal ----------------------------------------------------------------------------------
def _headers(content: ContentHeadersView) -> dict[str, Any]:
    return {m: getattr(content, f) for f, m in _CONTENT_FIELDS.items() if getattr(content, f) is not None}


def _encryption(view: EncryptionView) -> dict[str, Any]:
    return {m: getattr(view, f) for f, m in _ENCRYPTION_FIELDS.items() if getattr(view, f) is not None}


def _retention(mode: str | None, until: dt.datetime | None) -> dict[str, Any] | None:
    return {"Mode": mode, "RetainUntilDate": until} if mode else None


def version_from_view(v: ObjectVersionView, default_owner: str) -> ObjectVersion:
    if v.delete_marker and v.blob:
        raise ValueError(f"object {v.key!r} version {v.version_id!r}: a delete marker has no blob")
    if not v.delete_marker and v.size and not v.blob:
        raise ValueError(f"object {v.key!r} version {v.version_id!r}: size {v.size} but no blob")
    if not v.key:
        raise ValueError("an object key must not be empty")
    return ObjectVersion(
        key=v.key, version_id=v.version_id, last_modified=v.last_modified, owner=v.owner or default_owner,
        delete_marker=v.delete_marker, blob=v.blob, size=v.size, etag=v.etag, headers=_headers(v.content),
        metadata=dict(v.metadata), storage_class=v.storage_class, checksums=dict(v.checksums),
        checksum_type=v.checksum_type,
        parts=[PartInfo(p.part_number, p.size, p.etag, dict(p.checksums)) for p in v.parts]
        if v.parts is not None else None,
        tags=dict(v.tags), acl=v.acl, encryption=_encryption(v.encryption),
        retention=_retention(v.retention_mode, v.retain_until_date),
        legal_hold=v.legal_hold, restore_expiry=v.restore_expiry_date,
    )


def upload_from_view(u: MultipartUploadView, default_owner: str) -> MultipartUpload:
    parts: dict[int, Part] = {}
    for p in u.parts:
        if not 1 <= p.part_number <= 10000 or p.part_number in parts:
            raise ValueError(f"upload {u.upload_id!r}: bad or repeated part number {p.part_number}")
        parts[p.part_number] = Part(p.part_number, p.blob, p.size, p.etag, p.last_modified, dict(p.checksums))
    return MultipartUpload(
        upload_id=u.upload_id, key=u.key, initiated=u.initiated, owner=u.owner or default_owner,
        headers=_headers(u.content), metadata=dict(u.metadata), storage_class=u.storage_class, tags=dict(u.tags),
        acl=u.acl, encryption=_encryption(u.encryption), checksum_algorithm=u.checksum_algorithm,
        checksum_type=u.checksum_type, parts=parts, retention=_retention(u.retention_mode, u.retain_until_date),
        legal_hold=u.legal_hold,
    )


def bucket_from_view(view: BucketView, account: str, region: str) -> Bucket:
    if not is_valid_bucket_name(view.name):
        raise ValueError(f"{view.name!r} is not a valid bucket name")
    if view.versioning not in (None, "Enabled", "Suspended"):
        raise ValueError(f"bucket {view.name!r}: versioning must be Enabled, Suspended or null")
    configs = view.configurations.model_dump()
    bucket = Bucket(
        name=view.name, account=account, region=region, created=view.creation_date, versioning=view.versioning,
        mfa_delete=view.mfa_delete, object_lock_enabled=view.object_lock_enabled,
        config={k: configs[f] for f, k in CONFIG_FIELDS.items() if configs[f] is not None},
        id_configs={k: dict(configs[f]) for f, k in ID_CONFIG_FIELDS.items() if configs[f]},
    )
    for object_view in view.objects:
        version = version_from_view(object_view, account)
        existing = bucket.versions.get(version.key, [])
        if any(v.version_id == version.version_id for v in existing):
            raise ValueError(f"bucket {view.name!r}: object {version.key!r} repeats version {version.version_id!r}")
        if existing:
            existing.append(version)
        else:
            bucket.versions[version.key] = [version]
    bucket.keys = sorted(bucket.versions)
    for upload_view in view.multipart_uploads:
        if upload_view.upload_id in bucket.uploads:
            raise ValueError(f"bucket {view.name!r}: repeated upload id {upload_view.upload_id!r}")
        bucket.uploads[upload_view.upload_id] = upload_from_view(upload_view, account)
    return bucket


def view_blob_refs(view: S3StateView) -> list[tuple[Any, str]]:
    """Every (model, blob key) the view names, so blobs can be checked, streamed or re-keyed."""
    refs: list[tuple[Any, str]] = []
    for bucket in view.buckets:
        refs.extend((o, o.blob) for o in bucket.objects if o.blob)
        for upload in bucket.multipart_uploads:
            refs.extend((p, p.blob) for p in upload.parts)
    return refs

"""S3's internal state: buckets, object versions, multipart uploads (never what a user sees).

Scoping: one ``S3Backend`` per (account, region) holds the buckets *created in that region*.
Bucket names are global, so the service keeps a name index (name -> account, region) beside
the backends; a request sent to any region finds a bucket through it, and ListBuckets lists
an account's buckets across regions.

Each bucket keeps its keys in a sorted list (``bisect``), so a listing page costs
O(log n + page) rather than a sort of the bucket. A key maps to its versions, oldest first;
the last one is current (it may be a delete marker). Bodies live in the blob store; a version
or a part names its blob by key and never holds the bytes.

These records are also the declaration of S3's state view (``views.py`` derives it): a field
is in the view under its own name unless its metadata says otherwise (``view_named``,
``view_as``, ``VIEW_EXCLUDE``); configuration documents are typed from botocore's shapes
(``documents.py``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hoarfrost.core.clock import Clock

from hoarfrost.core.kit.arn import build_arn, partition_for
from hoarfrost.core.kit.records import VIEW_EXCLUDE, view_as, view_named
from hoarfrost.services.s3.documents import (
    CONTENT,
    ENCRYPTION,
    document,
    documents_by_id,
)

UTC = dt.UTC
# A document as its Put operation took it, by member name ({"Rules": [...]}).
Document = dict[str, Any]
NULL_VERSION = "null"
ARCHIVE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})


_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def is_valid_bucket_name(name: str) -> bool:
    """The general-purpose bucket naming rules S3 enforces at CreateBucket."""
    return bool(
        _BUCKET_NAME.match(name)
        and ".." not in name
        and not _IP_ADDRESS.match(name)
        and not name.startswith(("xn--", "sthree-", "amzn-s3-demo-"))
        and not name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"))
    )


def now(clock: Clock) -> dt.datetime:
    """S3 timestamps have millisecond precision; keep ours the same so views round-trip exactly."""
    moment = clock.now()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def new_version_id() -> str:
    return secrets.token_urlsafe(24)


def new_upload_id() -> str:
    return secrets.token_urlsafe(48)


def canonical_id(account: str) -> str:
    """A stable 64-hex canonical user id per account (S3 owners are canonical ids)."""
    return hashlib.sha256(f"hoarfrost-canonical-{account}".encode()).hexdigest()


def owner_of(account: str) -> dict[str, str]:
    """An Owner as S3 answers it since 2025: the canonical id only (DisplayName was dropped)."""
    return {"ID": canonical_id(account)}


def initiator_of(account: str) -> dict[str, str]:
    """ListParts' Initiator, the one place S3 still names a DisplayName."""
    return {"ID": canonical_id(account), "DisplayName": f"account-{account}"}


def blob_prefix(account: str, region: str) -> str:
    """Blob keys start with their scope, so a view restored into another scope copies, never shares."""
    return f"s3/{account}/{region}/"


@dataclass(slots=True)
class PartInfo:
    """One part of a completed multipart object (GetObjectAttributes, GetObject PartNumber)."""

    number: int = field(metadata=view_named("part_number"))
    size: int
    etag: str
    checksums: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ObjectVersion:
    """One version of a key: an object (with a blob) or a delete marker (without)."""

    key: str
    version_id: str
    last_modified: dt.datetime
    owner: str
    delete_marker: bool = False
    blob: str | None = None
    size: int = 0
    etag: str = ""  # quoted, as S3 sends it
    # Content-* headers by output member name (ContentType, CacheControl, Expires...).
    headers: dict[str, Any] = field(default_factory=dict, metadata=view_as(CONTENT, view_name="content"))
    metadata: dict[str, str] = field(default_factory=dict)
    storage_class: str = "STANDARD"
    checksums: dict[str, str] = field(default_factory=dict)
    checksum_type: str | None = None
    parts: list[PartInfo] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    acl: Document | None = field(default=None, metadata=document("AccessControlPolicy"))
    # ServerSideEncryption, SSEKMSKeyId, BucketKeyEnabled (as output members).
    encryption: dict[str, Any] = field(default_factory=dict, metadata=view_as(ENCRYPTION))
    # Object Lock: {"Mode": ..., "RetainUntilDate": datetime}.
    retention: Document | None = field(default=None, metadata=document("ObjectLockRetention"))
    legal_hold: str | None = None  # "ON" / "OFF"
    # An archived (GLACIER, DEEP_ARCHIVE) object's restored copy is readable until then.
    restore_expiry: dt.datetime | None = field(default=None, metadata=view_named("restore_expiry_date"))
    # The multipart upload that produced this version: completing that upload again answers
    # this version, as S3 does for an upload it already completed.
    upload_id: str | None = None

    def is_archived(self, clock: Clock) -> bool:
        """True when the body is in an archive tier and no restored copy is readable."""
        return self.storage_class in ARCHIVE_CLASSES and (
            self.restore_expiry is None or self.restore_expiry <= now(clock))


@dataclass(slots=True)
class Part:
    """An uploaded part of an in-progress multipart upload."""

    number: int = field(metadata=view_named("part_number"))
    blob: str
    size: int
    etag: str
    last_modified: dt.datetime
    checksums: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class MultipartUpload:
    upload_id: str
    key: str
    initiated: dt.datetime
    owner: str
    headers: dict[str, Any] = field(default_factory=dict, metadata=view_as(CONTENT, view_name="content"))
    metadata: dict[str, str] = field(default_factory=dict)
    storage_class: str = "STANDARD"
    tags: dict[str, str] = field(default_factory=dict)
    acl: Document | None = field(default=None, metadata=document("AccessControlPolicy"))
    encryption: dict[str, Any] = field(default_factory=dict, metadata=view_as(ENCRYPTION))
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    parts: dict[int, Part] = field(default_factory=dict)
    # The Object Lock retention the object will get.
    retention: Document | None = field(default=None, metadata=document("ObjectLockRetention"))
    legal_hold: str | None = None


@dataclass(slots=True)
class BucketConfig:
    """A bucket's sub-resources, each the document its Put operation took (AWS member names
    inside, as handlers answer them); None when never set. ``policy`` is the policy JSON text."""

    acl: Document | None = field(default=None, metadata=document("AccessControlPolicy"))
    tagging: Document | None = field(default=None, metadata=document("Tagging"))
    policy: str | None = None
    cors: Document | None = field(default=None, metadata=document("CORSConfiguration"))
    lifecycle: Document | None = field(default=None, metadata=document("BucketLifecycleConfiguration"))
    transition_default_minimum_object_size: str | None = None
    encryption: Document | None = field(default=None, metadata=document("ServerSideEncryptionConfiguration"))
    website: Document | None = field(default=None, metadata=document("WebsiteConfiguration"))
    logging: Document | None = field(default=None, metadata=document("BucketLoggingStatus"))
    notification: Document | None = field(default=None, metadata=document("NotificationConfiguration"))
    ownership_controls: Document | None = field(default=None, metadata=document("OwnershipControls"))
    public_access_block: Document | None = field(default=None, metadata=document("PublicAccessBlockConfiguration"))
    object_lock: Document | None = field(default=None, metadata=document("ObjectLockConfiguration"))
    replication: Document | None = field(default=None, metadata=document("ReplicationConfiguration"))
    accelerate: Document | None = field(default=None, metadata=document("AccelerateConfiguration"))
    request_payment: Document | None = field(default=None, metadata=document("RequestPaymentConfiguration"))
    # The id-keyed ones: {Id: configuration}.
    inventory: dict[str, Document] = field(default_factory=dict, metadata=documents_by_id("InventoryConfiguration"))
    analytics: dict[str, Document] = field(default_factory=dict, metadata=documents_by_id("AnalyticsConfiguration"))
    metrics: dict[str, Document] = field(default_factory=dict, metadata=documents_by_id("MetricsConfiguration"))
    intelligent_tiering: dict[str, Document] = field(
        default_factory=dict, metadata=documents_by_id("IntelligentTieringConfiguration"))


@dataclass(slots=True)
class Bucket:
    name: str
    created: dt.datetime = field(metadata=view_named("creation_date"))
    # The scope the bucket lives in; a view does not name it (its scope is where it is restored).
    account: str = field(default="", metadata=VIEW_EXCLUDE)
    region: str = field(default="", metadata=VIEW_EXCLUDE)
    versioning: str | None = None  # None (never enabled), "Enabled", "Suspended"
    mfa_delete: str | None = None
    object_lock_enabled: bool = False
    config: BucketConfig = field(default_factory=BucketConfig, metadata=view_named("configurations"))
    # Every key with a version, sorted (derived from ``versions``).
    keys: list[str] = field(default_factory=list, metadata=VIEW_EXCLUDE)
    # key -> its versions, oldest first. In the view: ``objects``, one flat list of versions, and
    # ``multipart_uploads``, a list (``views.BucketView`` converts both).
    versions: dict[str, list[ObjectVersion]] = field(default_factory=dict)
    uploads: dict[str, MultipartUpload] = field(default_factory=dict)

    # -- reads -------------------------------------------------------------------------------
    @property
    def arn(self) -> str:
        """``arn:<partition>:s3:::<name>``: no region or account, but the region's partition."""
        return build_arn("s3", "", "", self.name, partition_for(self.region))

    def latest(self, key: str) -> ObjectVersion | None:
        versions = self.versions.get(key)
        return versions[-1] if versions else None

    def current(self, key: str) -> ObjectVersion | None:
        """The current object of ``key``; None when absent or the latest is a delete marker."""
        latest = self.latest(key)
        return None if latest is None or latest.delete_marker else latest

    def version(self, key: str, version_id: str) -> ObjectVersion | None:
        for candidate in self.versions.get(key, ()):
            if candidate.version_id == version_id:
                return candidate
        return None

    def key_index(self, start: str, inclusive: bool) -> int:
        """Index into ``keys`` of the first key >= start (or > start)."""
        return (bisect.bisect_left if inclusive else bisect.bisect_right)(self.keys, start)

    def is_empty(self) -> bool:
        return not self.keys

    def all_versions(self) -> list[ObjectVersion]:
        return [v for key in self.keys for v in self.versions[key]]

    def blob_keys(self) -> set[str]:
        blobs = {v.blob for versions in self.versions.values() for v in versions if v.blob}
        for upload in self.uploads.values():
            blobs.update(part.blob for part in upload.parts.values())
        return blobs

    # -- writes (each returns the versions it dropped, whose blobs the caller releases) --------
    def add_version(self, version: ObjectVersion) -> list[ObjectVersion]:
        """Make ``version`` current. Outside versioning it replaces the ``null`` version."""
        key = version.key
        versions = self.versions.get(key)
        if versions is None:
            self.versions[key] = [version]
            bisect.insort(self.keys, key)
            return []
        dropped: list[ObjectVersion] = []
        if version.version_id == NULL_VERSION:
            dropped = [v for v in versions if v.version_id == NULL_VERSION]
            if dropped:
                versions[:] = [v for v in versions if v.version_id != NULL_VERSION]
        versions.append(version)
        return dropped

    def remove_version(self, key: str, version_id: str) -> ObjectVersion | None:
        versions = self.versions.get(key)
        if not versions:
            return None
        for index, candidate in enumerate(versions):
            if candidate.version_id == version_id:
                del versions[index]
                if not versions:
                    self._forget_key(key)
                return candidate
        return None

    def remove_key(self, key: str) -> list[ObjectVersion]:
        versions = self.versions.get(key, [])
        if versions:
            self._forget_key(key)
        return versions

    def _forget_key(self, key: str) -> None:
        del self.versions[key]
        index = bisect.bisect_left(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key:
            del self.keys[index]

    def new_object_version_id(self) -> str:
        return new_version_id() if self.versioning == "Enabled" else NULL_VERSION


class S3Backend:
    """The buckets of one account created in one region."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.buckets: dict[str, Bucket] = {}

    def blob_keys(self) -> set[str]:
        keys: set[str] = set()
        for bucket in self.buckets.values():
            keys |= bucket.blob_keys()
        return keys

    def new_blob_key(self) -> str:
        return f"{blob_prefix(self.account, self.region)}{uuid.uuid4().hex}"

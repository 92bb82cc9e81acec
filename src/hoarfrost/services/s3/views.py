"""S3's typed state view: the buckets of one account created in one region, with everything in them.

Each view is derived from its record in ``state.py`` (``@record_view``): fields, types,
defaults and both conversions come from there. What is written here is only what differs:
checks a record does not need (a delete marker has no blob, part numbers are distinct), a
bucket's versions as one flat list (the record keeps them per key, with a sorted key index),
and the upgrade of older views.

Object bodies are not in the view: each object version and uploaded part names its blob by
``blob`` key. ``snapshot_with_blobs`` / ``restore_with_blobs`` move those blobs alongside.

Merge rule (the project's one rule, applied per level): a bucket whose name exists takes the
view's attributes and configurations; its object versions merge by (key, version id), its
multipart uploads by upload id and their parts by part number: an existing one takes the
view's, a new one is added, nothing is removed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import Field, field_validator, model_validator

from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.kit.shape_views import shape_view
from hoarfrost.core.views import StateView
from hoarfrost.services.s3.documents import SHAPE
from hoarfrost.services.s3.state import (
    NULL_VERSION,
    Bucket,
    BucketConfig,
    MultipartUpload,
    ObjectVersion,
    Part,
    PartInfo,
    S3Backend,
    is_valid_bucket_name,
)

V = TypeVar("V", bound=RecordView)


def _distinct(items: Iterable[Any], key: str, what: str) -> None:
    """A keyed list becomes a dict in the record: a repeated key would silently lose an item."""
    seen: set[Any] = set()
    for item in items:
        value = getattr(item, key)
        if value in seen:
            raise ValueError(f"repeated {what} {value!r}")
        seen.add(value)


@record_view(PartInfo)
class ObjectPartView(RecordView):
    """A part of a completed multipart object (its body is inside the object's blob)."""


@record_view(ObjectVersion)
class ObjectVersionView(RecordView):
    """One version of a key: an object, or a delete marker (``delete_marker``, no blob).

    ``etag`` is quoted as S3 sends it; ``checksums`` maps an algorithm (CRC32, CRC32C,
    CRC64NVME, SHA1, SHA256) to its base64 value; ``owner`` is the writer's account id (the
    scope's account when left out); ``acl`` and ``retention`` are typed from S3's model.
    """

    version_id: str = NULL_VERSION
    owner: str | None = None

    @field_validator("key", check_fields=False)
    @classmethod
    def _not_empty(cls, key: str) -> str:
        if not key:
            raise ValueError("an object key must not be empty")
        return key

    @model_validator(mode="after")
    def _consistent(self) -> ObjectVersionView:
        where = f"object {self.key!r} version {self.version_id!r}"
        if self.delete_marker and self.blob:
            raise ValueError(f"{where}: a delete marker has no blob")
        if not self.delete_marker and self.size and not self.blob:
            raise ValueError(f"{where}: size {self.size} but no blob")
        return self


@record_view(Part, key="part_number")
class UploadedPartView(RecordView):
    """A part uploaded to an in-progress multipart upload."""

    part_number: int = Field(ge=1, le=10000)


@record_view(MultipartUpload)
class MultipartUploadView(RecordView):
    """An in-progress multipart upload and the parts uploaded so far (by part number)."""

    owner: str | None = None

    @field_validator("parts", check_fields=False)
    @classmethod
    def _by_number(cls, parts: list[UploadedPartView]) -> list[UploadedPartView]:
        _distinct(parts, "part_number", "part number")
        return sorted(parts, key=lambda part: part.part_number)


@record_view(BucketConfig)
class BucketConfigurationsView(RecordView):
    """A bucket's sub-resources, each the document its Put operation takes, typed from S3's
    model (snake_case members); None when never set. ``policy`` is the policy JSON text; the
    id-keyed configurations are lists, each configuration carrying its ``id``."""


@record_view(Bucket, key="name", exclude=("versions", "uploads"))
class BucketView(RecordView):
    """A bucket: its settings, configurations, every object version (per key oldest first,
    the last one current) and its in-progress multipart uploads."""

    objects: list[ObjectVersionView] = Field(default_factory=list)
    multipart_uploads: list[MultipartUploadView] = Field(default_factory=list)

    @field_validator("name", check_fields=False)
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not is_valid_bucket_name(name):
            raise ValueError(f"{name!r} is not a valid bucket name")
        return name

    @field_validator("versioning", check_fields=False)
    @classmethod
    def _versioning(cls, versioning: str | None) -> str | None:
        if versioning not in (None, "Enabled", "Suspended"):
            raise ValueError("versioning must be Enabled, Suspended or null")
        return versioning

    @field_validator("multipart_uploads")
    @classmethod
    def _distinct_uploads(cls, uploads: list[MultipartUploadView]) -> list[MultipartUploadView]:
        _distinct(uploads, "upload_id", "upload id")
        return uploads

    @classmethod
    def of(cls, bucket: Bucket) -> BucketView:
        view = super().of(bucket)
        view.objects = [ObjectVersionView.of(version) for key in bucket.keys for version in bucket.versions[key]]
        view.multipart_uploads = [MultipartUploadView.of(upload) for upload in bucket.uploads.values()]
        return view

    def to_record(self, **values: Any) -> Bucket:
        bucket: Bucket = super().to_record(**values)
        for object_view in self.objects:
            version: ObjectVersion = object_view.to_record()
            versions = bucket.versions.setdefault(version.key, [])
            if any(v.version_id == version.version_id for v in versions):
                raise ValueError(f"bucket {self.name!r}: object {version.key!r} repeats version {version.version_id!r}")
            versions.append(version)
        bucket.keys = sorted(bucket.versions)
        bucket.uploads = {upload.upload_id: upload.to_record() for upload in self.multipart_uploads}
        return bucket

    @classmethod
    def merge(cls, target: Bucket, source: Bucket) -> None:
        super().merge(target, source)
        merge_keyed(target.uploads, source.uploads, MultipartUploadView.merge)
        for key, versions in source.versions.items():
            merged = {v.version_id: v for v in target.versions.get(key, [])}
            merge_keyed(merged, {v.version_id: v for v in versions})
            ordered = sorted(merged.values(), key=lambda v: v.last_modified)
            if key not in target.versions:
                target.add_version(ordered[0])  # files the new key in the sorted index
            target.versions[key] = ordered


class S3StateView(StateView):
    """The S3 buckets of one account that live in one region (S3 scopes a bucket by the region
    it was created in; names are global across accounts and regions)."""

    SCHEMA_VERSION = 2
    schema_version: int = 2

    buckets: list[BucketView] = Field(default_factory=list)

    @classmethod
    def upgrade(cls, document: dict[str, Any], version: int) -> dict[str, Any]:
        """1 -> 2: configurations, ACLs and retention were member-named documents (PascalCase,
        untyped); they are now typed from S3's model (snake_case), id-keyed configurations
        became lists, and ``retention_mode`` / ``retain_until_date`` became ``retention``."""
        if version != 1:
            return super().upgrade(document, version)
        for bucket in document.get("buckets") or []:
            _v1_documents(BucketConfig, bucket.get("configurations") or {})
            for record, key in ((ObjectVersion, "objects"), (MultipartUpload, "multipart_uploads")):
                for item in bucket.get(key) or []:
                    mode, until = item.pop("retention_mode", None), item.pop("retain_until_date", None)
                    item["retention"] = {"Mode": mode, "RetainUntilDate": until} if mode else None
                    _v1_documents(record, item)
        return document


def _v1_documents(record: type[Any], document: dict[str, Any]) -> None:
    """Rewrite, in place, each document field ``record`` declares with a shape into its typed form."""
    for item in dataclasses.fields(record):
        shape = item.metadata.get(SHAPE)
        value = document.get(item.name)
        if shape is None or value is None:
            continue
        model = shape_view("s3", shape)
        if item.default_factory is dataclasses.MISSING:
            document[item.name] = model.from_wire(value).model_dump(mode="json", exclude_none=True)
        else:  # id-keyed: {id: configuration} became a list
            document[item.name] = [model.from_wire(config).model_dump(mode="json", exclude_none=True)
                                   for _, config in sorted(value.items())]


# -- the backend -----------------------------------------------------------------------------------------
def backend_view(backend: S3Backend) -> S3StateView:
    return S3StateView(buckets=[BucketView.of(b) for b in sorted(backend.buckets.values(), key=lambda b: b.name)])


def bucket_from_view(view: BucketView, account: str, region: str) -> Bucket:
    """The bucket, placed in its scope; objects and uploads without an owner get the scope's account."""
    bucket = view.to_record()
    bucket.account, bucket.region = account, region
    for versions in bucket.versions.values():
        for version in versions:
            version.owner = version.owner or account
    for upload in bucket.uploads.values():
        upload.owner = upload.owner or account
    return bucket


def view_blob_refs(view: S3StateView) -> list[tuple[Any, str]]:
    """Every (model, blob key) the view names, so blobs can be checked, streamed or re-keyed."""
    refs: list[tuple[Any, str]] = []
    for bucket in view.buckets:
        refs.extend((o, o.blob) for o in bucket.objects if o.blob)
        for upload in bucket.multipart_uploads:
            refs.extend((p, p.blob) for p in upload.parts)
    return refs

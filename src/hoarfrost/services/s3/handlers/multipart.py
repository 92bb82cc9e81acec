"""Multipart uploads: create, upload part (and part copy), complete, abort, list parts and uploads."""

from __future__ import annotations

import hashlib
from itertools import chain
from typing import Any
from urllib.parse import quote_plus

from hoarfrost.services.s3.checksums import (
    ALGORITHM_OF_HEADER,
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    MEMBER,
    PENDING,
    BodyDigester,
    checksum_of,
    composite_checksum,
)
from hoarfrost.services.s3.errors import (
    errors,
)
from hoarfrost.services.s3.events import emit
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.acl import check_acl_allowed, requested_acl
from hoarfrost.services.s3.handlers.body import content_headers, ingest, parse_range
from hoarfrost.services.s3.handlers.common import S3Context, blobs, on_bucket, page_size
from hoarfrost.services.s3.handlers.objects import (
    check_key,
    check_write_conditions,
    encryption_of,
    lock_settings,
    parse_tagging,
    put_output,
    source_version,
    storage_class,
    store_version,
)
from hoarfrost.services.s3.state import (
    Bucket,
    MultipartUpload,
    ObjectVersion,
    Part,
    PartInfo,
    initiator_of,
    new_upload_id,
    now,
    owner_of,
)

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_NUMBER = 10000


def _upload(bucket: Bucket, request: dict[str, Any]) -> MultipartUpload:
    upload = bucket.uploads.get(request.get("UploadId") or "")
    if upload is None or upload.key != request.get("Key"):
        raise errors.NoSuchUpload(UploadId=request.get("UploadId") or "")
    return upload


def _part_number(request: dict[str, Any]) -> int:
    number = int(request.get("PartNumber") or 0)
    if not 1 <= number <= MAX_PART_NUMBER:
        raise errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                                     ArgumentName="partNumber", ArgumentValue=str(number))
    return number


def _algorithm_members(upload: MultipartUpload) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if upload.checksum_algorithm:
        out["ChecksumAlgorithm"] = upload.checksum_algorithm
        out["ChecksumType"] = upload.checksum_type
    return out


@ops.operation
@on_bucket
def create_multipart_upload(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    key = request["Key"]
    check_key(key)
    retention, legal_hold = lock_settings(ctx, request, bucket)
    algorithm = (request.get("ChecksumAlgorithm") or "").upper() or None
    checksum_type = request.get("ChecksumType")
    if checksum_type and not algorithm:
        raise errors.InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm "
                                    "header.")
    acl = requested_acl(request, ctx.account)
    check_acl_allowed(bucket, acl)
    if algorithm and not checksum_type:
        checksum_type = "FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"
    upload = MultipartUpload(
        upload_id=new_upload_id(),
        key=key,
        initiated=now(ctx.clock),
        owner=ctx.account,
        headers=content_headers(request),
        metadata=dict(request.get("Metadata") or {}),
        storage_class=storage_class(request),
        tags=parse_tagging(request.get("Tagging")),
        acl=acl,
        encryption=encryption_of(request, bucket),
        checksum_algorithm=algorithm,
        checksum_type=checksum_type,
        retention=retention,
        legal_hold=legal_hold,
    )
    bucket.uploads[upload.upload_id] = upload
    return {"Bucket": bucket.name, "Key": key, "UploadId": upload.upload_id, **upload.encryption,
            **_algorithm_members(upload)}


def _store_part(ctx: S3Context, upload: MultipartUpload, part: Part) -> None:
    old = upload.parts.get(part.number)
    upload.parts[part.number] = part
    if old is not None:
        blobs(ctx).delete(old.blob)


def _sent_algorithm(ctx: S3Context, request: dict[str, Any]) -> str | None:
    """The checksum algorithm a part request carries: a checksum member, an aws-chunked trailer
    it announces, or the SDK's algorithm header."""
    for name in ALGORITHMS:
        if request.get(MEMBER[name]):
            return name
    trailer = ALGORITHM_OF_HEADER.get(ctx.request.headers.get("x-amz-trailer", "").strip().lower())
    if trailer:
        return trailer
    return (request.get("ChecksumAlgorithm") or "").upper() or None


@ops.operation
@on_bucket
def upload_part(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    upload = _upload(bucket, request)
    number = _part_number(request)
    sent = _sent_algorithm(ctx, request)
    if upload.checksum_algorithm and sent and sent != upload.checksum_algorithm:
        raise errors.InvalidRequest(f"Checksum Type mismatch occurred, expected checksum Type: "
                                    f"{upload.checksum_algorithm.lower()}, actual checksum Type: {sent.lower()}")
    data = ingest(ctx, request, ctx.state.new_blob_key(), upload.checksum_algorithm)
    part = Part(number, data.blob, data.size, f'"{data.md5_hex}"', now(ctx.clock), data.checksums)
    _store_part(ctx, upload, part)
    return {"ETag": part.etag, **upload.encryption, **{MEMBER[name]: value for name, value in data.checksums.items()}}


@ops.operation
@on_bucket
def upload_part_copy(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    upload = _upload(bucket, request)
    number = _part_number(request)
    source_bucket, source = source_version(ctx, request, bucket)
    start, end = 0, source.size - 1
    if request.get("CopySourceRange"):
        text = request["CopySourceRange"]
        byte_range = parse_range(text, source.size)
        if byte_range is None or (text[6:].partition("-")[2] and int(text[6:].partition("-")[2]) >= source.size):
            raise errors.InvalidArgument(
                "The x-amz-copy-source-range value must be of the form bytes=first-last where "
                "first and last are the zero-based offsets of the first and last bytes to copy",
                ArgumentName="x-amz-copy-source-range", ArgumentValue=text)
        start, end = byte_range
    store = blobs(ctx)
    chunks = store.open(source.blob, start, end + 1) if source.blob and source.size else iter(())
    algorithm = upload.checksum_algorithm
    digester = BodyDigester([algorithm] if algorithm else [])
    blob = ctx.state.new_blob_key()
    size = store.put(blob, digester.wrap(chunks))
    checksums = digester.checksums()
    part = Part(number, blob, size, f'"{digester.md5.hexdigest()}"', now(ctx.clock), checksums)
    _store_part(ctx, upload, part)
    result: dict[str, Any] = {"ETag": part.etag, "LastModified": part.last_modified,
                              **{MEMBER[name]: value for name, value in checksums.items()}}
    out: dict[str, Any] = {"CopyPartResult": result, **upload.encryption}
    if source_bucket.versioning:
        out["CopySourceVersionId"] = source.version_id
    return out


def _chosen_parts(upload: MultipartUpload, request: dict[str, Any]) -> list[Part]:
    """The parts CompleteMultipartUpload names, validated as S3 does (ETags in errors unquoted)."""
    document = request.get("MultipartUpload")
    if document is None:
        raise errors.MalformedXML()
    listed = document.get("Parts") or []
    if not listed:
        raise errors.InvalidRequest("You must specify at least one part")
    chosen: list[Part] = []
    previous = 0
    for item in listed:
        number = int(item.get("PartNumber") or 0)
        if number <= previous:
            raise errors.InvalidPartOrder(UploadId=upload.upload_id)
        previous = number
        part = upload.parts.get(number)
        etag = (item.get("ETag") or "").strip().strip('"')
        if part is None or part.etag.strip('"') != etag:
            raise errors.InvalidPart(UploadId=upload.upload_id, PartNumber=str(number), ETag=etag)
        for name, value in part.checksums.items():
            given = item.get(MEMBER[name])
            if given is not None and given != value:
                raise errors.InvalidPart(UploadId=upload.upload_id, PartNumber=str(number), ETag=etag)
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < MIN_PART_SIZE:
            raise errors.EntityTooSmall(ProposedSize=str(part.size), MinSizeAllowed=str(MIN_PART_SIZE),
                                        PartNumber=str(part.number), ETag=part.etag.strip('"'))
    return chosen


def _multipart_etag(parts: list[Part]) -> str:
    digest = hashlib.md5(b"".join(bytes.fromhex(p.etag.strip('"')) for p in parts))  # noqa: S324
    return f'"{digest.hexdigest()}-{len(parts)}"'


@ops.operation
@on_bucket
def complete_multipart_upload(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    completed = _completed(bucket, request)
    if completed is not None:
        return _complete_output(bucket, completed)
    upload = _upload(bucket, request)
    parts = _chosen_parts(upload, request)
    check_write_conditions(request, bucket, upload.key)
    size = sum(part.size for part in parts)
    if request.get("MpuObjectSize") is not None and int(request["MpuObjectSize"]) != size:
        raise errors.InvalidRequest(f"The provided 'x-amz-mp-object-size' header value {request['MpuObjectSize']} does "
                                    f"not match what was computed: {size}")
    store = blobs(ctx)
    blob = ctx.state.new_blob_key()
    store.put(blob, chain.from_iterable(store.open(part.blob) for part in parts))
    algorithm = upload.checksum_algorithm
    if not algorithm:
        # S3's default for an upload that named no algorithm: a full-object CRC64NVME, computed
        # when first read (PENDING), since a pure-Python CRC of a large object is slow.
        checksums, checksum_type = {DEFAULT_ALGORITHM: PENDING}, "FULL_OBJECT"
    elif upload.checksum_type == "FULL_OBJECT":
        checksums, checksum_type = {algorithm: checksum_of(algorithm, store.open(blob))}, "FULL_OBJECT"
    else:
        part_sums = [part.checksums.get(algorithm) or checksum_of(algorithm, store.open(part.blob)) for part in parts]
        checksums, checksum_type = {algorithm: composite_checksum(algorithm, part_sums)}, "COMPOSITE"
    version = ObjectVersion(
        key=upload.key,
        version_id=bucket.new_object_version_id(),
        last_modified=now(ctx.clock),
        owner=upload.owner,
        blob=blob,
        size=size,
        etag=_multipart_etag(parts),
        headers=dict(upload.headers),
        metadata=dict(upload.metadata),
        storage_class=upload.storage_class,
        checksums=checksums,
        checksum_type=checksum_type,
        parts=[PartInfo(p.number, p.size, p.etag, _part_checksums(upload, p)) for p in parts],
        tags=dict(upload.tags),
        acl=upload.acl,
        encryption=dict(upload.encryption),
        retention=upload.retention,
        legal_hold=upload.legal_hold,
        upload_id=upload.upload_id,
    )
    for part in upload.parts.values():
        store.delete(part.blob)
    del bucket.uploads[upload.upload_id]
    store_version(ctx, bucket, version)
    emit(ctx, bucket, "ObjectCreated:CompleteMultipartUpload", version.key, version)
    return _complete_output(bucket, version)


def _completed(bucket: Bucket, request: dict[str, Any]) -> ObjectVersion | None:
    """The version an upload already completed produced (S3 answers a repeated completion
    with success); None when the upload id is not one completed into this key."""
    upload_id = request.get("UploadId") or ""
    if upload_id in bucket.uploads:
        return None
    for version in reversed(bucket.versions.get(request.get("Key") or "", ())):
        if version.upload_id == upload_id:
            return version
    return None


def _complete_output(bucket: Bucket, version: ObjectVersion) -> dict[str, Any]:
    return {"Location": f"https://{bucket.name}.s3.amazonaws.com/{quote_plus(version.key, safe='/')}",
            "Bucket": bucket.name, "Key": version.key, **put_output(version, bucket)}


def _part_checksums(upload: MultipartUpload, part: Part) -> dict[str, str]:
    """A part's checksums as the object keeps them: only the upload's own algorithm."""
    algorithm = upload.checksum_algorithm
    return {algorithm: part.checksums[algorithm]} if algorithm and algorithm in part.checksums else {}


@ops.operation
@on_bucket
def abort_multipart_upload(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    upload = _upload(bucket, request)
    del bucket.uploads[upload.upload_id]
    store = blobs(ctx)
    for part in upload.parts.values():
        store.delete(part.blob)
    return {}


@ops.operation
@on_bucket
def list_parts(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    upload = _upload(bucket, request)
    marker = int(request.get("PartNumberMarker") or 0)
    max_parts = _max_parts(request)
    numbers = sorted(n for n in upload.parts if n > marker)
    page, truncated = numbers[:max_parts], len(numbers) > max_parts
    out: dict[str, Any] = {
        "Bucket": bucket.name, "Key": upload.key, "UploadId": upload.upload_id,
        "PartNumberMarker": marker, "NextPartNumberMarker": page[-1] if page else 0, "MaxParts": max_parts,
        "IsTruncated": truncated, "Owner": owner_of(upload.owner), "Initiator": initiator_of(upload.owner),
        "StorageClass": upload.storage_class,
        "Parts": [
            {"PartNumber": n, "LastModified": upload.parts[n].last_modified, "ETag": upload.parts[n].etag,
             "Size": upload.parts[n].size,
             **{MEMBER[name]: value for name, value in _part_checksums(upload, upload.parts[n]).items()}}
            for n in page
        ],
        **_algorithm_members(upload),
    }
    return out


def _max_parts(request: dict[str, Any]) -> int:
    """MaxParts as S3 takes it: absent is 1,000, more is capped at 1,000; zero or negative, or
    beyond a 32-bit integer, is refused."""
    return page_size(request.get("MaxParts"), "max-parts", minimum=1)




@ops.operation
@on_bucket
def list_multipart_uploads(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    prefix = request.get("Prefix") or ""
    delimiter = request.get("Delimiter") or ""
    key_marker = request.get("KeyMarker") or ""
    upload_marker = request.get("UploadIdMarker") or ""
    max_uploads = page_size(request.get("MaxUploads"), "max-uploads", minimum=0)
    encode = (lambda t: quote_plus(t, safe="/")) if request.get("EncodingType") == "url" else (lambda t: t)
    ordered = sorted(bucket.uploads.values(), key=lambda u: (u.key, u.initiated, u.upload_id))
    uploads: list[dict[str, Any]] = []
    prefixes: list[str] = []
    truncated = False
    last_key = last_upload = None
    past_marker = not upload_marker
    for upload in ordered:
        if not upload.key.startswith(prefix):
            continue
        if upload.key < key_marker or (upload.key == key_marker and not upload_marker):
            continue
        if upload.key == key_marker and not past_marker:
            past_marker = upload.upload_id == upload_marker
            continue
        cut = upload.key.find(delimiter, len(prefix)) if delimiter else -1
        group = upload.key[: cut + len(delimiter)] if cut >= 0 else None
        if group is not None and prefixes and prefixes[-1] == group:
            continue
        if len(uploads) + len(prefixes) == max_uploads:
            truncated = True
            break
        if group is not None:
            prefixes.append(group)
            last_key, last_upload = group, None
            continue
        owner = owner_of(upload.owner)
        uploads.append({"UploadId": upload.upload_id, "Key": encode(upload.key), "Initiated": upload.initiated,
                        "StorageClass": upload.storage_class, "Owner": owner, "Initiator": owner,
                        **_algorithm_members(upload)})
        last_key, last_upload = upload.key, upload.upload_id
    out: dict[str, Any] = {"Bucket": bucket.name, "KeyMarker": encode(key_marker), "UploadIdMarker": upload_marker,
                           "MaxUploads": max_uploads, "IsTruncated": truncated, "Prefix": encode(prefix)}
    if delimiter:
        out["Delimiter"] = encode(delimiter)
    if request.get("EncodingType"):
        out["EncodingType"] = request["EncodingType"]
    if uploads:
        out["Uploads"] = uploads
    if prefixes:
        out["CommonPrefixes"] = [{"Prefix": encode(p)} for p in prefixes]
    if truncated:
        out["NextKeyMarker"] = encode(last_key or "")
        if last_upload:
            out["NextUploadIdMarker"] = last_upload
    return out

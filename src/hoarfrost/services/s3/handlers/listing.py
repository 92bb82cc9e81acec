"""Listings: ListObjects (v1), ListObjectsV2 and ListObjectVersions.

All three walk the bucket's sorted key list from the first key that can qualify (bisect on
the marker or prefix) and stop when the page is full or the keys leave the prefix, so a page
costs O(log n + page). A delimiter groups keys into a common prefix, and the walk jumps past
the whole group with one more bisect.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

from hoarfrost.core.kit.paging import key_token, token_key
from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.common import (
    S3Context,
    continuation_error,
    on_bucket,
    page_size,
)
from hoarfrost.services.s3.state import Bucket, ObjectVersion, owner_of

DEFAULT_MAX_KEYS = 1000
_V2_TOKENS = "s3:ListObjectsV2"


def _max_keys(request: dict[str, Any]) -> int:
    return page_size(request.get("MaxKeys"), "maxKeys", minimum=0)


def _past_group(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with ``prefix`` (None if none)."""
    last = ord(prefix[-1])
    return None if last == 0x10FFFF else prefix[:-1] + chr(last + 1)


def walk(bucket: Bucket, prefix: str, delimiter: str, after: str,
         include_after: bool = False) -> Iterator[tuple[str, bool]]:
    """(key, False) and (common prefix, True) entries in order, after ``after`` (or from it).

    Keys whose every version is a delete marker are skipped by the caller, not here, because
    ListObjectVersions still wants them.
    """
    keys = bucket.keys
    start = max(after, prefix)
    index = bucket.key_index(start, inclusive=include_after or start != after)
    while index < len(keys):
        key = keys[index]
        if not key.startswith(prefix):
            return
        cut = key.find(delimiter, len(prefix)) if delimiter else -1
        if cut < 0:
            yield key, False
            index += 1
            continue
        group = key[: cut + len(delimiter)]
        if group > after:
            yield group, True
        past = _past_group(group)
        if past is None:
            index += 1
            while index < len(keys) and keys[index].startswith(group):
                index += 1
        else:
            index = bucket.key_index(past, inclusive=True)


def _encoder(request: dict[str, Any]) -> Any:
    encoding = request.get("EncodingType")
    if encoding is None:
        return lambda text: text
    if encoding != "url":
        raise errors.InvalidArgument("Invalid Encoding Method specified in Request", ArgumentName="encoding-type",
                                     ArgumentValue=encoding)
    return lambda text: quote_plus(text, safe="/") if text else text


def _content(version: ObjectVersion, with_owner: bool, encode: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Key": encode(version.key),
        "LastModified": version.last_modified,
        "ETag": version.etag,
        "Size": version.size,
        "StorageClass": version.storage_class,
    }
    if version.checksums:
        entry["ChecksumAlgorithm"] = sorted(version.checksums)
        if version.checksum_type:
            entry["ChecksumType"] = version.checksum_type
    if with_owner:
        entry["Owner"] = owner_of(version.owner)
    return entry


def _list_current(bucket: Bucket, prefix: str, delimiter: str, after: str, limit: int,
                  with_owner: bool, encode: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]], str | None]:
    """One page of current objects: (contents, common prefixes, last entry if truncated)."""
    contents: list[dict[str, Any]] = []
    prefixes: list[dict[str, str]] = []
    last: str | None = None
    for name, is_prefix in walk(bucket, prefix, delimiter, after):
        current = None if is_prefix else bucket.current(name)
        if not is_prefix and current is None:
            continue
        if len(contents) + len(prefixes) == limit:
            return contents, prefixes, last
        if current is None:
            prefixes.append({"Prefix": encode(name)})
        else:
            contents.append(_content(current, with_owner, encode))
        last = name
    return contents, prefixes, None


def _common(request: dict[str, Any], encode: Any, max_keys: int) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": request["Bucket"], "Prefix": encode(request.get("Prefix") or ""),
                           "MaxKeys": max_keys}
    if request.get("Delimiter"):
        out["Delimiter"] = encode(request["Delimiter"])
    if request.get("EncodingType"):
        out["EncodingType"] = request["EncodingType"]
    return out


@ops.operation
@on_bucket
def list_objects(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    encode = _encoder(request)
    max_keys = _max_keys(request)
    marker = request.get("Marker") or ""
    delimiter = request.get("Delimiter") or ""
    contents, prefixes, last = _list_current(bucket, request.get("Prefix") or "", delimiter, marker, max_keys,
                                             True, encode)
    out = _common(request, encode, max_keys)
    out.update({"Marker": encode(marker), "IsTruncated": last is not None})
    if contents:
        out["Contents"] = contents
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if last is not None and delimiter:
        out["NextMarker"] = encode(last)
    return out


def _after_token(token: str) -> str:
    """The key (or common prefix) a NextContinuationToken of ours resumes after."""
    error = continuation_error(token)
    after = token_key(_V2_TOKENS, token, error)
    if not isinstance(after, str):
        raise error()
    return after


@ops.operation
@on_bucket
def list_objects_v2(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    encode = _encoder(request)
    max_keys = _max_keys(request)
    token = request.get("ContinuationToken")
    if token is not None and not token:
        raise continuation_error(token)()
    # A continuation token carries the position on its own: StartAfter is then ignored (and not echoed).
    start_after = "" if token else request.get("StartAfter") or ""
    after = _after_token(token) if token else start_after
    contents, prefixes, last = _list_current(bucket, request.get("Prefix") or "", request.get("Delimiter") or "",
                                             after, max_keys, bool(request.get("FetchOwner")), encode)
    out = _common(request, encode, max_keys)
    out.update({"IsTruncated": last is not None, "KeyCount": len(contents) + len(prefixes)})
    if contents:
        out["Contents"] = contents
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if token:
        out["ContinuationToken"] = token
    if start_after:
        out["StartAfter"] = encode(start_after)
    if last is not None:
        out["NextContinuationToken"] = key_token(_V2_TOKENS, last)
    return out


@ops.operation
@on_bucket
def list_object_versions(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    encode = _encoder(request)
    max_keys = _max_keys(request)
    key_marker = request.get("KeyMarker") or ""
    version_marker = request.get("VersionIdMarker") or ""
    if version_marker and not key_marker:
        raise errors.InvalidArgument("A version-id marker cannot be specified without a key marker.",
                                     ArgumentName="version-id-marker", ArgumentValue=version_marker)
    versions: list[dict[str, Any]] = []
    markers: list[dict[str, Any]] = []
    prefixes: list[dict[str, str]] = []
    count = 0
    truncated = False
    next_key = next_version = None
    # With a version-id marker the marker key itself continues after that version.
    for name, is_prefix in walk(bucket, request.get("Prefix") or "", request.get("Delimiter") or "", key_marker,
                                include_after=bool(version_marker)):
        if is_prefix:
            if count == max_keys:
                truncated = True
                break
            prefixes.append({"Prefix": encode(name)})
            count += 1
            next_key, next_version = name, None
            continue
        history = list(reversed(bucket.versions[name]))
        if name == key_marker and version_marker:
            ids = [v.version_id for v in history]
            history = history[ids.index(version_marker) + 1:] if version_marker in ids else []
        for version in history:
            if count == max_keys:
                truncated = True
                break
            entry: dict[str, Any] = {
                "Key": encode(name), "VersionId": version.version_id,
                "IsLatest": version is bucket.versions[name][-1], "LastModified": version.last_modified,
                "Owner": owner_of(version.owner),
            }
            if version.delete_marker:
                markers.append(entry)
            else:
                entry.update(ETag=version.etag, Size=version.size, StorageClass=version.storage_class)
                if version.checksums:
                    entry["ChecksumAlgorithm"] = sorted(version.checksums)
                    if version.checksum_type:
                        entry["ChecksumType"] = version.checksum_type
                versions.append(entry)
            count += 1
            next_key, next_version = name, version.version_id
        if truncated:
            break
    out = _common(request, encode, max_keys)
    out.update({"KeyMarker": encode(key_marker), "VersionIdMarker": version_marker, "IsTruncated": truncated})
    if versions:
        out["Versions"] = versions
    if markers:
        out["DeleteMarkers"] = markers
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if truncated and next_key is not None:
        out["NextKeyMarker"] = encode(next_key)
        if next_version is not None:
            out["NextVersionIdMarker"] = next_version
    return out

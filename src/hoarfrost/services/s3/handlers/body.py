"""Taking a request body into the blob store (PutObject, UploadPart) and reading one back out.

The body passes through once: aws-chunked framing is decoded into views of the request
bytes, MD5 and the requested checksums are computed as the chunks stream into the store, and
a mismatch with Content-MD5 or an x-amz-checksum-* value (header or aws-chunked trailer)
removes the blob again and answers BadDigest.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from hoarfrost.services.s3.checksums import (
    ALGORITHM_OF_HEADER,
    ALGORITHMS,
    MEMBER,
    BodyDigester,
    decode_aws_chunked,
)
from hoarfrost.services.s3.errors import (
    errors,
)
from hoarfrost.services.s3.handlers.common import S3Context, aware, blobs
from hoarfrost.services.s3.state import ObjectVersion

# Content headers an object keeps, by member name (the same in Put* input and Get* output).
CONTENT_MEMBERS = (
    "ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl", "Expires",
    "WebsiteRedirectLocation",
)


@dataclass(slots=True)
class Ingested:
    blob: str
    size: int
    md5_hex: str
    checksums: dict[str, str]


def content_headers(request: dict[str, Any]) -> dict[str, Any]:
    """The content headers to store; the aws-chunked transfer coding is not part of the object."""
    headers = {name: request[name] for name in CONTENT_MEMBERS if request.get(name) not in (None, "")}
    encoding = headers.get("ContentEncoding")
    if encoding:
        kept = [part.strip() for part in encoding.split(",") if part.strip() and part.strip() != "aws-chunked"]
        if kept:
            headers["ContentEncoding"] = ",".join(kept)
        else:
            del headers["ContentEncoding"]
    return headers


def _raw_body(request: dict[str, Any]) -> bytes:
    body = request.get("Body")
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return body if isinstance(body, bytes) else bytes(body)


def _body_chunks(ctx: S3Context, request: dict[str, Any]) -> tuple[Iterable[bytes], dict[str, str]]:
    body = _raw_body(request)
    headers = ctx.request.headers
    chunked = "aws-chunked" in headers.get("content-encoding", "") or headers.get(
        "x-amz-content-sha256", "").startswith("STREAMING-")
    if not chunked:
        return (body,), {}
    chunks, trailers = decode_aws_chunked(body)
    declared = headers.get("x-amz-decoded-content-length")
    if declared is not None and declared.isdigit() and int(declared) != sum(len(c) for c in chunks):
        raise errors.IncompleteBody(
            "You did not provide the number of bytes specified by the Content-Length HTTP header")
    return cast(Iterable[bytes], chunks), trailers  # memoryviews of the body: bytes-like, not copied


def _expected_checksums(request: dict[str, Any], trailers: dict[str, str]) -> dict[str, str]:
    expected = {name: request[MEMBER[name]] for name in ALGORITHMS if request.get(MEMBER[name])}
    for header, value in trailers.items():
        algorithm = ALGORITHM_OF_HEADER.get(header)
        if algorithm:
            expected[algorithm] = value
    if len(expected) > 1:
        raise errors.InvalidArgument(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
            ArgumentName="x-amz-checksum")
    return expected


def ingest(ctx: S3Context, request: dict[str, Any], blob_key: str, algorithm: str | None = None,
           default: str | None = None) -> Ingested:
    """Stream the request body into ``blob_key``, verifying every digest the client sent;
    ``default`` is the algorithm computed when the client sent and asked for none."""
    chunks, trailers = _body_chunks(ctx, request)
    expected = _expected_checksums(request, trailers)
    wanted = set(expected)
    requested = request.get("ChecksumAlgorithm") or algorithm
    if requested:
        requested = requested.upper()
        if requested not in ALGORITHMS:
            raise errors.InvalidArgument(f"Checksum algorithm {requested} is not supported",
                                         ArgumentName="x-amz-sdk-checksum-algorithm")
        wanted.add(requested)
    if not wanted and default:
        wanted.add(default)
    content_md5 = request.get("ContentMD5")
    md5_expected: bytes | None = None
    if content_md5:
        try:
            md5_expected = base64.b64decode(content_md5, validate=True)
        except (binascii.Error, ValueError):
            raise errors.InvalidDigest(**{"Content-MD5": content_md5}) from None
        if len(md5_expected) != 16:
            raise errors.InvalidDigest(**{"Content-MD5": content_md5})
    digester = BodyDigester(sorted(wanted))
    store = blobs(ctx)
    size = store.put(blob_key, digester.wrap(chunks))
    computed = digester.checksums()
    if md5_expected is not None and md5_expected != digester.md5.digest():
        store.delete(blob_key)
        calculated = base64.b64encode(digester.md5.digest()).decode()
        raise errors.BadDigest(ExpectedDigest=content_md5, CalculatedDigest=calculated)
    for name, value in expected.items():
        if computed[name] != value:
            store.delete(blob_key)
            raise errors.BadDigest(f"The {name} you specified did not match the calculated checksum.")
    return Ingested(blob_key, size, digester.md5.hexdigest(), computed)


# -- reading -------------------------------------------------------------------------------------
def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` as [start, end] inclusive; None for no (or an
    unparseable, which S3 ignores) range; InvalidRange when it cannot be satisfied."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, sep, last = header[6:].strip().partition("-")
    if not sep:
        return None
    try:
        if first == "":
            if not last:
                return None
            length = int(last)
            if length == 0:
                raise errors.InvalidRange(RangeRequested=header, ActualObjectSize=size)
            return (max(size - length, 0), size - 1) if size else _unsatisfiable(header, size)
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if end < start:
        return None
    if start >= size:
        _unsatisfiable(header, size)
    return start, min(end, size - 1)


def _unsatisfiable(header: str, size: int) -> tuple[int, int]:
    raise errors.InvalidRange(RangeRequested=header, ActualObjectSize=str(size))


def _etag_matches(condition: str, etag: str) -> bool:
    wanted = [part.strip() for part in condition.split(",")]
    return "*" in wanted or etag in wanted or etag.strip('"') in [w.strip('"') for w in wanted]


def check_read_conditions(version: ObjectVersion, if_match: str | None, if_none_match: str | None,
                          if_modified_since: Any, if_unmodified_since: Any, *, copy_source: bool = False) -> None:
    """RFC 7232 as S3 applies it: If-Match beats If-Unmodified-Since, If-None-Match beats
    If-Modified-Since. A copy source answers 412 where a GET answers 304."""
    modified = version.last_modified.replace(microsecond=0)
    if if_match is not None and not _etag_matches(if_match, version.etag):
        raise errors.PreconditionFailed(Condition="x-amz-copy-source-If-Match" if copy_source else "If-Match")
    unmodified_since = None if if_unmodified_since is None else aware(if_unmodified_since)
    if if_match is None and unmodified_since is not None and modified > unmodified_since:
        raise errors.PreconditionFailed(
            Condition="x-amz-copy-source-If-Unmodified-Since" if copy_source else "If-Unmodified-Since")
    if if_none_match is not None and _etag_matches(if_none_match, version.etag):
        if copy_source:
            raise errors.PreconditionFailed(Condition="x-amz-copy-source-If-None-Match")
        raise errors.NotModified(headers={"etag": version.etag})
    modified_since = None if if_modified_since is None else aware(if_modified_since)
    if if_none_match is None and modified_since is not None and modified <= modified_since:
        if copy_source:
            raise errors.PreconditionFailed(Condition="x-amz-copy-source-If-Modified-Since")
        raise errors.NotModified(headers={"etag": version.etag})

"""POST Object: the browser-form upload a presigned POST (boto3's ``generate_presigned_post``)
makes: ``multipart/form-data`` to the bucket's URL, the object in the ``file`` field.

The form's policy document (base64 JSON with ``expiration`` and ``conditions``) is enforced as
S3 enforces it: expiry on the emulator's clock, each condition (exact matches, ``eq``,
``starts-with``, ``content-length-range``), and every form field covered by a condition. The
signature itself is not verified (hoarfrost verifies no signature). The answer is what
``success_action_redirect`` (303 to it, with bucket, key and etag) or ``success_action_status``
(200, 201 with a PostResponse document, else 204) asks for.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from defusedxml import ElementTree

from hoarfrost.core.operations import Reply
from hoarfrost.protocols.wire import parse_timestamp
from hoarfrost.services.s3.checksums import ALGORITHM_OF_HEADER, MEMBER
from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.common import S3Context, on_bucket
from hoarfrost.services.s3.handlers.objects import write_object
from hoarfrost.services.s3.state import Bucket, ObjectVersion

_PARAM = re.compile(r';\s*([A-Za-z0-9_-]+)="?([^";]*)"?')
# Form fields a policy need not name (S3's rule), besides those prefixed x-ignore-.
_UNCOVERED = frozenset({"policy", "x-amz-signature", "file", "signature", "awsaccesskeyid"})
# Form fields taken as PutObject members (field names are case-insensitive).
_MEMBERS = {
    "content-type": "ContentType", "cache-control": "CacheControl", "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding", "content-language": "ContentLanguage", "acl": "ACL",
    "x-amz-storage-class": "StorageClass", "x-amz-server-side-encryption": "ServerSideEncryption",
    "x-amz-server-side-encryption-aws-kms-key-id": "SSEKMSKeyId",
    "x-amz-server-side-encryption-bucket-key-enabled": "BucketKeyEnabled",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation", "x-amz-checksum-algorithm": "ChecksumAlgorithm",
    "content-md5": "ContentMD5",
}
_ENCLOSURE = "Bucket POST must be of the enclosure-type multipart/form-data"


@dataclass(slots=True)
class Form:
    """The form's fields before the file (lower-cased names, the last value of each), their
    names as sent, and the file part."""

    fields: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    file: bytes | None = None
    filename: str = ""


def parse_form(content_type: str, body: bytes) -> Form:
    """A ``multipart/form-data`` body; S3 ignores whatever follows the file field."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/form-data") or match is None:
        raise errors.PreconditionFailed(_ENCLOSURE, Condition=_ENCLOSURE)
    form = Form()
    for chunk in body.split(b"--" + match.group(1).encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, sep, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            continue
        content = content.removesuffix(b"\r\n")
        disposition = next((line for line in head.decode("utf-8", "replace").split("\r\n")
                            if line.lower().startswith("content-disposition:")), "")
        params = {name.lower(): value for name, value in _PARAM.findall(disposition)}
        name = params.get("name")
        if name is None:
            continue
        if name.lower() == "file":
            form.file, form.filename = content, params.get("filename", "")
            break
        form.fields[name.lower()] = content.decode("utf-8", "replace")
        form.names[name.lower()] = name
    return form


def _field_missing(name: str) -> Exception:
    return errors.InvalidArgument(f"Bucket POST must contain a field named '{name}'.  If it is specified, please "
                                  "check the order of the fields.", ArgumentName=name, ArgumentValue="")


def _policy_error(text: str) -> Exception:
    return errors.InvalidPolicyDocument(f"Invalid Policy: {text}")


def _condition_failed(condition: Any) -> Exception:
    return errors.AccessDenied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")


def check_policy(ctx: S3Context, form: Form, bucket: Bucket) -> None:
    """The policy document: expiry, each condition, every field covered (S3's order)."""
    text = form.fields["policy"]
    try:
        document = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise _policy_error("Invalid JSON.") from None
    if not isinstance(document, dict) or "expiration" not in document:
        raise _policy_error("Policy missing expiration.")
    try:
        expiration = parse_timestamp(str(document["expiration"]))
    except (ValueError, TypeError):
        raise _policy_error(f"Invalid 'expiration' value: '{document['expiration']}'") from None
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=dt.UTC)
    if ctx.clock.now() > expiration:
        raise errors.AccessDenied("Invalid according to Policy: Policy expired.")
    conditions = document.get("conditions")
    if not isinstance(conditions, list):
        raise _policy_error("Policy missing conditions.")
    values = {**form.fields, "bucket": bucket.name}
    covered: set[str] = set()
    size = len(form.file or b"")
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            ((name, expected),) = condition.items()
            covered.add(name.lower())
            if values.get(name.lower()) != str(expected):
                raise _condition_failed(["eq", f"${name}", expected])
        elif isinstance(condition, list) and len(condition) == 3 and \
                str(condition[0]).lower() == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                raise errors.EntityTooLarge(ProposedSize=str(size), MaxSizeAllowed=str(high))
            if size < low:
                raise errors.EntityTooSmall(ProposedSize=str(size), MinSizeAllowed=str(low))
        elif (isinstance(condition, list) and len(condition) == 3 and str(condition[0]).lower() in ("eq", "starts-with")
              and str(condition[1]).startswith("$")):
            name = str(condition[1])[1:].lower()
            covered.add(name)
            given, wanted = values.get(name, ""), str(condition[2])
            if str(condition[0]).lower() == "eq":
                holds = given == wanted
            elif name == "content-type":  # each of a comma-separated list must match
                holds = all(part.strip().startswith(wanted) for part in given.split(","))
            else:
                holds = given.startswith(wanted)
            if not holds:
                raise _condition_failed(condition)
        else:
            raise _policy_error(f"Invalid Condition: {json.dumps(condition)}")
    extra = [form.names[name] for name in form.fields
             if name not in covered and name not in _UNCOVERED and not name.startswith("x-ignore-")]
    if extra:
        raise errors.AccessDenied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


def _tagging(text: str) -> str:
    """The form's ``tagging`` XML document as the x-amz-tagging query string PutObject takes."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise errors.MalformedXML() from None
    pairs = []
    for tag in root.iter():
        if tag.tag.rsplit("}", 1)[-1] == "Tag":
            found = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in tag}
            pairs.append((found.get("Key", ""), found.get("Value", "")))
    return urlencode(pairs)


def put_request(form: Form, bucket: Bucket, key: str) -> dict[str, Any]:
    """The form as PutObject's request members."""
    fields = form.fields
    request: dict[str, Any] = {"Bucket": bucket.name, "Key": key, "Body": form.file or b""}
    for name, member in _MEMBERS.items():
        if fields.get(name):
            request[member] = fields[name]
    if "BucketKeyEnabled" in request:
        request["BucketKeyEnabled"] = request["BucketKeyEnabled"].lower() == "true"
    if fields.get("expires"):
        try:
            request["Expires"] = parse_timestamp(fields["expires"])
        except ValueError:
            pass  # S3 keeps an unparseable Expires out of the object's headers too
    metadata = {name[len("x-amz-meta-"):]: value for name, value in fields.items() if name.startswith("x-amz-meta-")}
    if metadata:
        request["Metadata"] = metadata
    for name, value in fields.items():
        algorithm = ALGORITHM_OF_HEADER.get(name)
        if algorithm:
            request[MEMBER[algorithm]] = value
    if fields.get("tagging"):
        request["Tagging"] = _tagging(fields["tagging"])
    return request


def _answer(ctx: S3Context, form: Form, bucket: Bucket, version: ObjectVersion) -> Reply:
    request = ctx.request
    key_path = quote(version.key, safe="/")
    location = (f"{request.scheme}://{request.host}/{key_path}" if request.host.startswith(f"{bucket.name}.")
                else f"{request.scheme}://{request.host}/{bucket.name}/{key_path}")
    headers = {"etag": version.etag, "location": location}
    if bucket.versioning:
        headers["x-amz-version-id"] = version.version_id
    redirect = form.fields.get("success_action_redirect") or form.fields.get("redirect")
    if redirect and urlsplit(redirect).scheme in ("http", "https"):
        query = urlencode({"bucket": bucket.name, "key": version.key, "etag": version.etag})
        headers["location"] = f"{redirect}{'&' if '?' in redirect else '?'}{query}"
        return Reply({}, status=303, headers=headers)
    status = form.fields.get("success_action_status")
    if status == "201":
        return Reply({"PostResponse": {"Location": location, "Bucket": bucket.name, "Key": version.key,
                                       "ETag": version.etag}}, status=201, headers=headers)
    return Reply({}, status=200 if status == "200" else 204, headers=headers)


@ops.operation
@on_bucket
def post_object(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> Reply:
    body = request.get("Body") or b""
    if hasattr(body, "read"):
        body = body.read()
    form = parse_form(ctx.request.headers.get("content-type", ""), bytes(body))
    if "key" not in form.fields:
        raise _field_missing("key")
    if form.file is None:
        raise errors.InvalidArgument("POST requires exactly one file upload per request.", ArgumentName="file",
                                     ArgumentValue="0")
    key = form.fields["key"].replace("${filename}", form.filename)
    form.fields["key"] = key
    if "policy" in form.fields:
        if "x-amz-signature" not in form.fields and "signature" not in form.fields:
            raise _field_missing("x-amz-signature")
        check_policy(ctx, form, bucket)
    version = write_object(ctx, put_request(form, bucket, key), bucket, "ObjectCreated:Post")
    return _answer(ctx, form, bucket, version)

"""Presigned POST (browser form uploads): boto3's generate_presigned_post, the form posted to the
bucket over HTTP (requests) and in-process (the emulator's own entry point, as no socket exists
there); policy conditions, expiry and the success_action answers."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from defusedxml import ElementTree

from hoarfrost.core.http import HttpRequest
from tests.harness import Harness


def _encode(fields: dict[str, str], file: tuple[str, bytes] | None) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    if file is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file[0]}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + file[1] + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def post(aws: Harness, url: str, fields: dict[str, str], file: tuple[str, bytes] | None = ("f.txt", b"data")
         ) -> tuple[int, dict[str, str], bytes]:
    """POST the form: over HTTP with requests in server mode, through ``Emulator.handle`` in-process."""
    content_type, body = _encode(fields, file)
    if aws.mode == "server":
        answer = (requests.post(url, data=fields, files={"file": file}, timeout=10, allow_redirects=False) if file
                  else requests.post(url, data=body, headers={"content-type": content_type}, timeout=10))
        return answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, answer.content
    where = urlsplit(url)
    response = aws.emulator.handle(HttpRequest("POST", where.path or "/", where.query,
                                               {"host": where.netloc, "content-type": content_type}, body))
    return response.status, dict(response.headers), response.body


def _code(body: bytes) -> tuple[str, str]:
    root = ElementTree.fromstring(body)
    return root.findtext("Code") or "", root.findtext("Message") or ""


@pytest.fixture
def s3(aws: Harness) -> Any:
    client = aws.client("s3")
    client.create_bucket(Bucket="forms")
    return client


def test_presigned_post_uploads_the_file(aws: Harness, s3: Any) -> None:
    form = s3.generate_presigned_post("forms", "uploads/${filename}", ExpiresIn=300)
    status, headers, body = post(aws, form["url"], form["fields"], ("photo.jpg", b"jpeg bytes"))
    assert status == 204 and body == b""
    assert headers["etag"] == f'"{hashlib.md5(b"jpeg bytes").hexdigest()}"'
    got = s3.get_object(Bucket="forms", Key="uploads/photo.jpg")
    assert got["Body"].read() == b"jpeg bytes" and got["ContentType"] == "binary/octet-stream"


def test_form_fields_become_object_settings(aws: Harness, s3: Any) -> None:
    fields = {"Content-Type": "text/plain", "x-amz-meta-owner": "form", "success_action_status": "201",
              "tagging": "<Tagging><TagSet><Tag><Key>src</Key><Value>web</Value></Tag></TagSet></Tagging>"}
    conditions: list[Any] = [{"Content-Type": "text/plain"}, {"x-amz-meta-owner": "form"},
                             {"success_action_status": "201"}, ["starts-with", "$tagging", ""]]
    form = s3.generate_presigned_post("forms", "note.txt", Fields=fields, Conditions=conditions)
    status, _, body = post(aws, form["url"], form["fields"], ("n.txt", b"hello"))
    assert status == 201
    root = ElementTree.fromstring(body)
    assert root.tag.endswith("PostResponse")
    assert [root.findtext(f"{{*}}{name}") or root.findtext(name) for name in ("Bucket", "Key")] == ["forms", "note.txt"]
    head = s3.head_object(Bucket="forms", Key="note.txt")
    assert head["ContentType"] == "text/plain" and head["Metadata"] == {"owner": "form"}
    assert s3.get_object_tagging(Bucket="forms", Key="note.txt")["TagSet"] == [{"Key": "src", "Value": "web"}]
    ok = s3.generate_presigned_post("forms", "two.txt", Fields={"success_action_status": "200"},
                                    Conditions=[{"success_action_status": "200"}])
    assert post(aws, ok["url"], ok["fields"])[0] == 200


def test_success_action_redirect(aws: Harness, s3: Any) -> None:
    target = "https://example.com/done"
    form = s3.generate_presigned_post("forms", "r.txt", Fields={"success_action_redirect": target},
                                      Conditions=[{"success_action_redirect": target}])
    status, headers, _ = post(aws, form["url"], form["fields"])
    assert status == 303
    location = urlsplit(headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == target
    query = parse_qs(location.query)
    assert query["bucket"] == ["forms"] and query["key"] == ["r.txt"] and query["etag"][0].startswith('"')


@pytest.mark.parametrize(("fields", "conditions", "file", "code", "message"), [
    ({}, [["content-length-range", 10, 100]], b"tiny", "EntityTooSmall",
     "Your proposed upload is smaller than the minimum allowed size"),
    ({}, [["content-length-range", 1, 3]], b"too large", "EntityTooLarge",
     "Your proposed upload exceeds the maximum allowed size"),
    ({"Content-Type": "text/html"}, [["starts-with", "$Content-Type", "image/"]], b"x", "AccessDenied",
     'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]'),
    ({"acl": "public-read"}, [], b"x", "AccessDenied", "Invalid according to Policy: Extra input fields: acl"),
])
def test_policy_conditions_are_enforced(aws: Harness, s3: Any, fields: dict[str, str], conditions: list[Any],
                                        file: bytes, code: str, message: str) -> None:
    form = s3.generate_presigned_post("forms", "k", Conditions=conditions)
    status, _, body = post(aws, form["url"], {**form["fields"], **fields}, ("k", file))
    assert (status, *_code(body)) == (403 if code == "AccessDenied" else 400, code, message)
    assert "Contents" not in s3.list_objects_v2(Bucket="forms")


def test_key_and_bucket_conditions(aws: Harness, s3: Any) -> None:
    form = s3.generate_presigned_post("forms", "fixed.txt")
    status, _, body = post(aws, form["url"], {**form["fields"], "key": "other.txt"})
    assert status == 403
    assert _code(body)[1] == 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "fixed.txt"]'
    s3.create_bucket(Bucket="elsewhere")
    status, _, body = post(aws, form["url"].replace("forms", "elsewhere"), form["fields"])
    assert status == 403 and _code(body)[1].endswith('["eq", "$bucket", "forms"]')


def test_expired_policy_and_missing_fields(aws: Harness, s3: Any) -> None:
    form = s3.generate_presigned_post("forms", "late.txt", ExpiresIn=60)
    aws.emulator.clock.advance(120)
    status, _, body = post(aws, form["url"], form["fields"])
    assert (status, *_code(body)) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    fresh = s3.generate_presigned_post("forms", "k.txt")
    status, _, body = post(aws, fresh["url"], fresh["fields"], None)
    assert status == 400 and _code(body) == ("InvalidArgument", "POST requires exactly one file upload per request.")
    without_key = {name: value for name, value in fresh["fields"].items() if name != "key"}
    status, _, body = post(aws, fresh["url"], without_key)
    assert status == 400 and _code(body)[0] == "InvalidArgument" and "'key'" in _code(body)[1]

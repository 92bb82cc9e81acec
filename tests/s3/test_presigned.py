"""Presigned SigV4 URLs, used by a plain HTTP client (requests) against the server."""

from __future__ import annotations

import requests
from botocore.config import Config

from tests.harness import ServerHarness


def test_presigned_put_then_get(server: ServerHarness) -> None:
    s3 = server.client("s3", config=Config(signature_version="s3v4"))
    s3.create_bucket(Bucket="presign-bucket")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "presign-bucket", "Key": "dir/up load.txt"},
                                        ExpiresIn=300)
    put = requests.put(put_url, data=b"presigned body", timeout=30)
    assert put.status_code == 200 and put.headers["etag"] == '"b4a5461042ef29852deeeed1b097d8e9"'
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket", "Key": "dir/up load.txt"},
                                        ExpiresIn=300)
    got = requests.get(get_url, timeout=30)
    assert got.status_code == 200 and got.content == b"presigned body"
    assert got.headers["content-length"] == "14"
    head_url = s3.generate_presigned_url("head_object", Params={"Bucket": "presign-bucket",
                                                                "Key": "dir/up load.txt"}, ExpiresIn=300)
    head = requests.head(head_url, timeout=30)
    assert head.status_code == 200 and head.headers["content-length"] == "14" and head.content == b""
    ranged = requests.get(get_url, headers={"Range": "bytes=0-8"}, timeout=30)
    assert ranged.status_code == 206 and ranged.content == b"presigned"
    assert ranged.headers["content-range"] == "bytes 0-8/14"
    missing = requests.get(s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket", "Key": "no"}),
                           timeout=30)
    assert missing.status_code == 404 and b"<Code>NoSuchKey</Code>" in missing.content


def test_boto3_default_presigned_urls_work_too(server: ServerHarness) -> None:
    """boto3's default S3 presigning is the query-string SigV2 form (AWSAccessKeyId, Signature,
    Expires), which carries no service name: it must still reach S3."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="default-presign")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "default-presign", "Key": "k"})
    assert "AWSAccessKeyId=" in put_url and "X-Amz-Credential" not in put_url
    assert requests.put(put_url, data=b"sigv2 body", timeout=10).status_code == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "default-presign", "Key": "k"})
    response = requests.get(get_url, timeout=10)
    assert (response.status_code, response.content) == (200, b"sigv2 body")


def test_an_expired_presigned_url_is_refused(server: ServerHarness) -> None:
    s3 = server.client("s3", config=Config(signature_version="s3v4"))
    s3.create_bucket(Bucket="expiring")
    s3.put_object(Bucket="expiring", Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "expiring", "Key": "k"}, ExpiresIn=60)
    legacy = server.client("s3").generate_presigned_url("get_object", Params={"Bucket": "expiring", "Key": "k"},
                                                        ExpiresIn=60)
    assert requests.get(url, timeout=10).status_code == 200
    server.emulator.clock.advance(120)
    for expired in (url, legacy):
        answer = requests.get(expired, timeout=10)
        assert answer.status_code == 403 and b"<Code>AccessDenied</Code>" in answer.content
        assert b"<Message>Request has expired</Message>" in answer.content


def test_presigned_put_takes_metadata_from_the_query(server: ServerHarness) -> None:
    s3 = server.client("s3", config=Config(signature_version="s3v4"))
    s3.create_bucket(Bucket="meta-presign")
    # Presigners that hoist headers into the query string (the JavaScript SDK's) send metadata so.
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "meta-presign", "Key": "k"}, ExpiresIn=300)
    url += "&x-amz-meta-color=blue"
    assert requests.put(url, data=b"body", timeout=10).status_code == 200
    assert s3.head_object(Bucket="meta-presign", Key="k")["Metadata"] == {"color": "blue"}

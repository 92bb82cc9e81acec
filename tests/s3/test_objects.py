"""Objects: put/get/head/delete with metadata and content headers, digests and checksums,
ranges, conditions, copy and batch delete."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.services.s3.checksums import checksum_of
from tests.s3.conftest import code, status


def test_put_get_head_with_metadata_and_headers(s3: Any, bucket: str) -> None:
    body = b"hello, hoarfrost"
    put = s3.put_object(Bucket=bucket, Key="dir/file.txt", Body=body, Metadata={"Color": "blue"},
                        ContentType="text/plain", CacheControl="max-age=60", ContentDisposition="inline",
                        ContentLanguage="en", Expires=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
                        StorageClass="STANDARD_IA", Tagging="a=1&b=two")
    etag = f'"{hashlib.md5(body).hexdigest()}"'
    assert put["ETag"] == etag
    assert put["ServerSideEncryption"] == "AES256"
    assert "VersionId" not in put
    got = s3.get_object(Bucket=bucket, Key="dir/file.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == etag and got["ContentLength"] == len(body)
    assert got["Metadata"] == {"color": "blue"}
    assert got["ContentType"] == "text/plain" and got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == "inline" and got["ContentLanguage"] == "en"
    assert got["StorageClass"] == "STANDARD_IA" and got["TagCount"] == 2
    assert got["Expires"] == dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    head = s3.head_object(Bucket=bucket, Key="dir/file.txt")
    assert head["ContentLength"] == len(body) and head["ETag"] == etag and head["AcceptRanges"] == "bytes"
    assert s3.get_object_tagging(Bucket=bucket, Key="dir/file.txt")["TagSet"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "two"}]
    default = s3.put_object(Bucket=bucket, Key="plain", Body=b"")
    assert default["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    plain = s3.get_object(Bucket=bucket, Key="plain")
    assert plain["ContentType"] == "binary/octet-stream" and plain["Body"].read() == b""


def test_missing_keys_and_buckets(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="nope")
    assert code(excinfo) == "NoSuchKey" and status(excinfo) == 404
    assert excinfo.value.response["Error"]["Key"] == "nope"
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="nope")
    assert status(excinfo) == 404
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket="no-such-bucket", Key="k", Body=b"x")
    assert code(excinfo) == "NoSuchBucket"
    # Deleting a missing key succeeds, as in S3.
    assert s3.delete_object(Bucket=bucket, Key="nope")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_keys_with_special_characters(s3: Any, bucket: str) -> None:
    keys = ["a b/c+d", "ünï/cødé", "q?x=1&y", "trailing/", "percent%20literal", "../dots", "//double"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(keys)
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == sorted(keys)
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert code(excinfo) == "KeyTooLongError"


def test_content_md5_and_bad_digest(s3: Any, bucket: str) -> None:
    body = b"payload"
    good = base64.b64encode(hashlib.md5(body).digest()).decode()
    s3.put_object(Bucket=bucket, Key="k", Body=body, ContentMD5=good)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k2", Body=body, ContentMD5=wrong)
    assert code(excinfo) == "BadDigest" and status(excinfo) == 400
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="k2")
    assert status(excinfo) == 404


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_sdk_computed_checksums_are_stored_and_returned(s3: Any, bucket: str, algorithm: str) -> None:
    body = b"checksum me" * 100
    put = s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    expected = checksum_of(algorithm, body)
    assert put[f"Checksum{algorithm}"] == expected
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected and got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == body
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum", "ObjectSize", "ETag"])
    assert attributes["Checksum"][f"Checksum{algorithm}"] == expected
    assert attributes["ObjectSize"] == len(body) and attributes["ETag"] == hashlib.md5(body).hexdigest()


@pytest.mark.parametrize("algorithm", ["CRC32C", "CRC64NVME", "SHA256", "SHA512", "MD5"])
def test_given_checksum_values_are_verified(s3: Any, bucket: str, algorithm: str) -> None:
    body = b"verify this body"
    value = checksum_of(algorithm, body)
    put = s3.put_object(Bucket=bucket, Key="ok", Body=body, **{f"Checksum{algorithm}": value})
    assert put[f"Checksum{algorithm}"] == value
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="bad", Body=body, **{f"Checksum{algorithm}": checksum_of(algorithm, b"x")})
    assert code(excinfo) == "BadDigest"


def test_ranged_get(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    cases = {"bytes=2-5": (b"2345", "bytes 2-5/10"), "bytes=7-": (b"789", "bytes 7-9/10"),
             "bytes=-3": (b"789", "bytes 7-9/10"), "bytes=8-100": (b"89", "bytes 8-9/10")}
    for header, (data, content_range) in cases.items():
        got = s3.get_object(Bucket=bucket, Key="r", Range=header)
        assert got["Body"].read() == data and got["ContentRange"] == content_range
        assert got["ContentLength"] == len(data)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-12")
    assert code(excinfo) == "InvalidRange" and status(excinfo) == 416
    # A range S3 cannot parse is ignored: the whole object, 200.
    whole = s3.get_object(Bucket=bucket, Key="r", Range="items=1-2")
    assert whole["Body"].read() == b"0123456789" and whole["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_conditional_get_and_head(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert code(excinfo) == "PreconditionFailed" and status(excinfo) == 412
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert status(excinfo) == 304
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert status(excinfo) == 304
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=future)
    assert status(excinfo) == 304
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)
    assert status(excinfo) == 412
    # If-Match wins over a failing If-Unmodified-Since.
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=past)["ETag"] == etag


def test_conditional_put(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert code(excinfo) == "PreconditionFailed" and status(excinfo) == 412
    etag = s3.head_object(Bucket=bucket, Key="once")["ETag"]
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="once", Body=b"third", IfMatch='"abc"')
    assert code(excinfo) == "PreconditionFailed"
    s3.put_object(Bucket=bucket, Key="once", Body=b"fourth", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"fourth"
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="absent", Body=b"x", IfMatch=etag)
    assert code(excinfo) == "NoSuchKey"


def test_copy_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", Metadata={"m": "1"}, ContentType="text/x",
                  Tagging="t=1")
    s3.create_bucket(Bucket="other-bucket")
    copied = s3.copy_object(Bucket="other-bucket", Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    src_etag = s3.head_object(Bucket=bucket, Key="src")["ETag"]
    assert copied["CopyObjectResult"]["ETag"] == src_etag
    got = s3.get_object(Bucket="other-bucket", Key="dst")
    assert got["Body"].read() == b"copy me" and got["Metadata"] == {"m": "1"} and got["ContentType"] == "text/x"
    assert s3.get_object_tagging(Bucket="other-bucket", Key="dst")["TagSet"] == [{"Key": "t", "Value": "1"}]
    s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"m": "2"}, ContentType="text/y")
    head = s3.head_object(Bucket=bucket, Key="src")
    assert head["Metadata"] == {"m": "2"} and head["ContentType"] == "text/y"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    assert code(excinfo) == "InvalidRequest"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/src", CopySourceIfMatch='"nope"')
    assert code(excinfo) == "PreconditionFailed"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/missing")
    assert code(excinfo) == "NoSuchKey"
    # Deleting the source leaves the copy intact.
    s3.delete_object(Bucket=bucket, Key="src")
    assert s3.get_object(Bucket="other-bucket", Key="dst")["Body"].read() == b"copy me"


def test_delete_objects(s3: Any, bucket: str) -> None:
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b", "zz"]
    assert "Errors" not in result
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_without_objects_is_malformed_xml(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": []})
    assert code(excinfo) == "MalformedXML"


def test_large_body_round_trip(s3: Any, bucket: str) -> None:
    body = bytes(range(256)) * 40000  # ~10 MiB
    s3.put_object(Bucket=bucket, Key="big", Body=body)
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == body
    assert s3.get_object(Bucket=bucket, Key="big", Range="bytes=5000000-5000009")["Body"].read() == body[
        5000000:5000010]


def test_sse_c_needs_the_key(s3: Any, bucket: str) -> None:
    key, other = b"k" * 32, b"o" * 32
    put = s3.put_object(Bucket=bucket, Key="secret", Body=b"classified", SSECustomerAlgorithm="AES256",
                        SSECustomerKey=key)
    assert put["SSECustomerAlgorithm"] == "AES256" and "ServerSideEncryption" not in put
    got = s3.get_object(Bucket=bucket, Key="secret", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert got["Body"].read() == b"classified"
    assert got["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(key).digest()).decode()
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="secret")
    assert code(excinfo) == "InvalidRequest"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="secret", SSECustomerAlgorithm="AES256", SSECustomerKey=other)
    assert code(excinfo) == "AccessDenied"
    s3.copy_object(Bucket=bucket, Key="plain-copy", CopySource=f"{bucket}/secret",
                   CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key)
    assert s3.get_object(Bucket=bucket, Key="plain-copy")["Body"].read() == b"classified"


def test_copy_with_a_new_checksum_and_expected_owner(s3: Any, bucket: str, aws: Any) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"checksum on copy")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", ChecksumAlgorithm="SHA256")
    assert copied["CopyObjectResult"]["ChecksumSHA256"] == checksum_of("SHA256", b"checksum on copy")
    assert s3.head_object(Bucket=bucket, Key="dst", ExpectedBucketOwner=aws.account)["ContentLength"] == 16
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="dst", ExpectedBucketOwner="999999999999")
    assert status(excinfo) == 403


def test_resource_api(aws: Any) -> None:
    s3 = aws.resource("s3")
    bucket = s3.create_bucket(Bucket="resource-bucket")
    bucket.put_object(Key="a/1", Body=b"one")
    s3.Object("resource-bucket", "a/2").put(Body=b"two")
    assert sorted(o.key for o in bucket.objects.filter(Prefix="a/")) == ["a/1", "a/2"]
    assert s3.Object("resource-bucket", "a/2").get()["Body"].read() == b"two"
    bucket.Versioning().enable()
    bucket.put_object(Key="a/1", Body=b"uno")
    assert len(list(bucket.object_versions.all())) == 3
    bucket.object_versions.delete()
    assert list(bucket.object_versions.all()) == []
    bucket.delete()
    assert [b.name for b in s3.buckets.all()] == []

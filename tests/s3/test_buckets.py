"""Buckets: create (names, regions, conflicts), head, list across regions, location, delete, versioning."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.s3.conftest import code, status


def test_create_list_head_delete(s3: Any, aws: Harness) -> None:
    assert s3.create_bucket(Bucket="alpha-bucket")["Location"] == "/alpha-bucket"
    s3.create_bucket(Bucket="beta-bucket")
    listed = s3.list_buckets()
    assert [b["Name"] for b in listed["Buckets"]] == ["alpha-bucket", "beta-bucket"]
    assert all(b["BucketRegion"] == "us-east-1" for b in listed["Buckets"])
    assert len(listed["Owner"]["ID"]) == 64
    head = s3.head_bucket(Bucket="alpha-bucket")
    assert head["BucketRegion"] == "us-east-1"
    s3.delete_bucket(Bucket="alpha-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["beta-bucket"]
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket="alpha-bucket")
    assert status(excinfo) == 404
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket="alpha-bucket")
    assert code(excinfo) == "NoSuchBucket"
    assert excinfo.value.response["Error"]["BucketName"] == "alpha-bucket"


@pytest.mark.parametrize("name", ["ab", "Upper-Case", "a" * 64, "bad..dots", "192.168.1.1", "-lead", "trail-",
                                  "xn--punycode", "under_score"])
def test_invalid_bucket_names(s3: Any, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=name)
    assert code(excinfo) == "InvalidBucketName"


def test_regions_and_location(aws: Harness) -> None:
    east = aws.client("s3")
    west = aws.client("s3", region_name="eu-west-1")
    west.create_bucket(Bucket="west-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    east.create_bucket(Bucket="east-bucket")
    # us-east-1 accepts any constraint and creates the bucket in that region.
    east.create_bucket(Bucket="far-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
    assert east.get_bucket_location(Bucket="west-bucket")["LocationConstraint"] == "eu-west-1"
    assert east.get_bucket_location(Bucket="east-bucket")["LocationConstraint"] is None
    regions = {b["Name"]: b["BucketRegion"] for b in east.list_buckets()["Buckets"]}
    assert regions == {"east-bucket": "us-east-1", "far-bucket": "ap-south-1", "west-bucket": "eu-west-1"}
    assert [b["Name"] for b in east.list_buckets(BucketRegion="eu-west-1")["Buckets"]] == ["west-bucket"]
    # The bucket lives in its region's scope, and a request sent to another region finds it.
    s3 = aws.emulator.service("s3")
    assert [b.name for b in s3.snapshot(aws.account, "eu-west-1").buckets] == ["west-bucket"]
    east.put_object(Bucket="west-bucket", Key="k", Body=b"x")
    assert west.get_object(Bucket="west-bucket", Key="k")["Body"].read() == b"x"
    for client, config, expected in (
        (west, None, "IllegalLocationConstraintException"),
        (west, {"LocationConstraint": "eu-central-1"}, "IllegalLocationConstraintException"),
        (east, {"LocationConstraint": "us-east-1"}, "InvalidLocationConstraint"),
    ):
        with pytest.raises(ClientError) as excinfo:
            kwargs = {"CreateBucketConfiguration": config} if config else {}
            client.create_bucket(Bucket="another-bucket", **kwargs)
        assert code(excinfo) == expected


def test_bucket_names_are_global(aws: Harness) -> None:
    mine = aws.client("s3")
    mine.create_bucket(Bucket="taken-name")
    west = aws.client("s3", region_name="eu-west-1")
    with pytest.raises(ClientError) as excinfo:
        west.create_bucket(Bucket="taken-name", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(excinfo) == "BucketAlreadyOwnedByYou" and status(excinfo) == 409
    # us-east-1's legacy answer for the owner re-creating there: 200.
    assert mine.create_bucket(Bucket="taken-name")["Location"] == "/taken-name"
    other = aws.client("s3", aws_access_key_id="210987654321", aws_secret_access_key="x")  # another account
    with pytest.raises(ClientError) as excinfo:
        other.create_bucket(Bucket="taken-name")
    assert code(excinfo) == "BucketAlreadyExists"
    assert [b["Name"] for b in other.list_buckets()["Buckets"]] == []
    with pytest.raises(ClientError) as excinfo:
        other.put_object(Bucket="taken-name", Key="k", Body=b"x")
    assert code(excinfo) == "AccessDenied"


def test_delete_non_empty_bucket(s3: Any) -> None:
    s3.create_bucket(Bucket="full-bucket")
    s3.put_object(Bucket="full-bucket", Key="k", Body=b"1")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket="full-bucket")
    assert code(excinfo) == "BucketNotEmpty" and status(excinfo) == 409
    s3.delete_object(Bucket="full-bucket", Key="k")
    s3.delete_bucket(Bucket="full-bucket")
    assert s3.list_buckets()["Buckets"] == []


def test_list_buckets_pagination_and_prefix(s3: Any) -> None:
    for name in ("pg-a", "pg-b", "pg-c", "other"):
        s3.create_bucket(Bucket=name)
    first = s3.list_buckets(MaxBuckets=2, Prefix="pg-")
    assert [b["Name"] for b in first["Buckets"]] == ["pg-a", "pg-b"]
    second = s3.list_buckets(MaxBuckets=2, Prefix="pg-", ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in second["Buckets"]] == ["pg-c"] and "ContinuationToken" not in second


def test_versioning_configuration(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_create_bucket_acl_needs_acls_enabled(s3: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket="acl-bucket", ACL="public-read")
    assert code(excinfo) == "InvalidBucketAclWithObjectOwnership"
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket="acl-bucket")  # the refused request did not keep the name
    s3.create_bucket(Bucket="acl-bucket", ACL="public-read", ObjectOwnership="ObjectWriter")
    grants = s3.get_bucket_acl(Bucket="acl-bucket")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL", "READ"]

"""Versioning: version ids, delete markers, the null version, suspended buckets, ListObjectVersions."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import code, status


@pytest.fixture
def versioned(s3: Any, bucket: str) -> str:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def test_versions_and_delete_markers(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and v1 != "null"
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"
    old = s3.get_object(Bucket=versioned, Key="k", VersionId=v1)
    assert old["Body"].read() == b"one" and old["VersionId"] == v1
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=versioned, Key="k")
    assert code(excinfo) == "NoSuchKey"
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=versioned, Key="k", VersionId=marker)
    assert status(excinfo) == 405
    assert "Contents" not in s3.list_objects_v2(Bucket=versioned)
    listing = s3.list_object_versions(Bucket=versioned)
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [(v2, False), (v1, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [(marker, True)]
    # Removing the marker brings the object back.
    removed = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"
    s3.delete_object(Bucket=versioned, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"one"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=versioned, Key="k", VersionId=v2)
    assert code(excinfo) == "NoSuchVersion"


def test_null_version_and_suspension(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")  # the null version
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"suspended")["VersionId"] == "null"
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]]
    assert ids == ["null", v1]  # the new null version replaced the old one
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"suspended"
    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert marker["VersionId"] == "null" and marker["DeleteMarker"] is True
    listing = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listing["Versions"]] == [v1]
    assert [m["VersionId"] for m in listing["DeleteMarkers"]] == ["null"]


def test_list_object_versions_paging(s3: Any, versioned: str) -> None:
    expected = []
    for key in ("a", "b"):
        for n in range(3):
            expected.append((key, s3.put_object(Bucket=versioned, Key=key, Body=b"%d" % n)["VersionId"]))
    newest_first = [item for key in ("a", "b") for item in reversed([e for e in expected if e[0] == key])]
    seen = []
    kwargs: dict[str, Any] = {}
    while True:
        page = s3.list_object_versions(Bucket=versioned, MaxKeys=2, **kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
    assert seen == newest_first
    only_b = s3.list_object_versions(Bucket=versioned, KeyMarker="a")
    assert {v["Key"] for v in only_b["Versions"]} == {"b"}


def test_delete_objects_in_versioned_bucket(s3: Any, versioned: str) -> None:
    version = s3.put_object(Bucket=versioned, Key="x", Body=b"1")["VersionId"]
    s3.put_object(Bucket=versioned, Key="y", Body=b"1")
    result = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "x", "VersionId": version},
                                                                     {"Key": "y"}]})
    by_key = {d["Key"]: d for d in result["Deleted"]}
    assert by_key["x"]["VersionId"] == version and "DeleteMarker" not in by_key["x"]
    assert by_key["y"]["DeleteMarker"] is True and by_key["y"]["DeleteMarkerVersionId"]
    listing = s3.list_object_versions(Bucket=versioned)
    assert [v["Key"] for v in listing["Versions"]] == ["y"]
    assert [m["Key"] for m in listing["DeleteMarkers"]] == ["y"]


def test_copy_of_a_specific_version(s3: Any, versioned: str) -> None:
    v1 = s3.put_object(Bucket=versioned, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=versioned, Key="src", Body=b"new")
    copied = s3.copy_object(Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src",
                                                                     "VersionId": v1})
    assert copied["CopySourceVersionId"] == v1 and copied["VersionId"] not in (v1, "null")
    assert s3.get_object(Bucket=versioned, Key="dst")["Body"].read() == b"old"

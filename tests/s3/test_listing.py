"""Listings: prefixes, delimiters, page sizes, markers and continuation tokens, url encoding, owners."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import code

KEYS = ["a/1", "a/2", "a/b/3", "b/4", "c", "d/5", "d/6"]


@pytest.fixture
def filled(s3: Any, bucket: str) -> str:
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_v2_prefix_delimiter(s3: Any, filled: str) -> None:
    top = s3.list_objects_v2(Bucket=filled, Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["c"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "b/", "d/"]
    assert top["KeyCount"] == 4 and top["IsTruncated"] is False
    under_a = s3.list_objects_v2(Bucket=filled, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in under_a["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in under_a["CommonPrefixes"]] == ["a/b/"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=filled, Prefix="d")["Contents"]] == ["d/5", "d/6"]
    assert "Contents" not in s3.list_objects_v2(Bucket=filled, Prefix="zzz")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=filled, StartAfter="b/4")["Contents"]] == ["c", "d/5", "d/6"]


def test_v2_pages_cover_everything_once(s3: Any, filled: str) -> None:
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        kwargs = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=filled, MaxKeys=2, **kwargs)
        seen += [o["Key"] for o in page.get("Contents", [])]
        pages += 1
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert seen == KEYS and pages == 4
    grouped = [item for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": 1})
        for item in [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        + [o["Key"] for o in page.get("Contents", [])]]
    assert grouped == ["a/", "b/", "c", "d/"]


def test_v1_markers(s3: Any, filled: str) -> None:
    first = s3.list_objects(Bucket=filled, MaxKeys=3)
    assert [o["Key"] for o in first["Contents"]] == ["a/1", "a/2", "a/b/3"] and first["IsTruncated"]
    assert len(first["Contents"][0]["Owner"]["ID"]) == 64
    rest = s3.list_objects(Bucket=filled, Marker="a/b/3")
    assert [o["Key"] for o in rest["Contents"]] == ["b/4", "c", "d/5", "d/6"] and not rest["IsTruncated"]
    grouped = s3.list_objects(Bucket=filled, Delimiter="/", MaxKeys=2)
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/", "b/"] and grouped["NextMarker"] == "b/"
    after = s3.list_objects(Bucket=filled, Delimiter="/", Marker=grouped["NextMarker"])
    assert [o["Key"] for o in after["Contents"]] == ["c"] and [p["Prefix"] for p in after["CommonPrefixes"]] == ["d/"]
    keys = [o["Key"] for page in s3.get_paginator("list_objects").paginate(
        Bucket=filled, PaginationConfig={"PageSize": 2}) for o in page["Contents"]]
    assert keys == KEYS


def test_fetch_owner_and_encoding(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="sp ace+plus", Body=b"x")
    listed = s3.list_objects_v2(Bucket=bucket)
    assert listed["Contents"][0]["Key"] == "sp ace+plus" and "Owner" not in listed["Contents"][0]
    assert "Owner" in s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]
    raw = s3.list_objects_v2(Bucket=bucket, EncodingType="url")
    # An explicit EncodingType is the caller's to decode: the wire form comes back.
    assert raw["Contents"][0]["Key"] == "sp+ace%2Bplus" and raw["EncodingType"] == "url"
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="!!not-a-token!!")
    assert code(excinfo) == "InvalidArgument"


def test_max_keys_zero_and_missing_bucket(s3: Any, filled: str) -> None:
    empty = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert empty["KeyCount"] == 0 and "Contents" not in empty
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket="missing-bucket")
    assert code(excinfo) == "NoSuchBucket"

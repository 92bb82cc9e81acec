"""Where S3 differs from what an emulator would guess (issue 15): owners without DisplayName,
default checksums, part and range reads, version ids, listing tokens, tagging and settings,
each asserted as AWS answers."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from hoarfrost.services.s3.checksums import checksum_of
from tests.harness import Harness
from tests.s3.conftest import code, status

# A client that sends no checksum of its own (as older SDKs, presigned URLs and curl do).
NO_SDK_CHECKSUMS = Config(request_checksum_calculation="when_required", response_checksum_validation="when_required")


def _error(excinfo: pytest.ExceptionInfo[Any]) -> dict[str, Any]:
    return dict(excinfo.value.response["Error"])


def test_owners_carry_no_display_name(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    owners = [s3.list_buckets()["Owner"],
              s3.list_objects(Bucket=bucket)["Contents"][0]["Owner"],
              s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]["Owner"],
              s3.list_object_versions(Bucket=bucket)["Versions"][0]["Owner"],
              s3.get_bucket_acl(Bucket=bucket)["Owner"],
              s3.get_object_acl(Bucket=bucket, Key="k")["Owner"],
              s3.get_bucket_acl(Bucket=bucket)["Grants"][0]["Grantee"]]
    assert all(owner["ID"] and "DisplayName" not in owner for owner in owners)


def test_objects_without_a_checksum_get_the_default_crc64nvme(aws: Harness, bucket: str) -> None:
    s3 = aws.client("s3", config=NO_SDK_CHECKSUMS)
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"plain body")
    expected = checksum_of("CRC64NVME", b"plain body")
    assert put["ChecksumCRC64NVME"] == expected and put["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == expected and head["ChecksumType"] == "FULL_OBJECT"
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum"])
    assert attributes["Checksum"] == {"ChecksumCRC64NVME": expected, "ChecksumType": "FULL_OBJECT"}
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/k")
    assert copied["CopyObjectResult"]["ChecksumCRC64NVME"] == expected


def test_part_number_one_of_a_plain_object_is_a_range(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="k", PartNumber=1)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206 and got["ContentRange"] == "bytes 0-9/10"
    assert got["Body"].read() == b"0123456789" and "PartsCount" not in got
    head = s3.head_object(Bucket=bucket, Key="k", PartNumber=1)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206 and head["ContentRange"] == "bytes 0-9/10"
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="k", Range="bytes=20-30")
    assert status(excinfo) == 416
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", Range="bytes=20-30")
    assert code(excinfo) == "InvalidRange" and status(excinfo) == 416


def test_malformed_version_ids_are_bad_requests(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    for call in (s3.get_object, s3.head_object, s3.get_object_tagging):
        with pytest.raises(ClientError) as excinfo:
            call(Bucket=bucket, Key="k", VersionId="not-a-version-id-at-all")
        assert status(excinfo) == 400
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", VersionId="not-a-version-id-at-all")
    assert _error(excinfo)["Code"] == "InvalidArgument" and _error(excinfo)["Message"] == "Invalid version id specified"
    well_formed = version[:-1] + ("A" if version[-1] != "A" else "B")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", VersionId=well_formed)
    assert code(excinfo) == "NoSuchVersion"
    with pytest.raises(ClientError) as excinfo:
        s3.delete_object(Bucket=bucket, Key="k", VersionId="bad")
    assert code(excinfo) == "InvalidArgument"


def test_list_v2_continuation_ignores_start_after(s3: Any, bucket: str) -> None:
    for key in ("a", "b", "c", "d"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    first = s3.list_objects_v2(Bucket=bucket, StartAfter="a", MaxKeys=1)
    assert [o["Key"] for o in first["Contents"]] == ["b"] and first["StartAfter"] == "a"
    rest = s3.list_objects_v2(Bucket=bucket, StartAfter="c", ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in rest["Contents"]] == ["c", "d"] and "StartAfter" not in rest
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    error = _error(excinfo)
    assert error["Code"] == "InvalidArgument" and error["Message"] == "The continuation token provided is incorrect"


def test_tagging_rules(s3: Any, bucket: str) -> None:
    for call in (lambda tags: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags}),
                 lambda tags: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tags})):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        with pytest.raises(ClientError) as excinfo:
            call([{"Key": "aws:reserved", "Value": "v"}])
        assert code(excinfo) == "InvalidTag" and status(excinfo) == 400
    answer = s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})  # an empty set deletes
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code(excinfo) == "NoSuchTagSet"
    eleven = [{"Key": f"k{n}", "Value": "v"} for n in range(11)]
    with pytest.raises(ClientError) as excinfo:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": eleven})
    assert _error(excinfo)["Code"] == "BadRequest" and status(excinfo) == 400
    assert _error(excinfo)["Message"] == "Object tags cannot be greater than 10"
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k2", Body=b"", Tagging="&".join(f"k{n}=v" for n in range(11)))
    assert code(excinfo) == "BadRequest"


def test_public_access_block_omitted_flags_read_false(s3: Any, bucket: str) -> None:
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False}

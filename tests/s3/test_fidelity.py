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


def test_storage_classes_are_validated(s3: Any, bucket: str) -> None:
    for call in (lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"", StorageClass="FROZEN"),
                 lambda: s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass="FROZEN")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code(excinfo) == "InvalidStorageClass" and status(excinfo) == 400
    s3.put_object(Bucket=bucket, Key="ir", Body=b"", StorageClass="GLACIER_IR")
    assert s3.head_object(Bucket=bucket, Key="ir")["StorageClass"] == "GLACIER_IR"


@pytest.mark.parametrize("archive", ["GLACIER", "DEEP_ARCHIVE"])
def test_copying_an_archived_object_needs_a_restore(s3: Any, bucket: str, archive: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass=archive)
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="warm", CopySource=f"{bucket}/cold")
    assert code(excinfo) == "ObjectNotInActiveTierError" and status(excinfo) == 403
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    s3.copy_object(Bucket=bucket, Key="warm", CopySource=f"{bucket}/cold")


def test_copy_object_details(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="page", Body=b"x", WebsiteRedirectLocation="/elsewhere")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/page")
    assert s3.head_object(Bucket=bucket, Key="copy")["WebsiteRedirectLocation"] == "/elsewhere"
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/copy", WebsiteRedirectLocation="/new")
    assert s3.head_object(Bucket=bucket, Key="copy")["WebsiteRedirectLocation"] == "/new"
    with pytest.raises(ClientError) as excinfo:  # in place, changing nothing
        s3.copy_object(Bucket=bucket, Key="page", CopySource=f"{bucket}/page")
    assert code(excinfo) == "InvalidRequest"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/page", CopySourceIfNoneMatch="*")
    assert code(excinfo) == "PreconditionFailed"
    assert excinfo.value.response["Error"]["Condition"] == "x-amz-copy-source-If-None-Match"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/page", CopySourceIfMatch='"nope"')
    assert excinfo.value.response["Error"]["Condition"] == "x-amz-copy-source-If-Match"
    # Under a default encryption configuration an in-place copy is allowed.
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.copy_object(Bucket=bucket, Key="page", CopySource=f"{bucket}/page")


def test_in_place_copy_of_a_version_restores_it(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"old")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"new")
    s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k", "VersionId": old})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"old"


def test_create_bucket_in_us_east_1_with_its_own_constraint(s3: Any) -> None:
    for constraint in ("us-east-1", "moon-east-1"):
        with pytest.raises(ClientError) as excinfo:
            s3.create_bucket(Bucket="constrained", CreateBucketConfiguration={"LocationConstraint": constraint})
        assert code(excinfo) == "InvalidLocationConstraint"
    assert s3.list_buckets()["Buckets"] == []


def test_acl_headers(s3: Any) -> None:
    s3.create_bucket(Bucket="acl-bucket", ObjectOwnership="ObjectWriter")
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_acl(Bucket="acl-bucket", ACL="private", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"')
    assert code(excinfo) == "InvalidRequest"
    assert _error(excinfo)["Message"] == "Specifying both Canned ACLs and Header Grants is not allowed"
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_acl(Bucket="acl-bucket", GrantRead="someone")
    assert code(excinfo) == "InvalidArgument" and _error(excinfo)["ArgumentName"] == "x-amz-grant-read"
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_acl(Bucket="acl-bucket", GrantFullControl='id="abc", nonsense')
    assert code(excinfo) == "InvalidArgument" and _error(excinfo)["ArgumentName"] == "x-amz-grant-full-control"


def test_head_bucket_and_delete_marker_headers(s3: Any, bucket: str) -> None:
    head = s3.head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/xml"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", VersionId=marker)
    assert status(excinfo) == 405
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["allow"] == "DELETE"


def test_object_lock_configuration_needs_a_body(s3: Any) -> None:
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    with pytest.raises(ClientError) as excinfo:
        s3.put_object_lock_configuration(Bucket="locked")
    assert code(excinfo) == "MissingRequestBodyError" and _error(excinfo)["Message"] == "Request Body is empty"


def test_bucket_key_enabled_is_answered(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["BucketKeyEnabled"] is False
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["BucketKeyEnabled"] is True
    assert s3.head_object(Bucket=bucket, Key="k")["BucketKeyEnabled"] is True
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")
    assert upload["BucketKeyEnabled"] is True
    copied = s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/k")
    assert copied["BucketKeyEnabled"] is True


@pytest.mark.parametrize(("rule", "error", "message"), [
    ({"ID": "r", "Status": "Enabled", "Expiration": {"Days": 1}}, "MalformedXML", None),
    ({"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}}, "InvalidRequest",
     "At least one action needs to be specified in a rule"),
    ({"ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 0}}, "InvalidArgument",
     "'Days' for Expiration action must be a positive integer"),
    ({"ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 3, "ExpiredObjectDeleteMarker": True}},
     "InvalidArgument", ("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle "
                         "Expiration Policy.")),
    ({"ID": "r", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}]},
     "InvalidArgument", ("'Days' in Transition action must be greater than or equal to 30 for storageClass "
                         "'STANDARD_IA'")),
    ({"ID": "r", "Status": "Enabled", "Filter": {"Tag": {"Key": "a", "Value": "b"}},
      "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}, "InvalidRequest",
     "AbortIncompleteMultipartUpload cannot be specified with Tags."),
])
def test_lifecycle_rules_are_validated(s3: Any, bucket: str, rule: dict[str, Any], error: str,
                                       message: str | None) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert code(excinfo) == error and status(excinfo) == 400
    if message is not None:
        assert _error(excinfo)["Message"] == message


def test_lifecycle_rules_without_an_id_get_one(s3: Any, bucket: str) -> None:
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert rule["ID"] and rule["Filter"] == {"Prefix": "tmp/"}


def test_replication_defaults(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
        "Role": "arn:aws:iam::123456789012:role/replication",
        "Rules": [{"Status": "Enabled", "Filter": {"Prefix": "logs/"},
                   "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]})
    rule = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"][0]
    assert rule["ID"] and rule["Priority"] == 0 and rule["DeleteMarkerReplication"] == {"Status": "Disabled"}


def test_empty_bodies_and_missing_acls(s3: Any, bucket: str) -> None:
    s3.create_bucket(Bucket="lock-bodies", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="lock-bodies", Key="k", Body=b"x")
    for call in (lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket),
                 lambda: s3.put_object_retention(Bucket="lock-bodies", Key="k"),
                 lambda: s3.put_object_legal_hold(Bucket="lock-bodies", Key="k")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code(excinfo) == "MissingRequestBodyError" and status(excinfo) == 400
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_acl(Bucket=bucket)
    assert code(excinfo) == "MissingSecurityHeader" and _error(excinfo)["MissingHeaderName"] == "x-amz-acl"


def test_page_sizes_out_of_range(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    calls = [lambda: s3.list_multipart_uploads(Bucket=bucket, MaxUploads=-1),
             lambda: s3.list_objects_v2(Bucket=bucket, MaxKeys=2**31),
             lambda: s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectParts"], MaxParts=0)]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code(excinfo) == "InvalidArgument" and status(excinfo) == 400


def test_part_numbers_beyond_the_parts_and_with_a_range(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"0123456789")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=2)
    error = _error(excinfo)
    assert (error["Code"], status(excinfo)) == ("InvalidPartNumber", 416)
    assert error["Message"] == "The requested partnumber is not satisfiable" and error["ActualPartCount"] == "1"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=1, Range="bytes=0-1")
    assert code(excinfo) == "InvalidRequest"
    assert _error(excinfo)["Message"] == "Cannot specify both Range header and partNumber query parameter"


def test_refused_writes_leave_no_blob_behind(aws: Harness, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    before = set(aws.emulator.blobs.keys())  # the harness's emulators keep blobs in memory
    with pytest.raises(ClientError):
        s3.put_object(Bucket=bucket, Key="k", Body=b"body", StorageClass="FROZEN")
    with pytest.raises(ClientError):
        s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/src", StorageClass="FROZEN")
    with pytest.raises(ClientError):
        s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/src", TaggingDirective="REPLACE",
                       Tagging="&".join(f"t{n}=v" for n in range(11)))
    assert set(aws.emulator.blobs.keys()) == before

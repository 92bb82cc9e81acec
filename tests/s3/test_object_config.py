"""Object sub-resources: tagging, ACL, Object Lock retention and legal hold, attributes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import code


def test_object_tagging(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "env", "Value": "prod"}]
    assert s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "1"
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    with pytest.raises(ClientError) as excinfo:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [
            {"Key": f"k{i}", "Value": "v"} for i in range(11)]})
    assert code(excinfo) == "BadRequest"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object_tagging(Bucket=bucket, Key="missing")
    assert code(excinfo) == "NoSuchKey"


def test_object_acl(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="authenticated-read")
    assert code(excinfo) == "AccessControlListNotSupported"
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")  # owner-only is fine
    s3.delete_bucket_ownership_controls(Bucket=bucket)  # ACLs on again
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="authenticated-read")
    grants = s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]
    assert ("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ") in [
        (g["Grantee"].get("URI"), g["Permission"]) for g in grants]
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="private")
    assert [g["Permission"] for g in s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]] == ["FULL_CONTROL"]
    s3.put_object_acl(Bucket=bucket, Key="k", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"')
    grants = s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]
    assert [(g["Grantee"]["URI"], g["Permission"]) for g in grants] == [
        ("http://acs.amazonaws.com/groups/global/AllUsers", "READ")]


def test_object_lock_retention_and_legal_hold(s3: Any) -> None:
    s3.create_bucket(Bucket="locked-bucket", ObjectLockEnabledForBucket=True)
    assert s3.get_bucket_versioning(Bucket="locked-bucket")["Status"] == "Enabled"
    version = s3.put_object(Bucket="locked-bucket", Key="k", Body=b"x")["VersionId"]
    until = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).replace(microsecond=0)
    s3.put_object_retention(Bucket="locked-bucket", Key="k", Retention={"Mode": "GOVERNANCE",
                                                                         "RetainUntilDate": until})
    retention = s3.get_object_retention(Bucket="locked-bucket", Key="k")["Retention"]
    assert retention["Mode"] == "GOVERNANCE" and retention["RetainUntilDate"] == until
    with pytest.raises(ClientError) as excinfo:
        s3.delete_object(Bucket="locked-bucket", Key="k", VersionId=version)
    assert code(excinfo) == "AccessDenied"
    s3.delete_object(Bucket="locked-bucket", Key="k", VersionId=version, BypassGovernanceRetention=True)
    other = s3.put_object(Bucket="locked-bucket", Key="held", Body=b"x")["VersionId"]
    s3.put_object_legal_hold(Bucket="locked-bucket", Key="held", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket="locked-bucket", Key="held")["LegalHold"]["Status"] == "ON"
    with pytest.raises(ClientError) as excinfo:
        s3.delete_object(Bucket="locked-bucket", Key="held", VersionId=other)
    assert code(excinfo) == "AccessDenied"
    s3.put_object_legal_hold(Bucket="locked-bucket", Key="held", LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket="locked-bucket", Key="held", VersionId=other)
    s3.create_bucket(Bucket="unlocked-bucket")
    s3.put_object(Bucket="unlocked-bucket", Key="k", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object_retention(Bucket="unlocked-bucket", Key="k")
    assert code(excinfo) == "InvalidRequest"


def test_get_object_attributes(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"12345", StorageClass="GLACIER_IR")
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k",
                                          ObjectAttributes=["ETag", "StorageClass", "ObjectSize"])
    assert attributes["ETag"] == "827ccb0eea8a706c4c34a16891f84e7b"
    assert attributes["StorageClass"] == "GLACIER_IR" and attributes["ObjectSize"] == 5
    assert isinstance(attributes["LastModified"], dt.datetime)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object_attributes(Bucket=bucket, Key="missing", ObjectAttributes=["ETag"])
    assert code(excinfo) == "NoSuchKey"


def test_archived_objects_need_a_restore(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="cold")
    assert code(excinfo) == "InvalidObjectState" and excinfo.value.response["Error"]["StorageClass"] == "GLACIER"
    assert s3.head_object(Bucket=bucket, Key="cold")["StorageClass"] == "GLACIER"
    first = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 2})
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 202
    again = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 2})
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"].startswith('ongoing-request="false", expiry-date=')
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"frozen"
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.restore_object(Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    assert code(excinfo) == "InvalidObjectState"


def test_multipart_object_keeps_its_lock_settings(s3: Any) -> None:
    s3.create_bucket(Bucket="locked-mpu", ObjectLockEnabledForBucket=True)
    until = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).replace(microsecond=0)
    upload = s3.create_multipart_upload(Bucket="locked-mpu", Key="k", ObjectLockMode="COMPLIANCE",
                                        ObjectLockRetainUntilDate=until, ObjectLockLegalHoldStatus="ON")["UploadId"]
    etag = s3.upload_part(Bucket="locked-mpu", Key="k", UploadId=upload, PartNumber=1, Body=b"x")["ETag"]
    s3.complete_multipart_upload(Bucket="locked-mpu", Key="k", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    head = s3.head_object(Bucket="locked-mpu", Key="k")
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"] == until
    assert head["ObjectLockLegalHoldStatus"] == "ON"

"""Bucket sub-resources: stored as given, returned, deleted, and each one's own "not found"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.s3.conftest import code, status

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::test-bucket/*"}]})

# (put method, put kwargs, get method, expected subset of the get answer, delete method, not-found code)
CONFIGS = [
    ("put_bucket_tagging", {"Tagging": {"TagSet": [{"Key": "team", "Value": "core"}]}},
     "get_bucket_tagging", {"TagSet": [{"Key": "team", "Value": "core"}]}, "delete_bucket_tagging", "NoSuchTagSet"),
    ("put_bucket_cors", {"CORSConfiguration": {"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 300}]}},
     "get_bucket_cors", {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 300}]},
     "delete_bucket_cors", "NoSuchCORSConfiguration"),
    ("put_bucket_lifecycle_configuration", {"LifecycleConfiguration": {"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 7}}]}},
     "get_bucket_lifecycle_configuration", {"Rules": [
         {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 7}}]},
     "delete_bucket_lifecycle", "NoSuchLifecycleConfiguration"),
    ("put_bucket_policy", {"Policy": POLICY}, "get_bucket_policy", {"Policy": POLICY}, "delete_bucket_policy",
     "NoSuchBucketPolicy"),
    ("put_bucket_website", {"WebsiteConfiguration": {"IndexDocument": {"Suffix": "index.html"}}},
     "get_bucket_website", {"IndexDocument": {"Suffix": "index.html"}}, "delete_bucket_website",
     "NoSuchWebsiteConfiguration"),
    ("put_bucket_ownership_controls", {"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}},
     "get_bucket_ownership_controls", {"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}},
     "delete_bucket_ownership_controls", "OwnershipControlsNotFoundError"),
    ("put_public_access_block", {"PublicAccessBlockConfiguration": {"BlockPublicAcls": False,
                                                                    "IgnorePublicAcls": True}},
     "get_public_access_block", {"PublicAccessBlockConfiguration": {"BlockPublicAcls": False,
                                                                    "IgnorePublicAcls": True,
                                                                    "BlockPublicPolicy": False,
                                                                    "RestrictPublicBuckets": False}},
     "delete_public_access_block", "NoSuchPublicAccessBlockConfiguration"),
]


@pytest.mark.parametrize(("put", "kwargs", "get", "expected", "delete", "missing"), CONFIGS,
                         ids=[c[0] for c in CONFIGS])
def test_configuration_round_trip(s3: Any, bucket: str, put: str, kwargs: dict[str, Any], get: str,
                                  expected: dict[str, Any], delete: str, missing: str) -> None:
    getattr(s3, put)(Bucket=bucket, **kwargs)
    answer = getattr(s3, get)(Bucket=bucket)
    assert {k: answer[k] for k in expected} == expected
    getattr(s3, delete)(Bucket=bucket)
    with pytest.raises(ClientError) as excinfo:
        getattr(s3, get)(Bucket=bucket)
    assert code(excinfo) == missing and status(excinfo) == 404


def test_encryption_defaults_and_kms(s3: Any, bucket: str) -> None:
    default = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert default["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "key-1"},
         "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == "key-1"
    assert put["BucketKeyEnabled"] is True
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "rot13"}}]})
    assert code(excinfo) == "MalformedXML"


def test_policy_status_and_validation(s3: Any, bucket: str) -> None:
    s3.put_bucket_policy(Bucket=bucket, Policy=POLICY)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_policy(Bucket=bucket, Policy="not json")
    assert code(excinfo) == "MalformedPolicy"


def test_defaults_of_new_buckets(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    assert acl["Grants"][0]["Grantee"]["ID"] == acl["Owner"]["ID"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object_lock_configuration(Bucket=bucket)
    assert code(excinfo) == "ObjectLockConfigurationNotFoundError"
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_replication(Bucket=bucket)
    assert code(excinfo) == "ReplicationConfigurationNotFoundError"


def test_simple_settings(s3: Any, bucket: str, aws: Any) -> None:
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    s3.create_bucket(Bucket="log-target")
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": "log-target", "TargetPrefix": "logs/"}})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"] == "log-target"
    aws.client("sqs").create_queue(QueueName="q")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "q", "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q", "Events": ["s3:ObjectCreated:*"]}]})
    notification = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert notification["QueueConfigurations"][0]["Events"] == ["s3:ObjectCreated:*"]
    with pytest.raises(ClientError) as excinfo:  # new buckets have ACLs off (BucketOwnerEnforced)
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert code(excinfo) == "AccessControlListNotSupported"
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert {g["Grantee"].get("URI") for g in grants} >= {"http://acs.amazonaws.com/groups/global/AllUsers"}


def test_replication_and_object_lock_need_versioning(s3: Any, bucket: str) -> None:
    replication = {"Role": "arn:aws:iam::123456789012:role/r", "Rules": [
        {"ID": "all", "Status": "Enabled", "Priority": 1, "Filter": {},
         "DeleteMarkerReplication": {"Status": "Disabled"},
         "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]}
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=replication)
    assert code(excinfo) == "InvalidRequest"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=replication)
    assert s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"][0]["ID"] == "all"
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=lock)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == lock


@pytest.mark.parametrize("kind", ["inventory", "analytics", "metrics", "intelligent_tiering"])
def test_id_keyed_configurations(s3: Any, bucket: str, kind: str) -> None:
    name = "".join(part.capitalize() for part in kind.split("_"))
    config: dict[str, Any] = {
        "inventory": {"Id": "c1", "IsEnabled": True, "IncludedObjectVersions": "All",
                      "Schedule": {"Frequency": "Daily"},
                      "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::dest", "Format": "CSV"}}},
        "analytics": {"Id": "c1", "StorageClassAnalysis": {}},
        "metrics": {"Id": "c1"},
        "intelligent_tiering": {"Id": "c1", "Status": "Enabled",
                                "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]},
    }[kind]
    snake = kind
    getattr(s3, f"put_bucket_{snake}_configuration")(Bucket=bucket, Id="c1", **{f"{name}Configuration": config})
    got = getattr(s3, f"get_bucket_{snake}_configuration")(Bucket=bucket, Id="c1")[f"{name}Configuration"]
    assert got["Id"] == "c1"
    listed = getattr(s3, f"list_bucket_{snake}_configurations")(Bucket=bucket)[f"{name}ConfigurationList"]
    assert [c["Id"] for c in listed] == ["c1"]
    getattr(s3, f"delete_bucket_{snake}_configuration")(Bucket=bucket, Id="c1")
    with pytest.raises(ClientError) as excinfo:
        getattr(s3, f"get_bucket_{snake}_configuration")(Bucket=bucket, Id="c1")
    assert code(excinfo) == "NoSuchConfiguration"


def test_tagging_validation(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"},
                                                                  {"Key": "a", "Value": "2"}]})
    assert code(excinfo) == "InvalidTag"


def test_legacy_lifecycle_rules_are_kept_in_the_current_form(aws: Harness, s3: Any, bucket: str) -> None:
    """PutBucketLifecycle takes one Transition per rule; GetBucketLifecycleConfiguration (and the
    state view) see it as the current API's Transitions list, GetBucketLifecycle as given."""
    rule = {"ID": "old", "Prefix": "logs/", "Status": "Enabled", "Transition": {"Days": 10, "StorageClass": "GLACIER"},
            "NoncurrentVersionTransition": {"NoncurrentDays": 5, "StorageClass": "GLACIER"}}
    s3.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert s3.get_bucket_lifecycle(Bucket=bucket)["Rules"] == [rule]
    current = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert current["Transitions"] == [{"Days": 10, "StorageClass": "GLACIER"}]
    assert current["NoncurrentVersionTransitions"] == [{"NoncurrentDays": 5, "StorageClass": "GLACIER"}]
    lifecycle = aws.emulator.service("s3").snapshot(aws.account, aws.region).buckets[0].configurations.lifecycle
    assert lifecycle is not None and lifecycle.rules[0].transitions[0].days == 10

"""S3's view types bucket configurations, ACLs and retention from botocore's shapes: a JSON
round trip keeps their types, a document that does not fit fails loudly (never dropped), and
a schema_version 1 view (untyped PascalCase documents) upgrades and restores.

``data/view_v1.json`` is a real version-1 view captured with ``snapshot_with_blobs`` from the
code before the change (commit 3e8b843), with every configuration S3 stores set, and its
blobs (zlib, base64)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib
from pathlib import Path
from typing import Any

import boto3
import pytest
from pydantic_core import to_jsonable_python

import hoarfrost
from hoarfrost.core.blobs import MemoryBlobArchive
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateViewError
from hoarfrost.services.s3.views import S3StateView
from tests.harness import Harness

ACCOUNT, REGION = "123456789012", "us-east-1"
UTC = dt.UTC
DATE = dt.datetime(2030, 1, 1, tzinfo=UTC)
V1 = Path(__file__).parent / "data" / "view_v1.json"


def _configure(s3: Any, bucket: str) -> None:
    """Every bucket configuration S3 stores, with a lifecycle Date among them."""
    s3.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "frost"}]})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "dated", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Date": DATE}},
        {"ID": "moved", "Status": "Disabled", "Filter": {"And": {"Prefix": "old/", "Tags": [{"Key": "a", "Value": "b"}]}},
         "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]})
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 300}]})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"},
         "BucketKeyEnabled": True}]})
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": bucket,
                                                                                 "TargetPrefix": "logs/"}})
    s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True,
                                             NotificationConfiguration={"QueueConfigurations": [
                                                 {"QueueArn": "arn:aws:sqs:us-east-1:123456789012:gone",
                                                  "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
        "Role": "arn:aws:iam::123456789012:role/r", "Rules": [
            {"ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
             "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::d"}}]})
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_bucket_inventory_configuration(Bucket=bucket, Id="inv", InventoryConfiguration={
        "Id": "inv", "IsEnabled": True, "IncludedObjectVersions": "All", "Schedule": {"Frequency": "Daily"},
        "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::d", "Format": "CSV"}}})
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m", MetricsConfiguration={"Id": "m"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"body", ACL="public-read")


def _observe(s3: Any, bucket: str) -> dict[str, Any]:
    """Every configuration as the API answers it (without request metadata)."""
    gets = ["tagging", "lifecycle_configuration", "cors", "encryption", "website", "logging",
            "notification_configuration", "replication", "accelerate_configuration", "request_payment", "acl",
            "ownership_controls", "versioning"]
    out = {name: getattr(s3, f"get_bucket_{name}")(Bucket=bucket) for name in gets}
    out["inventory"] = s3.list_bucket_inventory_configurations(Bucket=bucket)
    out["metrics"] = s3.list_bucket_metrics_configurations(Bucket=bucket)
    out["public_access_block"] = s3.get_public_access_block(Bucket=bucket)
    out["object_acl"] = s3.get_object_acl(Bucket=bucket, Key="k")
    for answer in out.values():
        answer.pop("ResponseMetadata")
    return out


def test_configurations_round_trip_through_json_into_a_fresh_emulator(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    _configure(s3, "typed-bucket")
    before = _observe(s3, "typed-bucket")
    archive = MemoryBlobArchive()
    text = inprocess.emulator.service("s3").snapshot_with_blobs(ACCOUNT, REGION, archive).model_dump_json()
    configs = json.loads(text)["buckets"][0]["configurations"]
    assert configs["lifecycle"]["rules"][0]["expiration"]["date"] == "2030-01-01T00:00:00Z"
    assert configs["cors"]["cors_rules"][0]["allowed_methods"] == ["GET"]
    assert [c["id"] for c in configs["inventory"]] == ["inv"]
    with hoarfrost.mock_aws() as fresh:
        fresh.service("s3").restore_with_blobs(ACCOUNT, REGION, text, archive)
        after = _observe(boto3.client("s3", region_name=REGION), "typed-bucket")
        stored = fresh.service("s3").scope(ACCOUNT, REGION).backend.buckets["typed-bucket"].config
    assert after == before
    # The date is a datetime again inside the bucket, not the string JSON carried.
    assert stored.lifecycle is not None
    assert stored.lifecycle["Rules"][0]["Expiration"]["Date"] == DATE
    assert after["lifecycle_configuration"]["Rules"][0]["Expiration"]["Date"] == DATE


def test_the_json_schema_of_configurations_is_the_models() -> None:
    schema = Emulator().service("s3").json_schema()
    definitions = schema["$defs"]
    configs = definitions["BucketConfigurationsView"]["properties"]
    assert configs["lifecycle"]["anyOf"][0] == {"$ref": "#/$defs/S3BucketLifecycleConfigurationView"}
    assert configs["inventory"] == {"items": {"$ref": "#/$defs/S3InventoryConfigurationView"}, "title": "Inventory",
                                    "type": "array"}
    assert definitions["S3LifecycleExpirationView"]["properties"]["date"]["anyOf"][0]["format"] == "date-time"
    untyped = [name for name, field in configs.items() if "$ref" not in json.dumps(field)]
    assert untyped == ["policy", "transition_default_minimum_object_size"]  # plain strings
    objects = definitions["ObjectVersionView"]["properties"]
    assert objects["acl"]["anyOf"][0] == {"$ref": "#/$defs/S3AccessControlPolicyView"}
    assert objects["retention"]["anyOf"][0] == {"$ref": "#/$defs/S3ObjectLockRetentionView"}


def test_a_stored_document_that_does_not_fit_its_shape_fails_the_snapshot(inprocess: Harness) -> None:
    s3 = inprocess.client("s3")
    service = inprocess.emulator.service("s3")
    s3.create_bucket(Bucket="odd-bucket")
    s3.put_bucket_cors(Bucket="odd-bucket", CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})
    cors = service.scope(ACCOUNT, REGION).backend.buckets["odd-bucket"].config.cors
    cors["CORSRules"][0]["Surprise"] = 1  # what no handler stores, and the model has no member for
    with pytest.raises(StateViewError) as excinfo:
        service.snapshot(ACCOUNT, REGION)
    assert excinfo.value.kind == "serialize" and "Surprise" in excinfo.value.message
    del cors["CORSRules"][0]["Surprise"]
    cors["CORSRules"][0]["MaxAgeSeconds"] = "soon"  # a member of the wrong type
    with pytest.raises(StateViewError) as excinfo:
        service.snapshot(ACCOUNT, REGION)
    assert excinfo.value.kind == "serialize"


def test_malformed_documents_in_a_view_are_rejected_and_change_nothing(aws: Harness) -> None:
    s3 = aws.client("s3")
    service = aws.emulator.service("s3")
    s3.create_bucket(Bucket="kept-bucket")
    s3.put_bucket_tagging(Bucket="kept-bucket", Tagging={"TagSet": [{"Key": "x", "Value": "y"}]})
    before = service.snapshot(ACCOUNT, REGION).model_dump()
    good = service.snapshot(ACCOUNT, REGION).model_dump(mode="json")["buckets"][0]

    def bucket_with(**configurations: Any) -> dict[str, Any]:
        return {"buckets": [{**good, "configurations": {**good["configurations"], **configurations}}]}

    broken_views = [
        bucket_with(lifecycle={"rules": "daily"}),
        bucket_with(lifecycle={"rules": [{"status": "Enabled", "expiration": {"date": "next tuesday"}}]}),
        bucket_with(cors={"cors_rules": [{"allowed_methods": ["GET"], "allowed_origins": ["*"], "bogus": 1}]}),
        bucket_with(tagging={"TagSet": [{"Key": "a", "Value": "b"}]}),  # version 1's form in a version 2 view
        bucket_with(inventory=[{"id": "a", "is_enabled": True}, {"id": "a", "is_enabled": False}]),
        bucket_with(metrics=[{"filter": {"prefix": "p"}}]),  # no id
        {"buckets": [{**good, "multipart_uploads": [
            {"upload_id": "u", "key": "k", "initiated": "2020-01-01T00:00:00Z"}] * 2}]},
        {"buckets": [{**good, "multipart_uploads": [
            {"upload_id": "u", "key": "k", "initiated": "2020-01-01T00:00:00Z", "parts": [
                {"part_number": 1, "blob": "b", "size": 1, "etag": "e", "last_modified": "2020-01-01T00:00:00Z"}] * 2}]}]},
    ]
    for broken in broken_views:
        for apply in (service.restore, service.merge):
            with pytest.raises(StateViewError) as excinfo:
                apply(ACCOUNT, REGION, broken)
            assert excinfo.value.kind == "invalid"
    assert service.snapshot(ACCOUNT, REGION).model_dump() == before
    assert s3.get_bucket_tagging(Bucket="kept-bucket")["TagSet"] == [{"Key": "x", "Value": "y"}]


def _v1() -> tuple[dict[str, Any], MemoryBlobArchive]:
    captured = json.loads(V1.read_text())
    blobs = {key: zlib.decompress(base64.b64decode(body)) for key, body in captured["blobs_zlib_b64"].items()}
    return captured["view"], MemoryBlobArchive(blobs)


def test_a_version_1_view_upgrades_and_restores() -> None:
    old, archive = _v1()
    assert old["schema_version"] == 1
    with hoarfrost.mock_aws() as emulator:
        service = emulator.service("s3")
        service.restore_with_blobs(ACCOUNT, REGION, json.dumps(old), archive)
        s3 = boto3.client("s3", region_name=REGION)
        rules = s3.get_bucket_lifecycle_configuration(Bucket="config-bucket")["Rules"]
        assert rules[0]["Expiration"]["Date"] == DATE
        assert s3.get_bucket_cors(Bucket="config-bucket")["CORSRules"][0]["MaxAgeSeconds"] == 300
        assert s3.get_bucket_tagging(Bucket="config-bucket")["TagSet"] == [{"Key": "team", "Value": "frost"}]
        inventory = s3.get_bucket_inventory_configuration(Bucket="config-bucket", Id="inv1")["InventoryConfiguration"]
        assert inventory["OptionalFields"] == ["Size", "ETag"]
        retention = s3.get_object_retention(Bucket="locked-bucket", Key="held")["Retention"]
        assert retention == {"Mode": "GOVERNANCE", "RetainUntilDate": dt.datetime(2032, 5, 6, 7, 8, 9, tzinfo=UTC)}
        assert s3.get_object(Bucket="config-bucket", Key="big")["Body"].read() == b"a" * 5 * 1024 * 1024 + b"tail"
        buckets = service.scope(ACCOUNT, REGION).backend.buckets
        new = json.loads(service.snapshot_json(ACCOUNT, REGION))
    assert new["schema_version"] == S3StateView.SCHEMA_VERSION == 2
    # Every document the version-1 view held is stored again exactly as it was.
    for old_bucket in old["buckets"]:
        config = buckets[old_bucket["name"]].config
        for name, document in old_bucket["configurations"].items():
            assert to_jsonable_python(getattr(config, name)) == (document or ({} if name in (
                "inventory", "analytics", "metrics", "intelligent_tiering") else None)), name
        stored = {v.version_id: v for versions in buckets[old_bucket["name"]].versions.values() for v in versions}
        for item in old_bucket["objects"]:
            version = stored[item["version_id"]]
            assert to_jsonable_python(version.acl) == item["acl"]
            assert to_jsonable_python(version.retention) == ({
                "Mode": item["retention_mode"], "RetainUntilDate": item["retain_until_date"]}
                if item["retention_mode"] else None)
    # ... and the version-2 view says the same, typed.
    configs = new["buckets"][0]["configurations"]
    assert configs["lifecycle"]["rules"][0]["expiration"]["date"] == "2030-01-01T00:00:00Z"
    assert configs["tagging"] == {"tag_set": [{"key": "team", "value": "frost"}]}
    assert [(c["id"], c["schedule"]) for c in configs["inventory"]] == [("inv1", {"frequency": "Daily"})]
    assert new["buckets"][1]["objects"][0]["retention"]["retain_until_date"] == "2032-05-06T07:08:09Z"


def test_the_upgrade_step_alone() -> None:
    old, _ = _v1()
    upgraded = S3StateView.upgrade(json.loads(json.dumps(old)), 1)
    view = S3StateView.model_validate(upgraded)
    bucket = view.buckets[0]
    assert bucket.configurations.lifecycle is not None
    assert bucket.configurations.lifecycle.rules[0].expiration.date == DATE
    assert bucket.configurations.acl is not None
    assert bucket.configurations.acl.grants[1].grantee.uri == "http://acs.amazonaws.com/groups/global/AllUsers"
    assert bucket.multipart_uploads[0].retention is None
    with pytest.raises(ValueError, match="no upgrade"):
        S3StateView.upgrade(upgraded, 2)

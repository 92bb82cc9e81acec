"""Delivery streams: create with AWS's destination defaults, describe, list, delete, update the
destination with its version id, tags, encryption, and what Firehose refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.firehose.conftest import (
    BUCKET,
    ROLE,
    destination,
    error_code,
    error_message,
    make_stream,
)
from tests.harness import Harness


def test_create_and_describe_fill_in_aws_defaults(firehose: Any, aws: Harness) -> None:
    arn = make_stream(firehose, Prefix="raw/")
    assert arn == f"arn:aws:firehose:us-east-1:{aws.account}:deliverystream/deliveries"
    description = firehose.describe_delivery_stream(DeliveryStreamName="deliveries")["DeliveryStreamDescription"]
    assert description["DeliveryStreamStatus"] == "ACTIVE" and description["DeliveryStreamType"] == "DirectPut"
    assert description["VersionId"] == "1" and description["HasMoreDestinations"] is False
    assert description["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}
    [target] = description["Destinations"]
    assert target["DestinationId"] == "destinationId-000000000001"
    extended = target["ExtendedS3DestinationDescription"]
    assert extended["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert extended["CompressionFormat"] == "UNCOMPRESSED"
    assert extended["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    assert extended["Prefix"] == "raw/" and extended["S3BackupMode"] == "Disabled"
    assert target["S3DestinationDescription"]["BucketARN"] == f"arn:aws:s3:::{BUCKET}"
    assert "S3BackupMode" not in target["S3DestinationDescription"]


def test_duplicates_missing_streams_and_unsupported_destinations(firehose: Any, aws: Harness) -> None:
    make_stream(firehose)
    with pytest.raises(ClientError) as exc:
        make_stream(firehose)
    assert error_code(exc) == "ResourceInUseException"
    with pytest.raises(ClientError) as exc:
        firehose.describe_delivery_stream(DeliveryStreamName="nope")
    assert error_code(exc) == "ResourceNotFoundException"
    assert error_message(exc) == f"Firehose nope under account {aws.account} not found."
    with pytest.raises(ClientError) as exc:
        firehose.create_delivery_stream(DeliveryStreamName="http", HttpEndpointDestinationConfiguration={
            "EndpointConfiguration": {"Url": "https://example.com"}, "S3Configuration": {
                "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{BUCKET}"}})
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        firehose.create_delivery_stream(DeliveryStreamName="none")
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        make_stream(firehose, "badbucket", BucketARN="not-an-arn")
    assert error_code(exc) == "ValidationException"  # the model's pattern


def test_custom_prefix_rules(firehose: Any) -> None:
    with pytest.raises(ClientError) as exc:
        make_stream(firehose, "a", Prefix="data/!{timestamp:yyyy}/")
    assert error_message(exc) == "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions."
    with pytest.raises(ClientError) as exc:
        make_stream(firehose, "b", Prefix="data/!{firehose:error-output-type}/", ErrorOutputPrefix="e/")
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        make_stream(firehose, "c", Prefix="data/!{nothing:x}/", ErrorOutputPrefix="e/")
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        make_stream(firehose, "d", Prefix="data/!{timestamp:yyyy-QQ}/", ErrorOutputPrefix="e/")
    assert error_code(exc) == "InvalidArgumentException"
    make_stream(firehose, "e", Prefix="data/!{timestamp:yyyy/MM}/", ErrorOutputPrefix="err/!{firehose:error-output-type}/")


def test_list_delete_and_stream_types(firehose: Any, aws: Harness) -> None:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="src", ShardCount=1)
    source = kinesis.describe_stream_summary(StreamName="src")["StreamDescriptionSummary"]["StreamARN"]
    for name in ("c", "a", "b"):
        make_stream(firehose, name)
    firehose.create_delivery_stream(DeliveryStreamName="k", DeliveryStreamType="KinesisStreamAsSource",
                                    KinesisStreamSourceConfiguration={"KinesisStreamARN": source, "RoleARN": ROLE},
                                    ExtendedS3DestinationConfiguration=destination())
    listed = firehose.list_delivery_streams(Limit=2)
    assert listed["DeliveryStreamNames"] == ["a", "b"] and listed["HasMoreDeliveryStreams"] is True
    assert firehose.list_delivery_streams(ExclusiveStartDeliveryStreamName="b")["DeliveryStreamNames"] == ["c", "k"]
    assert firehose.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")["DeliveryStreamNames"] == ["k"]
    described = firehose.describe_delivery_stream(DeliveryStreamName="k")["DeliveryStreamDescription"]
    assert described["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == source
    with pytest.raises(ClientError) as exc:
        firehose.put_record(DeliveryStreamName="k", Record={"Data": b"x"})
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        firehose.create_delivery_stream(DeliveryStreamName="k2", DeliveryStreamType="KinesisStreamAsSource",
                                        KinesisStreamSourceConfiguration={"KinesisStreamARN": source + "x",
                                                                          "RoleARN": ROLE},
                                        ExtendedS3DestinationConfiguration=destination())
    assert error_code(exc) == "InvalidArgumentException"
    firehose.delete_delivery_stream(DeliveryStreamName="b")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["a", "c", "k"]


def test_update_destination_checks_the_version(firehose: Any) -> None:
    make_stream(firehose, Prefix="one/")
    firehose.update_destination(DeliveryStreamName="deliveries", CurrentDeliveryStreamVersionId="1",
                                DestinationId="destinationId-000000000001",
                                ExtendedS3DestinationUpdate={"Prefix": "two/", "BufferingHints": {"SizeInMBs": 2}})
    description = firehose.describe_delivery_stream(DeliveryStreamName="deliveries")["DeliveryStreamDescription"]
    assert description["VersionId"] == "2" and "LastUpdateTimestamp" in description
    extended = description["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert extended["Prefix"] == "two/"
    assert extended["BufferingHints"] == {"SizeInMBs": 2, "IntervalInSeconds": 300}
    with pytest.raises(ClientError) as exc:
        firehose.update_destination(DeliveryStreamName="deliveries", CurrentDeliveryStreamVersionId="1",
                                    DestinationId="destinationId-000000000001",
                                    ExtendedS3DestinationUpdate={"Prefix": "three/"})
    assert error_code(exc) == "ConcurrentModificationException"
    with pytest.raises(ClientError) as exc:
        firehose.update_destination(DeliveryStreamName="deliveries", CurrentDeliveryStreamVersionId="2",
                                    DestinationId="destinationId-000000000001",
                                    ExtendedS3DestinationUpdate={"Prefix": "x/!{timestamp:yyyy}/"})
    assert error_code(exc) == "InvalidArgumentException"


def test_tags(firehose: Any) -> None:
    firehose.create_delivery_stream(DeliveryStreamName="t", ExtendedS3DestinationConfiguration=destination(),
                                    Tags=[{"Key": "team", "Value": "data"}])
    firehose.tag_delivery_stream(DeliveryStreamName="t", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    page = firehose.list_tags_for_delivery_stream(DeliveryStreamName="t", Limit=2)
    assert page["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}] and page["HasMoreTags"] is True
    firehose.untag_delivery_stream(DeliveryStreamName="t", TagKeys=["a"])
    rest = firehose.list_tags_for_delivery_stream(DeliveryStreamName="t", ExclusiveStartTagKey="a")
    assert rest["Tags"] == [{"Key": "b", "Value": "2"}, {"Key": "team", "Value": "data"}]
    with pytest.raises(ClientError) as exc:
        firehose.tag_delivery_stream(DeliveryStreamName="t", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    assert error_code(exc) == "LimitExceededException"


def test_encryption_with_aws_owned_and_customer_keys(firehose: Any, aws: Harness) -> None:
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    make_stream(firehose)
    firehose.start_delivery_stream_encryption(DeliveryStreamName="deliveries",
                                              DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
    assert firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"x"})["Encrypted"] is True
    firehose.start_delivery_stream_encryption(DeliveryStreamName="deliveries",
                                              DeliveryStreamEncryptionConfigurationInput={
                                                  "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key})
    described = firehose.describe_delivery_stream(DeliveryStreamName="deliveries")["DeliveryStreamDescription"]
    assert described["DeliveryStreamEncryptionConfiguration"] == {"Status": "ENABLED",
                                                                 "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key}
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as exc:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="deliveries",
                                                  DeliveryStreamEncryptionConfigurationInput={
                                                      "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key})
    assert error_code(exc) == "InvalidKMSResourceException"
    with pytest.raises(ClientError) as exc:
        firehose.start_delivery_stream_encryption(DeliveryStreamName="deliveries",
                                                  DeliveryStreamEncryptionConfigurationInput={
                                                      "KeyType": "CUSTOMER_MANAGED_CMK"})
    assert error_code(exc) == "InvalidArgumentException"
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="deliveries")
    assert firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"x"})["Encrypted"] is False


def test_iam_enforcement_names_the_delivery_stream(firehose: Any, aws: Harness) -> None:
    allowed = make_stream(firehose, "allowed")
    make_stream(firehose, "other")
    iam = aws.client("iam")
    iam.create_user(UserName="writer")
    iam.put_user_policy(UserName="writer", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "firehose:PutRecord",
                                                "Resource": allowed}]}))
    key = iam.create_access_key(UserName="writer")["AccessKey"]
    writer = aws.client("firehose", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    aws.emulator.settings.enforce_iam = True
    try:
        writer.put_record(DeliveryStreamName="allowed", Record={"Data": b"x"})
        with pytest.raises(ClientError) as exc:
            writer.put_record(DeliveryStreamName="other", Record={"Data": b"x"})
        assert error_code(exc) == "AccessDeniedException"
        assert "deliverystream/other" in error_message(exc)
    finally:
        aws.emulator.settings.enforce_iam = False

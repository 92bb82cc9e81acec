"""The kit's ARN parser and builder, and partitions from botocore's data."""

from __future__ import annotations

import dataclasses

import pytest

from hoarfrost.core.kit.arn import (
    Arn,
    InvalidArn,
    build_arn,
    parse_arn,
    partition_for,
    partitions,
    try_parse_arn,
)


@pytest.mark.parametrize(("region", "partition"), [
    ("us-east-1", "aws"),
    ("eu-central-2", "aws"),
    ("il-central-1", "aws"),
    ("cn-north-1", "aws-cn"),
    ("cn-northwest-1", "aws-cn"),
    ("us-gov-west-1", "aws-us-gov"),
    ("us-gov-east-1", "aws-us-gov"),
    ("us-iso-east-1", "aws-iso"),
    ("us-isob-east-1", "aws-iso-b"),
    ("eu-isoe-west-1", "aws-iso-e"),
    ("us-isof-south-1", "aws-iso-f"),
    ("aws-cn-global", "aws-cn"),  # named in the partition's region list, not by its pattern
    ("us-gov-north-9", "aws-us-gov"),  # a region botocore does not list yet: the pattern decides
    ("cn-south-7", "aws-cn"),
    ("", "aws"),
    ("not-a-region", "aws"),
])
def test_partition_for(region: str, partition: str) -> None:
    assert partition_for(region) == partition


def test_partitions_come_from_botocore() -> None:
    known = partitions()
    assert known[0] == "aws"
    assert {"aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"} <= set(known)


@pytest.mark.parametrize("text", [
    "arn:aws:sns:us-east-1:123456789012:topic",
    "arn:aws-cn:sqs:cn-north-1:123456789012:queue.fifo",
    "arn:aws-us-gov:iam::123456789012:role/path/to/name",
    "arn:aws:s3:::bucket/key/with:colon",
    "arn:aws:sns:us-east-1:123456789012:topic:2d7c1ec8-3b2d-4f30-9f0f-5b7d4a7a8e11",
    "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
    "arn:aws-iso-b:sts::123456789012:assumed-role/r/s",
    "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
])
def test_round_trip(text: str) -> None:
    arn = parse_arn(text)
    assert str(arn) == text
    assert parse_arn(str(arn)) == arn


def test_fields_and_resource_parts() -> None:
    role = parse_arn("arn:aws-cn:iam::123456789012:role/path/name")
    assert (role.partition, role.service, role.region, role.account) == ("aws-cn", "iam", "", "123456789012")
    assert (role.resource_type, role.resource_id) == ("role", "path/name")
    function = parse_arn("arn:aws:lambda:us-east-1:123456789012:function:f:1")
    assert (function.resource_type, function.resource_id) == ("function", "f:1")
    subscription = parse_arn("arn:aws:sns:us-east-1:123456789012:topic:abc/def")
    assert (subscription.resource_type, subscription.resource_id) == ("topic", "abc/def")  # first separator wins
    queue = parse_arn("arn:aws:sqs:us-east-1:123456789012:q")
    assert (queue.resource_type, queue.resource_id) == ("", "q")


def test_arn_is_frozen_and_slotted() -> None:
    arn = parse_arn("arn:aws:sqs:us-east-1:123456789012:q")
    with pytest.raises(dataclasses.FrozenInstanceError):
        arn.region = "eu-west-1"  # type: ignore[misc]
    assert not hasattr(arn, "__dict__")


@pytest.mark.parametrize("text", [
    "",
    "arn",
    "arn:aws:sns:us-east-1:123456789012",  # five parts
    "arn:aws:sns:us-east-1:123456789012:",  # empty resource
    "urn:aws:sns:us-east-1:123456789012:t",
    "ARN:aws:sns:us-east-1:123456789012:t",
    "arn::sns:us-east-1:123456789012:t",  # empty partition
    "arn:aws::us-east-1:123456789012:t",  # empty service
    "arn:AWS:sns:us-east-1:123456789012:t",
    "arn:aws:s n s:us-east-1:123456789012:t",
    "not an arn at all",
])
def test_malformed(text: str) -> None:
    with pytest.raises(InvalidArn) as exc_info:
        parse_arn(text)
    assert isinstance(exc_info.value, ValueError) and exc_info.value.text == text
    assert try_parse_arn(text) is None


def test_non_text_is_malformed() -> None:
    assert try_parse_arn(None) is None  # type: ignore[arg-type]
    assert try_parse_arn(12) is None  # type: ignore[arg-type]


def test_build_takes_the_partition_from_the_region() -> None:
    assert build_arn("sqs", "cn-north-1", "123456789012", "q") == "arn:aws-cn:sqs:cn-north-1:123456789012:q"
    assert build_arn("sns", "us-gov-west-1", "1", "t") == "arn:aws-us-gov:sns:us-gov-west-1:1:t"
    assert build_arn("iam", "", "123456789012", "root") == "arn:aws:iam::123456789012:root"
    assert build_arn("iam", "", "123456789012", "root", "aws-cn") == "arn:aws-cn:iam::123456789012:root"
    assert build_arn("s3", "", "", "bucket", partition_for("us-isob-east-1")) == "arn:aws-iso-b:s3:::bucket"
    assert parse_arn(build_arn("sqs", "eu-isoe-west-1", "1", "q")) == Arn("aws-iso-e", "sqs", "eu-isoe-west-1", "1", "q")



def test_global_services_live_in_their_partitions_global_region() -> None:
    from hoarfrost.core.kit.arn import global_region

    assert global_region("iam", "eu-west-1") == "us-east-1"
    assert global_region("iam", None) == "us-east-1"
    assert global_region("iam", "cn-northwest-1") == "cn-north-1"
    assert global_region("iam", "us-gov-east-1") == "us-gov-west-1"
    # A partition without a global endpoint for the service keeps the region asked for.
    assert global_region("sqs", "eu-west-1") == "eu-west-1"

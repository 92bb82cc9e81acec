"""ARNs through boto3: a client in a non-aws partition gets that partition's ARNs everywhere."""

from __future__ import annotations

import json

import pytest

from tests.harness import Harness


@pytest.mark.parametrize(("region", "partition"), [
    ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("eu-west-1", "aws"),
])
def test_root_identity_is_in_the_clients_partition(aws: Harness, region: str, partition: str) -> None:
    identity = aws.client("sts", region_name=region).get_caller_identity()
    assert identity["Arn"] == f"arn:{partition}:iam::{aws.account}:root"


def test_sts_builds_arns_in_the_role_and_caller_partitions(aws: Harness) -> None:
    sts = aws.client("sts", region_name="cn-northwest-1")
    assumed = sts.assume_role(RoleArn="arn:aws-cn:iam::111122223333:role/ops/deployer", RoleSessionName="ci")
    assert assumed["AssumedRoleUser"]["Arn"] == "arn:aws-cn:sts::111122223333:assumed-role/deployer/ci"
    federated = sts.get_federation_token(Name="bob")
    assert federated["FederatedUser"]["Arn"] == f"arn:aws-cn:sts::{aws.account}:federated-user/bob"


def test_queue_and_topic_arns_follow_the_region(aws: Harness) -> None:
    sqs = aws.client("sqs", region_name="cn-north-1")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert queue_arn == f"arn:aws-cn:sqs:cn-north-1:{aws.account}:q"
    sqs.add_permission(QueueUrl=url, Label="l", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws-cn:iam::111122223333:root"}

    sns = aws.client("sns", region_name="us-gov-west-1")
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert topic == f"arn:aws-us-gov:sns:us-gov-west-1:{aws.account}:t"
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [topic]


def test_sns_delivers_to_a_queue_by_its_partitioned_arn(aws: Harness) -> None:
    sqs, sns = aws.client("sqs", region_name="cn-north-1"), aws.client("sns", region_name="cn-north-1")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="hello")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["hello"]


def test_bucket_arns_are_in_the_buckets_partition(aws: Harness) -> None:
    s3 = aws.client("s3", region_name="cn-north-1")
    created = s3.create_bucket(Bucket="cn-bucket", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    assert created["BucketArn"] == "arn:aws-cn:s3:::cn-bucket"
    assert s3.head_bucket(Bucket="cn-bucket")["BucketArn"] == "arn:aws-cn:s3:::cn-bucket"
    assert [b["BucketArn"] for b in s3.list_buckets()["Buckets"]] == ["arn:aws-cn:s3:::cn-bucket"]

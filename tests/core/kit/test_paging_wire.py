"""Pagination tokens through boto3: they outlive a snapshot/restore into a fresh emulator, and a
tampered, foreign or made-up token gets the service's own error."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import hoarfrost
from tests.harness import Harness


def _error(exc_info: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = exc_info.value.response["Error"]
    return error["Code"], error["Message"]


def _flip(token: str, index: int) -> str:
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1:]


def test_sns_list_topics_token_survives_restore_into_a_fresh_emulator(aws: Harness) -> None:
    sns = aws.client("sns")
    for index in range(105):
        sns.create_topic(Name=f"t{index:03d}")
    first = sns.list_topics()
    assert len(first["Topics"]) == 100
    text = aws.emulator.service("sns").snapshot(aws.account, aws.region).model_dump_json()

    with hoarfrost.mock_aws() as fresh:
        fresh.service("sns").restore(aws.account, aws.region, text)
        other = boto3.client("sns", region_name=aws.region)
        # Topics created in the new emulator before and after the boundary: the token resumes
        # after the last ARN it returned, not at an offset (which would repeat t095..t099).
        other.create_topic(Name="t050a")
        other.create_topic(Name="t104a")
        second = other.list_topics(NextToken=first["NextToken"])
        names = [t["TopicArn"].rsplit(":", 1)[1] for t in second["Topics"]]
        assert names == ["t100", "t101", "t102", "t103", "t104", "t104a"]
        assert "NextToken" not in second


def test_sqs_list_queues_token_survives_restore(aws: Harness) -> None:
    sqs = aws.client("sqs")
    for index in range(5):
        sqs.create_queue(QueueName=f"q{index}")
    first = sqs.list_queues(MaxResults=2)
    view = aws.emulator.service("sqs").snapshot(aws.account, aws.region).model_dump_json()
    with hoarfrost.mock_aws() as fresh:
        fresh.service("sqs").restore(aws.account, aws.region, view)
        other = boto3.client("sqs", region_name=aws.region)
        other.delete_queue(QueueUrl=other.get_queue_url(QueueName="q1")["QueueUrl"])  # the boundary itself
        second = other.list_queues(MaxResults=2, NextToken=first["NextToken"])
        assert [url.rsplit("/", 1)[1] for url in second["QueueUrls"]] == ["q2", "q3"]


@pytest.mark.parametrize("mangle", [
    lambda token: _flip(token, 0),
    lambda token: _flip(token, len(token) // 2),
    lambda token: _flip(token, len(token) - 1),
    lambda token: token[:-3],
    lambda token: token + "A",
    lambda token: "garbage!",
])
def test_tampered_tokens_get_each_services_error(aws: Harness, mangle: Any) -> None:
    sns, sqs, s3 = aws.client("sns"), aws.client("sqs"), aws.client("s3")
    for index in range(101):
        sns.create_topic(Name=f"t{index:03d}")
    for index in range(3):
        sqs.create_queue(QueueName=f"q{index}")
    s3.create_bucket(Bucket="paging-bucket")
    for index in range(3):
        s3.put_object(Bucket="paging-bucket", Key=f"k{index}", Body=b"")

    with pytest.raises(ClientError) as exc_info:
        sns.list_topics(NextToken=mangle(sns.list_topics()["NextToken"]))
    assert _error(exc_info) == ("InvalidParameter", "Invalid parameter: NextToken")
    with pytest.raises(ClientError) as exc_info:
        sqs.list_queues(MaxResults=1, NextToken=mangle(sqs.list_queues(MaxResults=1)["NextToken"]))
    assert _error(exc_info) == ("InvalidParameterValue", "Invalid NextToken value.")
    with pytest.raises(ClientError) as exc_info:
        s3.list_objects_v2(Bucket="paging-bucket", MaxKeys=1,
                           ContinuationToken=mangle(s3.list_objects_v2(Bucket="paging-bucket", MaxKeys=1)["NextContinuationToken"]))
    assert _error(exc_info) == ("InvalidArgument", "The continuation token provided is incorrect")


def test_a_token_of_another_listing_is_refused(aws: Harness) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    for index in range(101):
        sns.create_topic(Name=f"t{index:03d}")
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=f"+1555555{index:04d}")
    topics_token = sns.list_topics()["NextToken"]
    with pytest.raises(ClientError) as exc_info:
        sns.list_subscriptions(NextToken=topics_token)
    assert _error(exc_info) == ("InvalidParameter", "Invalid parameter: NextToken")
    subscriptions_token = sns.list_subscriptions()["NextToken"]
    assert len(sns.list_subscriptions(NextToken=subscriptions_token)["Subscriptions"]) == 1

    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    for index in range(3):
        sqs.create_queue(QueueName=f"q{index}")
    queues_token = sqs.list_queues(MaxResults=1)["NextToken"]
    with pytest.raises(ClientError) as exc_info:
        sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=queues_token)
    assert _error(exc_info) == ("InvalidParameterValue", "Invalid NextToken value.")


def test_sns_paginators_walk_every_listing(aws: Harness) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    for index in range(230):
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=f"+1555555{index:04d}")
    pages = list(sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic))
    assert [len(page["Subscriptions"]) for page in pages] == [100, 100, 30]
    endpoints = [s["Endpoint"] for page in pages for s in page["Subscriptions"]]
    assert sorted(endpoints) == [f"+1555555{index:04d}" for index in range(230)]

"""Queues: create, find, list, attributes, delete, tags and permissions, on json and query."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.core.clock import Clock
from tests.harness import Harness
from tests.sqs.conftest import code


def test_create_queue_answers_url_and_default_attributes(sqs: Any, aws: Harness) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url.endswith(f"/{aws.account}/orders")
    if aws.mode == "inprocess":
        assert url == f"https://sqs.us-east-1.amazonaws.com/{aws.account}/orders"
    else:
        assert url == f"{aws.endpoint_url}/{aws.account}/orders"
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:{aws.account}:orders"
    assert attributes["VisibilityTimeout"] == "30"
    assert attributes["MaximumMessageSize"] == "1048576"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert attributes["DelaySeconds"] == "0"
    assert attributes["ReceiveMessageWaitTimeSeconds"] == "0"
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert int(attributes["CreatedTimestamp"]) == int(attributes["LastModifiedTimestamp"]) > 0
    assert "FifoQueue" not in attributes and "Policy" not in attributes


def test_fifo_queue_attributes_and_naming(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"
    assert attributes["DeduplicationScope"] == "queue"
    assert attributes["FifoThroughputLimit"] == "perQueue"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "messageGroup",
                                                         "FifoThroughputLimit": "perMessageGroupId"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DeduplicationScope", "FifoThroughputLimit"])
    assert attributes["Attributes"] == {"DeduplicationScope": "messageGroup",
                                        "FifoThroughputLimit": "perMessageGroupId"}
    for name, attrs in (("jobs", {"FifoQueue": "true"}), ("plain.fifo", {})):
        with pytest.raises(ClientError) as excinfo:
            sqs.create_queue(QueueName=name, Attributes=attrs)
        assert code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="std", Attributes={"ContentBasedDeduplication": "true"})
    assert code(excinfo) == "InvalidAttributeName"


def test_invalid_names_and_attribute_values(sqs: Any) -> None:
    for name in ("has space", "x" * 81, "dot.name"):
        with pytest.raises(ClientError) as excinfo:
            sqs.create_queue(QueueName=name)
        assert code(excinfo) == "InvalidParameterValue"
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    for attribute, value in (("VisibilityTimeout", "43201"), ("DelaySeconds", "-1"),
                             ("MessageRetentionPeriod", "59"), ("MaximumMessageSize", "abc")):
        with pytest.raises(ClientError) as excinfo:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={attribute: value})
        assert code(excinfo) == "InvalidAttributeValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"QueueArn": "x"})
    assert code(excinfo) == "InvalidAttributeName"
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["NoSuchAttribute"])
    assert code(excinfo) == "InvalidAttributeName"


def test_set_queue_attributes_updates_and_timestamps(sqs: Any, fake_clock: Clock) -> None:
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    created = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    fake_clock.advance(5)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60", "DelaySeconds": "3",
                                                         "Policy": json.dumps({"Version": "2012-10-17"})})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "60"
    assert attributes["DelaySeconds"] == "3"
    assert json.loads(attributes["Policy"]) == {"Version": "2012-10-17"}
    # Whole seconds of a clock that also moves by real time: the second may tick in between.
    assert int(attributes["LastModifiedTimestamp"]) - int(created["CreatedTimestamp"]) in (5, 6)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert "Policy" not in attributes
    assert sqs.get_queue_attributes(QueueUrl=url).get("Attributes", {}) == {}


def test_create_existing_queue_same_and_different_attributes(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    assert sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "10"})["QueueUrl"] == url
    assert sqs.create_queue(QueueName="q")["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueNameExists) as excinfo:
        sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "11"})
    assert code(excinfo) == "QueueAlreadyExists"


def test_get_queue_url_and_missing_queue(sqs: Any, aws: Harness) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    assert sqs.get_queue_url(QueueName="q")["QueueUrl"] == url
    assert sqs.get_queue_url(QueueName="q", QueueOwnerAWSAccountId=aws.account)["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName="missing")
    assert code(excinfo) == "AWS.SimpleQueueService.NonExistentQueue"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="q", QueueOwnerAWSAccountId="999999999999")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=url.replace("/q", "/missing"), MessageBody="x")


def test_queue_owner_account_finds_another_accounts_queue(aws: Harness) -> None:
    other = aws.client("sqs", aws_access_key_id="111122223333", aws_secret_access_key="x")
    url = other.create_queue(QueueName="shared")["QueueUrl"]
    assert "/111122223333/shared" in url
    mine = aws.client("sqs")
    assert mine.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId="111122223333")["QueueUrl"] == url
    with pytest.raises(mine.exceptions.QueueDoesNotExist):
        mine.get_queue_url(QueueName="shared")
    # the owner's URL reaches the owner's queue from another account
    mine.send_message(QueueUrl=url, MessageBody="cross-account")
    assert [m["Body"] for m in other.receive_message(QueueUrl=url)["Messages"]] == ["cross-account"]
    with pytest.raises(mine.exceptions.QueueDoesNotExist):
        mine.send_message(QueueUrl=url.replace("111122223333", "999988887777"), MessageBody="x")


def test_queue_url_forms_are_all_accepted(sqs_json: Any, aws: Harness) -> None:
    sqs_json.create_queue(QueueName="forms")
    for url in (
        f"https://sqs.us-east-1.amazonaws.com/{aws.account}/forms",
        f"https://queue.amazonaws.com/{aws.account}/forms",
        f"http://localhost:4566/{aws.account}/forms",
        f"http://127.0.0.1:9324/{aws.account}/forms",
    ):
        sqs_json.send_message(QueueUrl=url, MessageBody=url)
    attributes = sqs_json.get_queue_attributes(QueueUrl=f"https://sqs.us-east-1.amazonaws.com/{aws.account}/forms",
                                               AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "4"


def test_base_url_setting_shapes_queue_urls(inprocess: Harness) -> None:
    inprocess.emulator.settings.base_url = "http://sqs.local:9999/"
    url = inprocess.client("sqs").create_queue(QueueName="q")["QueueUrl"]
    assert url == f"http://sqs.local:9999/{inprocess.account}/q"


def test_list_queues_prefix_and_pagination(sqs: Any) -> None:
    names = [f"app-{i:02d}" for i in range(7)] + ["other"]
    for name in names:
        sqs.create_queue(QueueName=name)
    everything = sqs.list_queues()["QueueUrls"]
    assert sorted(url.rsplit("/", 1)[1] for url in everything) == sorted(names)
    prefixed = sqs.list_queues(QueueNamePrefix="app-")["QueueUrls"]
    assert len(prefixed) == 7
    pages: list[str] = []
    kwargs: dict[str, Any] = {"QueueNamePrefix": "app-", "MaxResults": 3}
    while True:
        page = sqs.list_queues(**kwargs)
        assert len(page["QueueUrls"]) <= 3
        pages.extend(page["QueueUrls"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == sorted(prefixed)
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="none")


def test_delete_queue_and_recreate_after_a_minute(sqs: Any, fake_clock: Clock) -> None:
    url = sqs.create_queue(QueueName="gone")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    with pytest.raises(sqs.exceptions.QueueDeletedRecently) as excinfo:
        sqs.create_queue(QueueName="gone")
    assert code(excinfo) == "AWS.SimpleQueueService.QueueDeletedRecently"
    fake_clock.advance(61)
    assert sqs.create_queue(QueueName="gone")["QueueUrl"] == url


def test_tags(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="tagged", tags={"team": "a", "env": "dev"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "dev"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "cost": "1"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "prod", "cost": "1"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "cost"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "prod"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert sqs.list_queue_tags(QueueUrl=url).get("Tags", {}) == {}


def test_add_and_remove_permission_edit_the_policy(sqs: Any, aws: Harness) -> None:
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{aws.account}:shared"
    sqs.add_permission(QueueUrl=url, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.add_permission(QueueUrl=url, Label="both", AWSAccountIds=["111122223333", "444455556666"],
                       Actions=["ReceiveMessage", "DeleteMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"] == [
        {"Sid": "send", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "SQS:SendMessage", "Resource": arn},
        {"Sid": "both", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]},
         "Action": ["SQS:ReceiveMessage", "SQS:DeleteMessage"], "Resource": arn},
    ]
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    assert code(excinfo) == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=url, Label="send")
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert [statement["Sid"] for statement in policy["Statement"]] == ["both"]
    sqs.remove_permission(QueueUrl=url, Label="both")
    assert "Policy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=url, Label="both")
    assert code(excinfo) == "InvalidParameterValue"


def test_encryption_attributes(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["KmsMasterKeyId"] == "alias/aws/sqs"
    assert attributes["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attributes["SqsManagedSseEnabled"] == "false"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsDataKeyReusePeriodSeconds": "600"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsDataKeyReusePeriodSeconds"])
    assert attributes["Attributes"] == {"KmsDataKeyReusePeriodSeconds": "600"}


def test_dead_letter_source_queues_paginate(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    sources = sorted(sqs.create_queue(QueueName=f"src-{i}", Attributes={"RedrivePolicy": policy})["QueueUrl"]
                     for i in range(5))
    sqs.create_queue(QueueName="unrelated")
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=3)
    assert first["queueUrls"] == sources[:3]
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=3, NextToken=first["NextToken"])
    assert rest["queueUrls"] == sources[3:]
    assert "NextToken" not in rest

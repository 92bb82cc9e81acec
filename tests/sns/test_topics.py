"""Topics through boto3: create (idempotent), attributes, FIFO naming, tags, permissions,
data protection, listing with pagination, delete, and the errors SNS answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness, InProcessHarness
from tests.sns.conftest import error_code, error_message


def test_create_topic_answers_arn_and_default_attributes(sns: Any, aws: Harness) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{aws.account}:orders"
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn
    assert attributes["Owner"] == aws.account
    assert attributes["DisplayName"] == ""
    assert attributes["SubscriptionsConfirmed"] == "0"
    assert attributes["SubscriptionsPending"] == "0"
    assert attributes["SubscriptionsDeleted"] == "0"
    policy = json.loads(attributes["Policy"])
    statement = policy["Statement"][0]
    assert statement["Resource"] == arn
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": aws.account}}
    assert "SNS:Publish" in statement["Action"]
    assert json.loads(attributes["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    assert "FifoTopic" not in attributes


def test_create_topic_is_idempotent_with_same_attributes(sns: Any) -> None:
    first = sns.create_topic(Name="t", Attributes={"DisplayName": "Shop"})["TopicArn"]
    assert sns.create_topic(Name="t", Attributes={"DisplayName": "Shop"})["TopicArn"] == first
    assert sns.create_topic(Name="t")["TopicArn"] == first
    with pytest.raises(ClientError) as exc_info:
        sns.create_topic(Name="t", Attributes={"DisplayName": "Other"})
    assert error_code(exc_info) == "InvalidParameter"
    assert error_message(exc_info) == "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
    assert len(sns.list_topics()["Topics"]) == 1


def test_fifo_topic_attributes_and_naming_rules(sns: Any) -> None:
    arn = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})[
        "TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"
    with pytest.raises(ClientError) as exc_info:
        sns.create_topic(Name="jobs", Attributes={"FifoTopic": "true"})
    assert error_code(exc_info) == "InvalidParameter"
    assert "Fifo Topic names must end with .fifo" in error_message(exc_info)
    with pytest.raises(ClientError) as exc_info:
        sns.create_topic(Name="plain.fifo")
    assert error_message(exc_info) == "Invalid parameter: Topic Name"
    with pytest.raises(ClientError) as exc_info:
        sns.create_topic(Name="bad name!")
    assert error_message(exc_info) == "Invalid parameter: Topic Name"


def test_set_topic_attributes(sns: Any) -> None:
    arn = sns.create_topic(Name="t")["TopicArn"]
    delivery = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 5}}})
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Orders")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue=delivery)
    sns.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue="alias/aws/sns")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Orders"
    assert attributes["DeliveryPolicy"] == delivery
    assert attributes["EffectiveDeliveryPolicy"] == delivery
    assert attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert attributes["SignatureVersion"] == "2"
    for name, value in [("FifoTopic", "true"), ("Nope", "x"), ("SignatureVersion", "3"),
                        ("ContentBasedDeduplication", "true"), ("Policy", "{not json")]:
        with pytest.raises(ClientError) as exc_info:
            sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
        assert error_code(exc_info) == "InvalidParameter", name


def test_missing_topic_is_not_found_and_bad_arn_invalid(sns: Any, aws: Harness) -> None:
    with pytest.raises(ClientError) as exc_info:
        sns.get_topic_attributes(TopicArn=f"arn:aws:sns:us-east-1:{aws.account}:nope")
    assert error_code(exc_info) == "NotFound"
    assert error_message(exc_info) == "Topic does not exist"
    assert exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as exc_info:
        sns.publish(TopicArn="not-an-arn", Message="x")
    assert error_code(exc_info) == "InvalidParameter"


def test_delete_topic_removes_it_and_its_subscriptions(sns: Any, sqs: Any) -> None:
    arn = sns.create_topic(Name="t")["TopicArn"]
    sns.create_topic(Name="keep")
    sns.subscribe(TopicArn=arn, Protocol="sms", Endpoint="+15555550100")
    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)  # a second delete succeeds, as in AWS
    assert [t["TopicArn"].rsplit(":", 1)[1] for t in sns.list_topics()["Topics"]] == ["keep"]
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_list_topics_paginates_by_100(inprocess: InProcessHarness) -> None:
    sns = inprocess.client("sns")
    for index in range(105):
        sns.create_topic(Name=f"t{index:03d}")
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    second = sns.list_topics(NextToken=first["NextToken"])
    assert len(second["Topics"]) == 5 and "NextToken" not in second
    names = [t["TopicArn"].rsplit(":", 1)[1] for t in first["Topics"] + second["Topics"]]
    assert names == [f"t{index:03d}" for index in range(105)]
    paginated = [t for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    assert len(paginated) == 105
    with pytest.raises(ClientError) as exc_info:
        sns.list_topics(NextToken="garbage!")
    assert error_code(exc_info) == "InvalidParameter"


def test_tags(sns: Any) -> None:
    arn = sns.create_topic(Name="t", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}])
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"team": "b", "env": "dev"}
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as exc_info:
        sns.tag_resource(ResourceArn=arn + "x", Tags=[{"Key": "a", "Value": "b"}])
    assert error_code(exc_info) == "ResourceNotFound"
    with pytest.raises(ClientError) as exc_info:
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_code(exc_info) == "TagLimitExceeded"
    with pytest.raises(ClientError) as exc_info:
        sns.create_topic(Name="t", Tags=[{"Key": "env", "Value": "prod"}])
    assert error_message(exc_info) == "Invalid parameter: Tags Reason: Topic already exists with different tags"


def test_add_and_remove_permission_edit_the_policy(sns: Any) -> None:
    arn = sns.create_topic(Name="t")["TopicArn"]
    sns.add_permission(TopicArn=arn, Label="partner", AWSAccountId=["210987654321"], ActionName=["Publish"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    added = next(s for s in statements if s["Sid"] == "partner")
    assert added["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert added["Action"] == "SNS:Publish"
    with pytest.raises(ClientError) as exc_info:
        sns.add_permission(TopicArn=arn, Label="partner", AWSAccountId=["1"], ActionName=["Publish"])
    assert error_code(exc_info) == "InvalidParameter"
    sns.remove_permission(TopicArn=arn, Label="partner")
    statements = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID"]


def test_other_account_needs_the_topic_policy(sns: Any, aws: Harness) -> None:
    arn = sns.create_topic(Name="shared")["TopicArn"]
    other = aws.client("sns", aws_access_key_id="210987654321", aws_secret_access_key="x")
    with pytest.raises(ClientError) as exc_info:
        other.publish(TopicArn=arn, Message="hello")
    assert error_code(exc_info) == "AuthorizationError"
    assert exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "is not authorized to perform: SNS:Publish" in error_message(exc_info)
    sns.add_permission(TopicArn=arn, Label="partner", AWSAccountId=["210987654321"], ActionName=["Publish"])
    assert other.publish(TopicArn=arn, Message="hello")["MessageId"]
    with pytest.raises(ClientError) as exc_info:
        other.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="x")
    assert error_code(exc_info) == "AuthorizationError"


def test_data_protection_policy_is_stored(sns: Any) -> None:
    policy = json.dumps({"Name": "p", "Description": "", "Version": "2021-06-01", "Statement": []})
    arn = sns.create_topic(Name="t", DataProtectionPolicy=policy)["TopicArn"]
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == policy
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="{}")
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == "{}"
    with pytest.raises(ClientError) as exc_info:
        sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy="nope")
    assert error_code(exc_info) == "InvalidParameter"

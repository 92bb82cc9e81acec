"""Publish and PublishBatch validation, subscriptions' own rules, and the protocols SNS only
records (email, email-json, sms, lambda, firehose, application) plus platform apps and SMS."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.sns.conftest import bodies, error_code, error_message, make_queue


def _sent(aws: Harness) -> list[Any]:
    return list(aws.emulator.service("sns").snapshot(aws.account, aws.region).sent_messages)


def _invalid(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as exc_info:
        call(**kwargs)
    assert error_code(exc_info) == "InvalidParameter", error_message(exc_info)
    return error_message(exc_info)


# -- Publish validation ----------------------------------------------------------------------
def test_publish_target_rules(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert _invalid(sns.publish, Message="x") == \
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
    assert "Only one of" in _invalid(sns.publish, TopicArn=topic, PhoneNumber="+15555550100", Message="x")
    assert _invalid(sns.publish, TopicArn=topic, Message="") == "Invalid parameter: Empty message"
    assert _invalid(sns.publish, TopicArn=topic, Message="x", Subject="a\nb") == "Invalid parameter: Subject"
    assert _invalid(sns.publish, TopicArn=topic, Message="x" * 262145) == "Invalid parameter: Message too long"


EMPTY_STRING = ("The message attribute 'a' must contain non-empty message attribute value for message attribute "
                "type 'String'.")


@pytest.mark.parametrize(
    ("attribute", "code", "fragment"),
    [
        # SNS answers a malformed type or value field with ParameterValueInvalid and a bare sentence.
        ({"DataType": "Strange", "StringValue": "x"}, "ParameterValueInvalid",
         ("The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is "
          "Binary, Number, and String.")),
        ({"DataType": "Number", "StringValue": "abc"}, "InvalidParameter",
         "Could not cast message attribute 'a' value to number."),
        ({"DataType": "String"}, "ParameterValueInvalid", EMPTY_STRING),
        ({"DataType": "String", "StringValue": ""}, "ParameterValueInvalid", EMPTY_STRING),
        ({"DataType": "Binary", "StringValue": "x"}, "ParameterValueInvalid",
         "The message attribute 'a' with type 'Binary' must use field 'Binary'."),
        ({"DataType": "String.Array", "StringValue": "not an array"}, "InvalidParameter", "must be a JSON array"),
    ],
)
def test_message_attribute_data_types_are_validated(sns: Any, attribute: dict[str, Any], code: str,
                                                    fragment: str) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as exc_info:
        sns.publish(TopicArn=topic, Message="x", MessageAttributes={"a": attribute})
    assert error_code(exc_info) == code
    assert fragment in error_message(exc_info)
    if code == "ParameterValueInvalid":
        assert error_message(exc_info) == fragment


@pytest.mark.parametrize(("name", "text"), [
    (".dot", "Invalid message attribute name starting with character '.' was found."),
    ("dot.", "Invalid message attribute name ending with character '.' was found."),
    ("two..dots", "Message attribute name can not have successive '.' character."),
    ("has space", ("Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only "
                   "include alphanumeric characters, hyphens, underscores, or dots.")),
    ("x" * 257, "Length of message attribute name must be less than 256 bytes."),
])
def test_message_attribute_names_are_validated(sns: Any, name: str, text: str) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as exc_info:
        sns.publish(TopicArn=topic, Message="x", MessageAttributes={name: {"DataType": "String", "StringValue": "v"}})
    assert (error_code(exc_info), error_message(exc_info)) == ("ParameterValueInvalid", text)


def test_too_many_message_attributes(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    attributes = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    assert "Number of message attributes [11] exceeds the allowed maximum [10]." in _invalid(
        sns.publish, TopicArn=topic, Message="x", MessageAttributes=attributes)


def test_message_structure_json_needs_a_default(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert _invalid(sns.publish, TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "x"})) == \
        "Invalid parameter: Message Structure - No default entry in JSON message body"
    assert _invalid(sns.publish, TopicArn=topic, MessageStructure="json", Message="{nope") == \
        "Invalid parameter: Message Structure - JSON message body failed to parse"


def test_fifo_group_and_deduplication_rules(sns: Any) -> None:
    fifo = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    standard = sns.create_topic(Name="t")["TopicArn"]
    assert _invalid(sns.publish, TopicArn=fifo, Message="x", MessageDeduplicationId="d") == \
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    assert "ContentBasedDeduplication enabled or MessageDeduplicationId" in _invalid(
        sns.publish, TopicArn=fifo, Message="x", MessageGroupId="g")
    assert "MessageDeduplicationId" in _invalid(sns.publish, TopicArn=standard, Message="x",
                                                MessageDeduplicationId="d")
    # Standard topics accept MessageGroupId (forwarded to SQS fair queues).
    assert sns.publish(TopicArn=standard, Message="x", MessageGroupId="g")["MessageId"]
    assert "SequenceNumber" in sns.publish(TopicArn=fifo, Message="x", MessageGroupId="g",
                                           MessageDeduplicationId="d")


# -- PublishBatch ----------------------------------------------------------------------------
def test_publish_batch_success_and_per_entry_failures(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, queue_arn = make_queue(sqs, "q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "one", "Message": "first"},
        {"Id": "bad", "Message": "x", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "NaNope"}}},
        {"Id": "two", "Message": "second", "Subject": "s"},
    ])
    assert [entry["Id"] for entry in answer["Successful"]] == ["one", "two"]
    assert all(entry["MessageId"] for entry in answer["Successful"])
    [failure] = answer["Failed"]
    assert failure["Id"] == "bad" and failure["Code"] == "InvalidParameter" and failure["SenderFault"] is True
    assert "Could not cast" in failure["Message"]
    assert sorted(bodies(sqs, url)) == ["first", "second"]


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([{"Id": f"e{i}", "Message": "m"} for i in range(11)], "TooManyEntriesInBatchRequest"),
        ([{"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}], "BatchEntryIdsNotDistinct"),
        ([{"Id": "not valid!", "Message": "a"}], "InvalidBatchEntryId"),
        ([{"Id": "a", "Message": "x" * 200000}, {"Id": "b", "Message": "x" * 100000}], "BatchRequestTooLong"),
        ([], "EmptyBatchRequest"),
    ],
)
def test_publish_batch_request_errors(sns: Any, entries: list[dict[str, Any]], code: str) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as exc_info:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert error_code(exc_info) == code


def test_publish_batch_to_fifo_topic(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})[
        "TopicArn"]
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "1", "MessageGroupId": "g"},
        {"Id": "b", "Message": "", "MessageGroupId": "g"},
    ])
    assert [e["Id"] for e in answer["Successful"]] == ["a"] and answer["Successful"][0]["SequenceNumber"]
    assert answer["Failed"][0]["Id"] == "b"
    # (An entry without MessageGroupId fails the whole request: test_aws_fidelity.)
    assert answer["Failed"][0]["Message"] == "Invalid parameter: Empty message"


# -- subscriptions ---------------------------------------------------------------------------
def test_subscribe_validates_protocol_endpoint_and_filter_policy(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert "does not support this protocol" in _invalid(sns.subscribe, TopicArn=topic, Protocol="carrier-pigeon",
                                                        Endpoint="x")
    assert _invalid(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint="not-an-arn") == \
        "Invalid parameter: SQS endpoint ARN"
    assert _invalid(sns.subscribe, TopicArn=topic, Protocol="http", Endpoint="https://x") == \
        "Invalid parameter: Endpoint must match the specified protocol"
    assert _invalid(sns.subscribe, TopicArn=topic, Protocol="email", Endpoint="nobody") == \
        "Invalid parameter: Email address"
    assert _invalid(sns.subscribe, TopicArn=topic, Protocol="sms", Endpoint="+15555550100",
                    Attributes={"FilterPolicy": json.dumps({"a": [{"numeric": [">", "x"]}]})}) == \
        "Invalid parameter: Attributes Reason: FilterPolicy: Value of > must be numeric"  # Subscribe's wording
    too_complex = {"a": [str(i) for i in range(20)], "b": [str(i) for i in range(10)]}
    assert _invalid(sns.subscribe, TopicArn=topic, Protocol="sms", Endpoint="+15555550100",
                    Attributes={"FilterPolicy": json.dumps(too_complex)}) == \
        "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex"
    assert "does not support raw message delivery" in _invalid(
        sns.subscribe, TopicArn=topic, Protocol="sms", Endpoint="+15555550100",
        Attributes={"RawMessageDelivery": "true"})
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_set_subscription_attributes_validates(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    arn = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicyScope",
                                    AttributeValue="MessageBody")
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"a": {"b": ["c"]}}))
    nested_rejected = _invalid(sns.set_subscription_attributes, SubscriptionArn=arn,
                               AttributeName="FilterPolicyScope", AttributeValue="MessageAttributes")
    assert nested_rejected == "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    assert _invalid(sns.set_subscription_attributes, SubscriptionArn=arn, AttributeName="Bogus",
                    AttributeValue="x") == "Invalid parameter: AttributeName"
    with pytest.raises(ClientError) as exc_info:
        sns.get_subscription_attributes(SubscriptionArn=arn + "0")
    assert error_code(exc_info) == "NotFound"


def test_subscribe_is_idempotent(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    first = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"] == first
    assert "different attributes" in _invalid(sns.subscribe, TopicArn=topic, Protocol="sms", Endpoint="+15555550100",
                                              Attributes={"FilterPolicy": '{"a": ["b"]}'})


def test_list_subscriptions_paginates(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    for index in range(102):
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=f"+1555555{index:04d}")
    first = sns.list_subscriptions_by_topic(TopicArn=topic)
    second = sns.list_subscriptions_by_topic(TopicArn=topic, NextToken=first["NextToken"])
    assert len(first["Subscriptions"]) == 100 and len(second["Subscriptions"]) == 2
    everything = [s for page in sns.get_paginator("list_subscriptions").paginate() for s in page["Subscriptions"]]
    assert len({s["SubscriptionArn"] for s in everything}) == 102


# -- recorded protocols ----------------------------------------------------------------------
def test_sms_email_lambda_and_firehose_are_recorded(sns: Any, aws: Harness) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=f"arn:aws:lambda:us-east-1:{aws.account}:function:f")
    sns.subscribe(TopicArn=topic, Protocol="firehose", Endpoint=f"arn:aws:firehose:us-east-1:{aws.account}:deliverystream/d",
                  Attributes={"SubscriptionRoleArn": f"arn:aws:iam::{aws.account}:role/r"})
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="someone@example.com")
    [confirmation] = [m for m in _sent(aws) if m.kind == "SubscriptionConfirmation"]
    assert confirmation.protocol == "email" and "ConfirmSubscription" in confirmation.body
    subscribe_url = confirmation.body.rsplit("\n", 1)[1]
    token = parse_qs(urlsplit(subscribe_url).query)["Token"][0]
    sns.confirm_subscription(TopicArn=topic, Token=token)

    message_id = sns.publish(TopicArn=topic, Subject="Hi", MessageStructure="json",
                             Message=json.dumps({"default": "text", "sms": "short", "email": "long mail"}))["MessageId"]
    sent = {m.protocol: m for m in _sent(aws) if m.kind == "Notification"}
    assert set(sent) == {"sms", "lambda", "firehose", "email"}
    assert all(m.message_id == message_id for m in sent.values())
    assert all(m.status == "recorded" for protocol, m in sent.items() if protocol != "lambda")
    # Lambda is implemented: the delivery really invokes, and function f does not exist.
    assert sent["lambda"].status == "failed" and "ResourceNotFoundException" in (sent["lambda"].error or "")
    assert sent["sms"].body == "short" and sent["sms"].endpoint == "+15555550100"
    assert sent["email"].body == "long mail" and sent["email"].subject == "Hi"
    event = json.loads(sent["lambda"].body)["Records"][0]
    assert event["EventSource"] == "aws:sns" and event["Sns"]["Message"] == "text"
    assert event["Sns"]["Subject"] == "Hi" and "SigningCertUrl" in event["Sns"] and "UnsubscribeUrl" in event["Sns"]
    assert json.loads(sent["firehose"].body)["Message"] == "text"


def test_publish_to_phone_number_is_recorded(sns: Any, aws: Harness) -> None:
    message_id = sns.publish(PhoneNumber="+15555550123", Message="code 1234")["MessageId"]
    [record] = _sent(aws)
    assert (record.message_id, record.protocol, record.endpoint, record.body) == \
        (message_id, "sms", "+15555550123", "code 1234")
    assert "not valid to publish to" in _invalid(sns.publish, PhoneNumber="call-me", Message="x")


# -- platform applications -------------------------------------------------------------------
def test_platform_applications_and_endpoints(sns: Any, aws: Harness) -> None:
    app = sns.create_platform_application(Name="app", Platform="GCM",
                                          Attributes={"PlatformCredential": "secret"})["PlatformApplicationArn"]
    assert app == f"arn:aws:sns:us-east-1:{aws.account}:app/GCM/app"
    assert "PlatformCredential" not in sns.get_platform_application_attributes(PlatformApplicationArn=app)["Attributes"]
    sns.set_platform_application_attributes(PlatformApplicationArn=app, Attributes={"EventEndpointCreated": "x"})
    assert sns.list_platform_applications()["PlatformApplications"][0]["Attributes"]["EventEndpointCreated"] == "x"

    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1",
                                            CustomUserData="user-7")["EndpointArn"]
    assert endpoint.startswith(f"arn:aws:sns:us-east-1:{aws.account}:endpoint/GCM/app/")
    assert sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1",
                                        CustomUserData="user-7")["EndpointArn"] == endpoint
    assert "already exists with the same Token" in _invalid(
        sns.create_platform_endpoint, PlatformApplicationArn=app, Token="device-1", CustomUserData="other")
    attributes = sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]
    assert attributes == {"Enabled": "true", "Token": "device-1", "CustomUserData": "user-7"}

    message_id = sns.publish(TargetArn=endpoint, MessageStructure="json",
                             Message=json.dumps({"default": "d", "GCM": json.dumps({"data": {"k": "v"}})}))["MessageId"]
    [record] = _sent(aws)
    assert record.message_id == message_id and record.protocol == "application" and record.endpoint == endpoint
    assert json.loads(record.body) == {"data": {"k": "v"}}

    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    with pytest.raises(ClientError) as exc_info:
        sns.publish(TargetArn=endpoint, Message="x")
    assert error_code(exc_info) == "EndpointDisabled"
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert [e["EndpointArn"] for e in listed] == [endpoint]
    sns.delete_endpoint(EndpointArn=endpoint)
    sns.delete_endpoint(EndpointArn=endpoint)
    assert sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"] == []
    sns.delete_platform_application(PlatformApplicationArn=app)
    with pytest.raises(ClientError) as exc_info:
        sns.get_platform_application_attributes(PlatformApplicationArn=app)
    assert error_code(exc_info) == "NotFound"


# -- SMS settings ----------------------------------------------------------------------------
def test_sms_attributes_and_opt_outs(sns: Any, aws: Harness) -> None:
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Shop"})
    assert sns.get_sms_attributes()["attributes"] == {"DefaultSMSType": "Transactional", "DefaultSenderID": "Shop"}
    assert sns.get_sms_attributes(attributes=["DefaultSenderID"])["attributes"] == {"DefaultSenderID": "Shop"}
    assert _invalid(sns.set_sms_attributes, attributes={"DefaultSMSType": "Loud"}).startswith("Invalid parameter")

    aws.emulator.service("sns").merge(aws.account, aws.region, {"opted_out_phone_numbers": ["+15555550100"]})
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")["isOptedOut"] is True
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550199")["isOptedOut"] is False
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == ["+15555550100"]
    sns.opt_in_phone_number(phoneNumber="+15555550100")
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == []


def test_sms_sandbox_verification(sns: Any, aws: Harness) -> None:
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is False
    sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550100", LanguageCode="en-GB")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [{"PhoneNumber": "+15555550100", "Status": "Pending"}]
    [otp] = [m for m in _sent(aws) if m.kind == "OneTimePassword"]
    code = otp.body.rsplit(" ", 1)[1]
    with pytest.raises(ClientError) as exc_info:
        sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550100", OneTimePassword="00000000")
    assert error_code(exc_info) == "VerificationException"
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550100", OneTimePassword=code)
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"][0]["Status"] == "Verified"
    sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550100")
    with pytest.raises(ClientError) as exc_info:
        sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550100")
    assert error_code(exc_info) == "ResourceNotFound"
    assert sns.list_origination_numbers()["PhoneNumbers"] == []


def test_topic_fan_out_to_push_endpoints_and_email_json(sns: Any, aws: Harness) -> None:
    app = sns.create_platform_application(Name="app", Platform="APNS",
                                          Attributes={"PlatformCredential": "k"})["PlatformApplicationArn"]
    device = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device")["EndpointArn"]
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=device)
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="ops@example.com")
    [confirmation] = [m for m in _sent(aws) if m.kind == "SubscriptionConfirmation"]
    sns.confirm_subscription(TopicArn=topic, Token=json.loads(confirmation.body)["Token"])
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "plain", "APNS": json.dumps({"aps": {"alert": "hi"}})}))
    sent = {m.protocol: m for m in _sent(aws) if m.kind == "Notification"}
    assert json.loads(sent["application"].body) == {"aps": {"alert": "hi"}}
    assert sent["application"].endpoint == device
    envelope = json.loads(sent["email-json"].body)
    assert envelope["Type"] == "Notification" and envelope["Message"] == "plain"

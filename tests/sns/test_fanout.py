"""SNS -> SQS fan-out through boto3: the envelope and its signature, raw delivery, filter
policies (attribute and body scope), MessageStructure, FIFO, cross-account queues, redrive."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from hoarfrost.services.sns import envelope
from tests.harness import Harness
from tests.sns.conftest import bodies, drain, make_queue


def _topic_and_queue(sns: Any, sqs: Any, **sub_attributes: str) -> tuple[str, str, str]:
    topic = sns.create_topic(Name="events")["TopicArn"]
    url, queue_arn = make_queue(sqs, "inbox")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes=sub_attributes,
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    return topic, url, sub


def test_sqs_receives_the_signed_envelope(sns: Any, sqs: Any, aws: Harness) -> None:
    topic, url, sub = _topic_and_queue(sns, sqs)
    message_id = sns.publish(
        TopicArn=topic, Message="hello", Subject="greeting",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "hi"},
                           "count": {"DataType": "Number", "StringValue": "3"},
                           "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    )["MessageId"]
    [message] = drain(sqs, url, expected=1)
    body = json.loads(message["Body"])
    assert body["Type"] == "Notification"
    assert body["MessageId"] == message_id
    assert body["TopicArn"] == topic
    assert body["Subject"] == "greeting"
    assert body["Message"] == "hello"
    assert body["Timestamp"].endswith("Z") and "T" in body["Timestamp"]
    assert body["SignatureVersion"] == "1"
    assert body["SigningCertURL"].endswith(envelope.CERT_PATH)
    assert body["UnsubscribeURL"].endswith(f"/?Action=Unsubscribe&SubscriptionArn={sub}")  # as AWS writes it
    assert body["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "hi"},
        "count": {"Type": "Number", "Value": "3"},
        "blob": {"Type": "Binary", "Value": base64.b64encode(b"\x00\x01").decode()},
    }
    assert "MessageAttributes" not in message  # not raw: attributes travel inside the envelope
    certificate = aws.emulator.service("sns").signing_certificate_pem()  # type: ignore[attr-defined]
    assert envelope.verify(body, certificate)
    body["Message"] = "tampered"
    assert not envelope.verify(body, certificate)


def test_signature_version_2_uses_sha256(sns: Any, sqs: Any, aws: Harness) -> None:
    topic, url, _ = _topic_and_queue(sns, sqs)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
    sns.publish(TopicArn=topic, Message="m")
    body = json.loads(drain(sqs, url, expected=1)[0]["Body"])
    assert body["SignatureVersion"] == "2"
    assert envelope.verify(body, aws.emulator.service("sns").signing_certificate_pem())  # type: ignore[attr-defined]


def test_raw_delivery_maps_attributes_onto_sqs(sns: Any, sqs: Any) -> None:
    topic, url, sub = _topic_and_queue(sns, sqs, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="raw body",
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "k"},
                                   "n": {"DataType": "Number", "StringValue": "7"}})
    [message] = drain(sqs, url, expected=1)
    assert message["Body"] == "raw body"
    assert message["MessageAttributes"]["kind"] == {"StringValue": "k", "DataType": "String"}
    assert message["MessageAttributes"]["n"] == {"StringValue": "7", "DataType": "Number"}
    assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["RawMessageDelivery"] == "true"


def test_filter_policy_on_message_attributes(sns: Any, sqs: Any) -> None:
    policy = {"store": ["shop"], "price": [{"numeric": [">=", 100]}], "$or": [
        {"kind": [{"prefix": "order"}]}, {"priority": [{"exists": True}]}]}
    topic, url, sub = _topic_and_queue(sns, sqs, FilterPolicy=json.dumps(policy))

    def publish(message: str, **values: Any) -> None:
        attributes = {k: {"DataType": "Number" if isinstance(v, int) else "String", "StringValue": str(v)}
                      for k, v in values.items()}
        sns.publish(TopicArn=topic, Message=message, MessageAttributes=attributes)

    publish("1 yes", store="shop", price=150, kind="order-created")
    publish("2 no: price", store="shop", price=50, kind="order-created")
    publish("3 no: store", store="web", price=150, kind="order-created")
    publish("4 yes: priority", store="shop", price=100, kind="refund", priority="high")
    publish("5 no: or", store="shop", price=100, kind="refund")
    publish("6 no: attributes missing")
    assert sorted(bodies(sqs, url)) == ["1 yes", "4 yes: priority"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == policy
    assert attributes["FilterPolicyScope"] == "MessageAttributes"


def test_filter_policy_on_message_body(sns: Any, sqs: Any) -> None:
    topic, url, sub = _topic_and_queue(sns, sqs)
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicyScope",
                                    AttributeValue="MessageBody")
    policy = {"order": {"status": [{"anything-but": ["cancelled"]}], "region": [{"equals-ignore-case": "EU"}]}}
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps(policy))
    for document in (
        {"order": {"status": "paid", "region": "eu"}, "n": 1},
        {"order": {"status": "cancelled", "region": "eu"}, "n": 2},
        {"order": {"status": "paid", "region": "us"}, "n": 3},
        {"order": {"region": "EU"}, "n": 4},
    ):
        sns.publish(TopicArn=topic, Message=json.dumps(document))
    sns.publish(TopicArn=topic, Message="not json")
    assert [json.loads(text)["n"] for text in bodies(sqs, url)] == [1]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue="")
    sns.publish(TopicArn=topic, Message="not json")
    assert bodies(sqs, url) == ["not json"]


def test_message_structure_json_picks_the_sqs_entry(sns: Any, sqs: Any) -> None:
    topic, url, _ = _topic_and_queue(sns, sqs)
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "for everyone", "sqs": "for queues", "email": "for mail"}))
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "only default"}))
    assert bodies(sqs, url) == ["for queues", "only default"]


def test_pending_or_deleted_subscriptions_receive_nothing(sns: Any, sqs: Any) -> None:
    topic, url, sub = _topic_and_queue(sns, sqs)
    sns.unsubscribe(SubscriptionArn=sub)
    sns.publish(TopicArn=topic, Message="after unsubscribe")
    assert drain(sqs, url) == []
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"


def test_fifo_topic_to_fifo_queue(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, queue_arn = make_queue(sqs, "orders.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})
    first = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g1", MessageDeduplicationId="d1")
    again = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g1", MessageDeduplicationId="d1")
    second = sns.publish(TopicArn=topic, Message="two", MessageGroupId="g1", MessageDeduplicationId="d2")
    assert again["MessageId"] == first["MessageId"] and again["SequenceNumber"] == first["SequenceNumber"]
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    messages = drain(sqs, url)
    assert [m["Body"] for m in messages] == ["one", "two"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g1"
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == "d1"


def test_fifo_content_based_deduplication(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})[
        "TopicArn"]
    url, queue_arn = make_queue(sqs, "q.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    a = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    b = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    assert a["MessageId"] == b["MessageId"]
    [message] = drain(sqs, url, expected=1)
    assert json.loads(message["Body"])["SequenceNumber"] == a["SequenceNumber"]


def test_fifo_queue_cannot_subscribe_to_standard_topic(sns: Any, sqs: Any) -> None:
    from botocore.exceptions import ClientError

    topic = sns.create_topic(Name="std")["TopicArn"]
    _, queue_arn = make_queue(sqs, "q.fifo", FifoQueue="true")
    with pytest.raises(ClientError) as exc_info:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    assert exc_info.value.response["Error"]["Code"] == "InvalidParameter"


def test_delivery_to_another_account_and_region(sns: Any, aws: Harness) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    remote = aws.client("sqs", region_name="eu-west-1", aws_access_key_id="210987654321", aws_secret_access_key="x")
    url, queue_arn = make_queue(remote, "far")
    assert queue_arn == "arn:aws:sqs:eu-west-1:210987654321:far"
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.publish(TopicArn=topic, Message="across")
    assert bodies(remote, url) == ["across"]


def test_missing_queue_is_recorded_and_redriven(sns: Any, sqs: Any, aws: Harness) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    gone = f"arn:aws:sqs:us-east-1:{aws.account}:gone"
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    message_id = sns.publish(TopicArn=topic, Message="lost")["MessageId"]
    assert bodies(sqs, dlq_url) == ["lost"]
    view = aws.emulator.service("sns").snapshot(aws.account, aws.region)
    [record] = view.sent_messages
    assert record.message_id == message_id and record.status == "failed" and record.protocol == "sqs"
    assert record.error is not None and "QueueDoesNotExist" in record.error


def test_signing_cert_url_serves_the_certificate_that_verifies(server: Harness) -> None:
    import urllib.request

    sns, sqs = server.client("sns"), server.client("sqs")
    topic, url, _ = _topic_and_queue(sns, sqs)
    sns.publish(TopicArn=topic, Message="signed")
    [message] = drain(sqs, url, expected=1)
    body = json.loads(message["Body"])
    assert body["SigningCertURL"].startswith(server.endpoint_url)
    with urllib.request.urlopen(body["SigningCertURL"]) as response:
        pem = response.read()
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert envelope.verify(body, pem)
    body["Message"] = "tampered"
    assert not envelope.verify(body, pem)

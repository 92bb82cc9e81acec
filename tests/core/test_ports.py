"""The after-commit delivery port: emulator.deliver dispatches by ARN, and deliveries run
after the producer released its lock, so a target that calls back into the producer cannot
deadlock."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from hoarfrost.core.ports import DeliveryError, Message
from tests.harness import Harness


def test_deliver_dispatches_by_the_arns_service(inprocess: Harness) -> None:
    received: list[tuple[str, Message]] = []

    def sink(arn: str, message: Message) -> str:
        received.append((arn, message))
        return "id-1"

    inprocess.emulator.ports.register("lambda", sink)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert inprocess.emulator.deliver(arn, Message("{}", source_arn="arn:aws:sns:us-east-1:1:t")) == "id-1"
    assert received == [(arn, Message("{}", source_arn="arn:aws:sns:us-east-1:1:t"))]


@pytest.mark.parametrize("target", ["not an arn", "arn:aws:nosuchservice:us-east-1:123456789012:thing"])
def test_deliver_to_nothing_is_a_clear_error(inprocess: Harness, target: str) -> None:
    with pytest.raises(DeliveryError, match="no hoarfrost service receives"):
        inprocess.emulator.deliver(target, Message("x"))
    assert not inprocess.emulator.accepts(target)


def test_a_target_that_publishes_back_to_its_topic_does_not_deadlock(inprocess: Harness) -> None:
    """SNS fans out to a Lambda-like sink; the sink publishes to the same topic from another
    thread and waits for it. Were the delivery made under the topic's lock, that publish would
    wait for the lock the sink's caller holds, forever."""
    sns = inprocess.client("sns")
    topic = sns.create_topic(Name="loop")["TopicArn"]
    function = "arn:aws:lambda:us-east-1:123456789012:function:echo"
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)
    calls: list[str] = []
    outcome: dict[str, Any] = {}

    def sink(arn: str, message: Message) -> str:
        calls.append(json.loads(message.body)["Records"][0]["Sns"]["Message"])
        if len(calls) == 1:  # publish back once, and wait for it to be answered
            publisher = threading.Thread(
                target=lambda: outcome.update(inprocess.client("sns").publish(TopicArn=topic, Message="echo")))
            publisher.start()
            publisher.join(timeout=10)
            outcome["finished"] = not publisher.is_alive()
        return "ok"

    inprocess.emulator.ports.register("lambda", sink)
    sns.publish(TopicArn=topic, Message="first")
    assert outcome.get("finished") is True
    assert "MessageId" in outcome
    assert calls == ["first", "echo"]


def test_sns_fan_out_reaches_sqs_after_the_publish(aws: Harness) -> None:
    """The queue sees the message once Publish returned; a failed delivery is recorded on the
    topic's scope afterwards."""
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="fan")["TopicArn"]
    url = sqs.create_queue(QueueName="sink")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    gone = queue_arn.rsplit(":", 1)[0] + ":gone"
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone)
    sns.publish(TopicArn=topic, Message="hello")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["hello"]
    view = aws.emulator.service("sns").snapshot(aws.account, aws.region)
    failed = [m for m in view.sent_messages if m.endpoint == gone]
    assert [(m.status, m.error) for m in failed] == [("failed", "QueueDoesNotExist: The specified queue does not exist.")]


def test_policy_sources_answer_resource_policies() -> None:
    from hoarfrost.core.ports import Ports

    ports = Ports(lambda name: None)
    assert ports.resource_policy("sqs", "arn:aws:sqs:us-east-1:1:q") is None  # no source: no resource
    ports.register_policy_source("sqs", {"arn:aws:sqs:us-east-1:1:q": '{"Statement": []}'}.get)
    assert ports.resource_policy("sqs", "arn:aws:sqs:us-east-1:1:q") == '{"Statement": []}'
    assert ports.resource_policy("sqs", "arn:aws:sqs:us-east-1:1:other") is None


def test_change_streams_are_found_by_service(inprocess: Harness) -> None:
    """A service's change streams (DynamoDB's tables') are reached through the port, starting
    the owning service on first use; a service without streams has none."""
    from hoarfrost.core.ports import ChangeStream

    ports = inprocess.emulator.ports
    source = ports.streams("dynamodb")
    assert source is not None and source.list_streams("123456789012", "us-east-1") == []
    assert source.stream("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x") is None
    assert ports.streams("nosuchservice") is None

    class Fake:
        def list_streams(self, account: str, region: str) -> list[ChangeStream]:
            return [ChangeStream("arn:s", "l", "ENABLED", "KEYS_ONLY", "t", (), 0.0, None, None)]

        def stream(self, stream_arn: str) -> ChangeStream | None:
            return None

        def records(self, stream_arn: str, after: str | None, limit: int) -> list[dict[str, Any]] | None:
            return []

    ports.register_streams("fake", Fake())
    fake = ports.streams("fake")
    assert fake is not None and fake.list_streams("a", "r")[0].arn == "arn:s"


def test_objects_are_written_and_read_through_the_port(inprocess: Harness) -> None:
    """S3 registers as the object store other services write exports into."""
    from hoarfrost.core.errors import ServiceError

    s3 = inprocess.client("s3")
    s3.create_bucket(Bucket="port-bucket")
    store = inprocess.emulator.ports.objects("s3")
    assert store is not None
    etag = store.put_object("port-bucket", "a/b.json", b'{"x": 1}', "application/json")
    assert s3.get_object(Bucket="port-bucket", Key="a/b.json")["Body"].read() == b'{"x": 1}'
    assert s3.head_object(Bucket="port-bucket", Key="a/b.json")["ETag"] == etag
    assert store.get_object("port-bucket", "a/b.json") == b'{"x": 1}'
    assert store.get_object("port-bucket", "missing") is None
    assert store.list_keys("port-bucket", "a/") == ["a/b.json"]
    with pytest.raises(ServiceError) as excinfo:
        store.put_object("no-such-bucket", "k", b"")
    assert excinfo.value.code == "NoSuchBucket"

"""SNS -> HTTP: a real POST to a local server, the SubscriptionConfirmation handshake, the
headers SNS sends, raw delivery, and failures recorded (never raised to the publisher)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError

from hoarfrost.services.sns import envelope
from tests.harness import Harness, ServerHarness
from tests.sns.conftest import Endpoint, error_code, error_message


def _subscribe_and_confirm(sns: Any, endpoint: Endpoint, **attributes: str) -> tuple[str, str]:
    topic = sns.create_topic(Name="web")["TopicArn"]
    answer = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url, Attributes=attributes)
    assert answer["SubscriptionArn"] == "pending confirmation"
    [confirmation] = endpoint.wait_for(1)
    token = confirmation.json()["Token"]
    arn = sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
    return topic, arn


def test_subscription_confirmation_is_posted(sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    topic = sns.create_topic(Name="web")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [request] = endpoint.wait_for(1)
    assert request.path == "/hook"
    assert request.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert request.headers["x-amz-sns-topic-arn"] == topic
    assert "x-amz-sns-subscription-arn" not in request.headers
    assert request.headers["content-type"].startswith("text/plain")
    body = request.json()
    assert body["Type"] == "SubscriptionConfirmation"
    assert request.headers["x-amz-sns-message-id"] == body["MessageId"]
    assert body["TopicArn"] == topic
    assert body["Token"]
    query = parse_qs(urlsplit(body["SubscribeURL"]).query)
    assert query == {"Action": ["ConfirmSubscription"], "TopicArn": [topic], "Token": [body["Token"]]}
    assert f"TopicArn={topic}&" in body["SubscribeURL"]  # the ARN as it is, as AWS writes it
    assert envelope.verify(body, aws.emulator.service("sns").signing_certificate_pem())  # type: ignore[attr-defined]
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == ["PendingConfirmation"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"


def test_pending_subscription_gets_no_notifications_until_confirmed(sns: Any, endpoint: Endpoint) -> None:
    topic = sns.create_topic(Name="web")["TopicArn"]
    pending = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
    [confirmation] = endpoint.wait_for(1)
    sns.publish(TopicArn=topic, Message="too early")
    assert sns.get_subscription_attributes(SubscriptionArn=pending)["Attributes"]["PendingConfirmation"] == "true"
    arn = sns.confirm_subscription(TopicArn=topic, Token=confirmation.json()["Token"],
                                   AuthenticateOnUnsubscribe="true")["SubscriptionArn"]
    assert arn == pending
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    sns.publish(TopicArn=topic, Message="on time")
    received = endpoint.wait_for(2)
    assert [r.json()["Message"] for r in received[1:]] == ["on time"]


def test_notification_post_headers_and_envelope(sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    topic, arn = _subscribe_and_confirm(sns, endpoint)
    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="s",
                             MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}})["MessageId"]
    notification = endpoint.wait_for(2)[1]
    assert notification.headers["x-amz-sns-message-type"] == "Notification"
    assert notification.headers["x-amz-sns-message-id"] == message_id
    assert notification.headers["x-amz-sns-topic-arn"] == topic
    assert notification.headers["x-amz-sns-subscription-arn"] == arn
    body = notification.json()
    assert (body["Type"], body["Message"], body["Subject"]) == ("Notification", "hello", "s")
    assert body["MessageAttributes"] == {"a": {"Type": "String", "Value": "b"}}
    assert envelope.verify(body, aws.emulator.service("sns").signing_certificate_pem())  # type: ignore[attr-defined]
    service = aws.emulator.service("sns")
    assert service.wait_for_deliveries(10)  # type: ignore[attr-defined]
    records = service.snapshot(aws.account, aws.region).sent_messages
    delivered = [r for r in records if r.kind == "Notification"]
    assert [(r.status, r.status_code, r.subscription_arn) for r in delivered] == [("delivered", 200, arn)]


def test_raw_http_delivery_posts_the_message_itself(sns: Any, endpoint: Endpoint) -> None:
    topic, _ = _subscribe_and_confirm(sns, endpoint, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="just the text")
    raw = endpoint.wait_for(2)[1]
    assert raw.body == "just the text"
    assert raw.headers["x-amz-sns-rawdelivery"] == "true"


def test_failed_http_delivery_is_recorded(sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    topic, _ = _subscribe_and_confirm(sns, endpoint)
    endpoint.status = 500
    message_id = sns.publish(TopicArn=topic, Message="boom")["MessageId"]
    service = aws.emulator.service("sns")

    def outcome() -> tuple[str, int | None, str | None]:
        assert service.wait_for_deliveries(10)  # type: ignore[attr-defined]
        [record] = [r for r in service.snapshot(aws.account, aws.region).sent_messages if r.message_id == message_id]
        return record.status, record.status_code, record.error

    assert outcome() == ("pending", 500, "HTTP 500")  # the default delivery policy retries 3 times
    for _ in range(3):
        aws.emulator.clock.advance(20)
        outcome()
    assert outcome() == ("failed", 500, "HTTP 500")


def test_unreachable_endpoint_is_recorded_not_raised(sns: Any, aws: Harness) -> None:
    topic = sns.create_topic(Name="web")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/nowhere")
    service = aws.emulator.service("sns")
    assert service.wait_for_deliveries(10)  # type: ignore[attr-defined]
    [record] = service.snapshot(aws.account, aws.region).sent_messages
    assert record.kind == "SubscriptionConfirmation" and record.status == "failed" and record.error


def test_unsubscribe_sends_unsubscribe_confirmation(sns: Any, endpoint: Endpoint) -> None:
    topic, arn = _subscribe_and_confirm(sns, endpoint)
    sns.unsubscribe(SubscriptionArn=arn)
    goodbye = endpoint.wait_for(2)[1]
    assert goodbye.headers["x-amz-sns-message-type"] == "UnsubscribeConfirmation"
    assert goodbye.json()["Type"] == "UnsubscribeConfirmation"
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_confirm_with_a_wrong_token_is_invalid(sns: Any, endpoint: Endpoint) -> None:
    topic = sns.create_topic(Name="web")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    endpoint.wait_for(1)
    with pytest.raises(ClientError) as exc_info:
        sns.confirm_subscription(TopicArn=topic, Token="nope")
    assert error_code(exc_info) == "InvalidParameter"
    assert error_message(exc_info) == "Invalid parameter: Token"
    assert sns.list_subscriptions()["Subscriptions"][0]["SubscriptionArn"] == "PendingConfirmation"


def test_visiting_subscribe_url_confirms_over_the_server(server: ServerHarness, endpoint: Endpoint) -> None:
    """What a real subscriber does: GET the SubscribeURL of the confirmation message."""
    sns = server.client("sns")
    topic = sns.create_topic(Name="web")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = endpoint.wait_for(1)
    subscribe_url = confirmation.json()["SubscribeURL"]
    assert subscribe_url.startswith(server.endpoint_url + "/?Action=ConfirmSubscription")
    with urllib.request.urlopen(subscribe_url, timeout=10) as response:
        assert response.status == 200
        assert b"<SubscriptionArn>arn:aws:sns:us-east-1:" in response.read()
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"].startswith(topic + ":")
    sns.publish(TopicArn=topic, Message="confirmed by GET")
    notification = endpoint.wait_for(2)[1]
    unsubscribe_url = notification.json()["UnsubscribeURL"]
    with urllib.request.urlopen(unsubscribe_url, timeout=10) as response:
        assert response.status == 200
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_delivery_policy_sets_the_content_type(sns: Any, endpoint: Endpoint) -> None:
    policy = json.dumps({"healthyRetryPolicy": {"numRetries": 1},
                         "requestPolicy": {"headerContentType": "application/json"}})
    topic, _ = _subscribe_and_confirm(sns, endpoint, DeliveryPolicy=policy)
    sns.publish(TopicArn=topic, Message="typed")
    notification = endpoint.wait_for(2)[1]
    assert notification.headers["content-type"] == "application/json"
    assert notification.json()["Message"] == "typed"

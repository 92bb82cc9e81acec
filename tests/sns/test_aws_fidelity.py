"""Where SNS answers differently from what one would guess, hoarfrost answers as AWS does
(issue 15): tag and ARN validation texts, idempotent Unsubscribe, what an SQS subscription
reads back, AWS's UnsubscribeURL, numbers in filter policies, FIFO batches and deleted
platform endpoints."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness, ServerHarness
from tests.sns.conftest import Endpoint, drain, error_code, error_message, make_queue


def test_duplicate_tag_keys_are_refused(sns: Any) -> None:
    tags = [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name="t", Tags=tags)
    assert error_code(excinfo) == "InvalidParameter"
    assert error_message(excinfo) == "Invalid parameter: Duplicated keys are not allowed."
    arn = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.tag_resource(ResourceArn=arn, Tags=tags)
    assert error_message(excinfo) == "Invalid parameter: Duplicated keys are not allowed."
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == []


def test_unsubscribing_an_unknown_subscription_succeeds(sns: Any) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.unsubscribe(SubscriptionArn=f"{topic}:00000000-0000-0000-0000-000000000000")
    arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=arn)
    sns.unsubscribe(SubscriptionArn=arn)  # again: still fine
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    with pytest.raises(ClientError) as excinfo:  # a malformed ARN is still refused
        sns.unsubscribe(SubscriptionArn="nonsense")
    assert error_message(excinfo) == \
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"


@pytest.mark.parametrize(("call", "text"), [
    (lambda sns: sns.get_topic_attributes(TopicArn="foo"),
     "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"),
    (lambda sns: sns.publish(TopicArn="arn:aws:sns", Message="x"),
     "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 3"),
    (lambda sns: sns.subscribe(TopicArn="arn:aws:sns:us-east-1", Protocol="sqs", Endpoint="x"),
     "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 4"),
    (lambda sns: sns.publish(TargetArn="not-an-arn", Message="x"),
     "Invalid parameter: TargetArn Reason: An ARN must have at least 6 elements, not 1"),
])
def test_malformed_topic_arns_answer_aws_texts(sns: Any, call: Any, text: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        call(sns)
    assert (error_code(excinfo), error_message(excinfo)) == ("InvalidParameter", text)


def test_fifo_queue_on_a_standard_topic_message_is_aws_s(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="std")["TopicArn"]
    _, queue_arn = make_queue(sqs, "q.fifo", FifoQueue="true")
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    # AWS writes the prefix twice in this one message.
    assert error_message(excinfo) == ("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can "
                                      "not be subscribed to standard SNS topics")


def test_an_sqs_subscription_is_authenticated_and_names_its_principal(sns: Any, sqs: Any, aws: Harness) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    _, queue_arn = make_queue(sqs, "q")
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    caller = aws.client("sts").get_caller_identity()["Arn"]
    assert attributes["SubscriptionPrincipal"] == caller


def test_unsubscribe_url_is_aws_s_and_works(server: ServerHarness) -> None:
    sns, sqs = server.client("sns"), server.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, queue_arn = make_queue(sqs, "q")
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="hello")
    envelope = json.loads(drain(sqs, url, 1)[0]["Body"])
    link = envelope["UnsubscribeURL"]
    assert link == f"{server.endpoint_url}/?Action=Unsubscribe&SubscriptionArn={arn}"
    with urllib.request.urlopen(link, timeout=10) as response:
        assert response.status == 200
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_unsubscribe_url_in_process_names_aws_host(inprocess: Harness) -> None:
    sns, sqs = inprocess.client("sns"), inprocess.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, queue_arn = make_queue(sqs, "q")
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="hello")
    envelope = json.loads(drain(sqs, url, 1)[0]["Body"])
    assert envelope["UnsubscribeURL"] == \
        f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={arn}"


def _filtered_queue(sns: Any, sqs: Any, policy: dict[str, Any]) -> tuple[str, str]:
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, queue_arn = make_queue(sqs, "q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"})
    return topic, url


def _publish_numbers(sns: Any, topic: str, numbers: list[str]) -> None:
    for number in numbers:
        sns.publish(TopicArn=topic, Message=number,
                    MessageAttributes={"n": {"DataType": "Number", "StringValue": number}})


def test_filter_policy_numbers_compare_to_five_decimal_places(sns: Any, sqs: Any) -> None:
    topic, url = _filtered_queue(sns, sqs, {"n": [{"numeric": ["=", 100]}, 7.5]})
    _publish_numbers(sns, topic, ["100", "100.000001", "100.00001", "99.999999", "7.500004", "7.50001"])
    assert sorted(m["Body"] for m in drain(sqs, url)) == ["100", "100.000001", "7.500004"]


def test_filter_policy_number_ranges(sns: Any, sqs: Any) -> None:
    topic, url = _filtered_queue(sns, sqs, {"n": [{"numeric": [">", 0, "<=", 1.5]}]})
    _publish_numbers(sns, topic, ["0.000001", "0.00001", "1.500009", "1.50001", "2e9"])
    assert sorted(m["Body"] for m in drain(sqs, url)) == ["0.00001", "1.500009"]


@pytest.mark.parametrize("policy", [
    {"n": [{"numeric": [">", -1_000_000_001]}]},
    {"n": [{"numeric": ["<", 1e10]}]},
    {"n": [{"numeric": ["=", 5_000_000_000]}]},
    {"n": [2_000_000_000]},
    {"n": [{"anything-but": [1, 1e10]}]},
])
def test_filter_policy_numbers_outside_aws_range_are_refused(sns: Any, sqs: Any, policy: dict[str, Any]) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    _, queue_arn = make_queue(sqs, "q")
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"FilterPolicy": json.dumps(policy)})
    assert error_code(excinfo) == "InvalidParameter"
    assert error_message(excinfo) == \
        "Invalid parameter: Attributes Reason: FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive"
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps(policy))
    assert error_message(excinfo) == "Invalid parameter: FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive"


def test_anything_but_numbers_compare_to_five_decimal_places(sns: Any, sqs: Any) -> None:
    topic, url = _filtered_queue(sns, sqs, {"n": [{"anything-but": [5]}]})
    _publish_numbers(sns, topic, ["5", "5.000001", "5.00001", "4.99999"])
    assert sorted(m["Body"] for m in drain(sqs, url)) == ["4.99999", "5.00001"]


def test_filter_policy_range_limits_are_inclusive(sns: Any, sqs: Any) -> None:
    topic, url = _filtered_queue(sns, sqs, {"n": [{"numeric": [">=", -1e9, "<=", 1e9]}]})
    _publish_numbers(sns, topic, ["-1000000000", "1000000000", "1000000001"])
    assert sorted(m["Body"] for m in drain(sqs, url)) == ["-1000000000", "1000000000"]


def test_publish_batch_to_fifo_without_group_fails_whole_request(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, queue_arn = make_queue(sqs, "q.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    good = {"Id": "ok", "Message": "a", "MessageGroupId": "g", "MessageDeduplicationId": "1"}
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[good, {"Id": "bad", "Message": "b",
                                                                             "MessageDeduplicationId": "2"}])
    assert error_code(excinfo) == "InvalidParameter"
    assert error_message(excinfo) == "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[good, {"Id": "bad", "Message": "b",
                                                                             "MessageGroupId": "g"}])
    assert error_message(excinfo) == ("Invalid parameter: The topic should either have ContentBasedDeduplication "
                                      "enabled or MessageDeduplicationId provided explicitly")
    assert drain(sqs, url) == []  # not even the good entry was published


def test_subscribing_a_deleted_platform_endpoint_is_refused(sns: Any) -> None:
    application = sns.create_platform_application(Name="app", Platform="GCM",
                                                  Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=application, Token="device")["EndpointArn"]
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
    sns.delete_endpoint(EndpointArn=endpoint)
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
    assert error_code(excinfo) == "InvalidParameter"
    assert error_message(excinfo) == f"Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint {endpoint}"


# -- HTTP/S delivery policies and dead-letter queues -------------------------------------------
def _confirmed_http(sns: Any, endpoint: Endpoint, topic_attributes: dict[str, str] | None = None,
                    **attributes: str) -> tuple[str, str]:
    topic = sns.create_topic(Name="web", Attributes=topic_attributes or {})["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url, Attributes=attributes)
    [confirmation] = endpoint.wait_for(1)
    arn = sns.confirm_subscription(TopicArn=topic, Token=confirmation.json()["Token"])["SubscriptionArn"]
    return topic, arn


def _settle(aws: Harness) -> None:
    """Wait until every queued HTTP attempt was made and its outcome recorded."""
    assert aws.emulator.service("sns").wait_for_deliveries(10)  # type: ignore[attr-defined]


def _notifications(endpoint: Endpoint) -> list[str]:
    return [r.json()["Message"] for r in endpoint.received if r.json()["Type"] == "Notification"]


def test_default_delivery_policy_retries_three_times_twenty_seconds_apart(
        sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    topic, _ = _confirmed_http(sns, endpoint)
    endpoint.status = 500
    sns.publish(TopicArn=topic, Message="hello")
    endpoint.wait_for(2)
    _settle(aws)
    aws.emulator.clock.advance(19)
    _settle(aws)
    assert _notifications(endpoint) == ["hello"]  # not yet: the first retry is 20 seconds on
    for attempts in (2, 3, 4):
        aws.emulator.clock.advance(1 if attempts == 2 else 20)
        endpoint.wait_for(attempts + 1)
        _settle(aws)
        assert len(_notifications(endpoint)) == attempts
    aws.emulator.clock.advance(3600)
    _settle(aws)
    assert len(_notifications(endpoint)) == 4  # 1 attempt + 3 retries, then SNS gives up


def test_a_retry_that_succeeds_stops_the_retries(sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    topic, _ = _confirmed_http(sns, endpoint)
    endpoint.status = 503
    sns.publish(TopicArn=topic, Message="hello")
    endpoint.wait_for(2)
    _settle(aws)
    endpoint.status = 200
    aws.emulator.clock.advance(20)
    endpoint.wait_for(3)
    _settle(aws)
    aws.emulator.clock.advance(3600)
    _settle(aws)
    assert _notifications(endpoint) == ["hello", "hello"]
    sent = aws.emulator.service("sns").snapshot(aws.account, aws.region).sent_messages  # type: ignore[attr-defined]
    assert [m.status for m in sent if m.kind == "Notification"] == ["delivered"]


def test_subscription_delivery_policy_phases(sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    policy = {"healthyRetryPolicy": {"numRetries": 4, "numNoDelayRetries": 1, "numMinDelayRetries": 1,
                                     "numMaxDelayRetries": 1, "minDelayTarget": 5, "maxDelayTarget": 30}}
    topic, _ = _confirmed_http(sns, endpoint, DeliveryPolicy=json.dumps(policy))
    endpoint.status = 500
    sns.publish(TopicArn=topic, Message="hello")
    endpoint.wait_for(3)  # the first attempt and the immediate retry
    _settle(aws)
    assert len(_notifications(endpoint)) == 2
    aws.emulator.clock.advance(5)  # pre-backoff: minDelayTarget
    endpoint.wait_for(4)
    _settle(aws)
    aws.emulator.clock.advance(29)
    _settle(aws)
    assert len(_notifications(endpoint)) == 3
    aws.emulator.clock.advance(1)  # the one backoff retry reaches maxDelayTarget
    endpoint.wait_for(5)
    _settle(aws)
    aws.emulator.clock.advance(30)  # post-backoff: maxDelayTarget
    endpoint.wait_for(6)
    _settle(aws)
    aws.emulator.clock.advance(3600)
    _settle(aws)
    assert len(_notifications(endpoint)) == 5


def test_topic_policy_can_forbid_subscription_overrides(sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    topic_policy = {"http": {"defaultHealthyRetryPolicy": {"numRetries": 0}, "disableSubscriptionOverrides": True}}
    own = {"healthyRetryPolicy": {"numRetries": 5, "numNoDelayRetries": 5}}
    topic, _ = _confirmed_http(sns, endpoint, {"DeliveryPolicy": json.dumps(topic_policy)},
                               DeliveryPolicy=json.dumps(own))
    endpoint.status = 500
    sns.publish(TopicArn=topic, Message="hello")
    endpoint.wait_for(2)
    _settle(aws)
    aws.emulator.clock.advance(3600)
    _settle(aws)
    assert _notifications(endpoint) == ["hello"]


def test_client_errors_are_not_retried_and_go_to_the_dead_letter_queue(
        sns: Any, sqs: Any, endpoint: Endpoint, aws: Harness) -> None:
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    topic, _ = _confirmed_http(sns, endpoint, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
    endpoint.status = 404
    sns.publish(TopicArn=topic, Message="lost")
    endpoint.wait_for(2)
    _settle(aws)
    aws.emulator.clock.advance(3600)
    _settle(aws)
    assert _notifications(endpoint) == ["lost"]
    [dead] = drain(sqs, dlq_url, 1)
    body = json.loads(dead["Body"])
    assert (body["Type"], body["Message"], body["TopicArn"]) == ("Notification", "lost", topic)


def test_exhausted_retries_send_the_message_to_the_dead_letter_queue(
        sns: Any, sqs: Any, endpoint: Endpoint, aws: Harness) -> None:
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    policy = {"healthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 10, "maxDelayTarget": 10}}
    topic, _ = _confirmed_http(sns, endpoint, DeliveryPolicy=json.dumps(policy),
                               RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}), RawMessageDelivery="true")
    endpoint.status = 500
    sns.publish(TopicArn=topic, Message="raw body",
                MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    endpoint.wait_for(2)
    _settle(aws)
    assert drain(sqs, dlq_url) == []  # still retrying
    aws.emulator.clock.advance(10)
    endpoint.wait_for(3)
    _settle(aws)
    [dead] = drain(sqs, dlq_url, 1)
    assert dead["Body"] == "raw body"
    assert dead["MessageAttributes"]["k"]["StringValue"] == "v"


def test_unsubscribing_stops_pending_retries(sns: Any, endpoint: Endpoint, aws: Harness) -> None:
    topic, arn = _confirmed_http(sns, endpoint)
    endpoint.status = 500
    sns.publish(TopicArn=topic, Message="hello")
    endpoint.wait_for(2)
    _settle(aws)
    sns.unsubscribe(SubscriptionArn=arn)
    endpoint.wait_for(3)  # the UnsubscribeConfirmation
    aws.emulator.clock.advance(3600)
    _settle(aws)
    assert _notifications(endpoint) == ["hello"]


@pytest.mark.parametrize(("name", "value", "detail"), [
    ("FilterPolicyScope", "Everything",
     "FilterPolicyScope: Invalid value [Everything]. Please use either MessageBody or MessageAttributes"),
    ("RedrivePolicy", "{not json", "RedrivePolicy: failed to parse JSON."),
    ("RedrivePolicy", json.dumps({"deadLetterTargetArn": "queue"}), "RedrivePolicy: deadLetterTargetArn is an invalid arn"),
    ("Colour", "blue", "AttributeName"),
])
def test_subscription_attribute_errors_are_worded_per_operation(sns: Any, sqs: Any, name: str, value: str,
                                                                 detail: str) -> None:
    topic = sns.create_topic(Name="t")["TopicArn"]
    _, queue_arn = make_queue(sqs, "q")
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={name: value})
    assert (error_code(excinfo), error_message(excinfo)) == \
        ("InvalidParameter", f"Invalid parameter: Attributes Reason: {detail}")
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=name, AttributeValue=value)
    assert (error_code(excinfo), error_message(excinfo)) == ("InvalidParameter", f"Invalid parameter: {detail}")


def test_a_lambda_subscription_to_a_missing_function_goes_to_the_dead_letter_queue(
        sns: Any, sqs: Any, aws: Harness) -> None:
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=f"arn:aws:lambda:us-east-1:{aws.account}:function:gone",
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sns.publish(TopicArn=topic, Message="for nobody")
    [dead] = drain(sqs, dlq_url, 1)
    event = json.loads(dead["Body"])
    assert event["Records"][0]["Sns"]["Message"] == "for nobody"


def test_a_disabled_platform_endpoint_sends_to_the_dead_letter_queue(sns: Any, sqs: Any) -> None:
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    application = sns.create_platform_application(Name="app", Platform="GCM",
                                                  Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=application, Token="device")["EndpointArn"]
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sns.publish(TopicArn=topic, Message="delivered")
    assert drain(sqs, dlq_url) == []
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    sns.publish(TopicArn=topic, Message="undeliverable")
    [dead] = drain(sqs, dlq_url, 1)
    assert dead["Body"] == "undeliverable"

"""Lambda with the rest of hoarfrost: a function's own boto3 calls, asynchronous retries into a
dead-letter queue, SNS deliveries, log subscriptions, and no worker outliving its emulator."""

from __future__ import annotations

import base64
import gzip
import json
import os

import hoarfrost
from tests.harness import Harness
from tests.lambda_.conftest import create

SENDS_TO_SQS = '''
import boto3, json

def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=event["queue"])["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"from": context.function_name}))
    return {"sent": True, "caller": boto3.client("sts").get_caller_identity()["Arn"]}
'''

RECORDS = '''
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    return None
'''


def test_a_function_calls_sqs_through_boto3(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    create(lam, "sender", SENDS_TO_SQS, Timeout=30)
    response = lam.invoke(FunctionName="sender", Payload=json.dumps({"queue": "inbox"}))
    # The function's calls carry its execution role's temporary credentials.
    assert json.loads(response["Payload"].read()) == {
        "sent": True, "caller": f"arn:aws:sts::{aws.account}:assumed-role/lambda-role/sender"}, response
    messages = sqs.receive_message(QueueUrl=url).get("Messages", [])
    assert [json.loads(m["Body"]) for m in messages] == [{"from": "sender"}]


def test_async_failures_are_retried_then_dead_lettered(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    create(lam, "flaky", "def handler(event, context):\n    print('attempt')\n    raise RuntimeError('nope')\n",
           DeadLetterConfig={"TargetArn": dlq})
    lam.invoke(FunctionName="flaky", InvocationType="Event", Payload=b'{"order": 1}')
    service = aws.emulator.service("lambda")
    assert service.wait_for_invocations(20)
    for delay in (60, 120):  # AWS's waits before the second and the third attempt
        aws.emulator.clock.advance(delay)
        assert service.wait_for_invocations(20)
    messages = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"]).get("Messages", [])
    assert len(messages) == 1 and json.loads(messages[0]["Body"]) == {"order": 1}
    attributes = messages[0]["MessageAttributes"]
    assert attributes["ErrorMessage"]["StringValue"] == "nope" and attributes["RequestID"]["StringValue"]
    attempts = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/flaky", filterPattern="attempt")
    assert len(attempts["events"]) == 3  # the first try and two retries


def test_sns_publish_reaches_a_function(aws: Harness) -> None:
    lam, sns = aws.client("lambda"), aws.client("sns")
    arn = create(lam, "subscriber", RECORDS)
    topic = sns.create_topic(Name="news")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="hello lambda", Subject="s")
    assert aws.emulator.service("lambda").wait_for_invocations(10)
    events = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/subscriber", filterPattern="EVENT")
    assert len(events["events"]) == 1
    event = json.loads(events["events"][0]["message"][len("EVENT "):])
    record = event["Records"][0]
    assert record["EventSource"] == "aws:sns" and record["Sns"]["Message"] == "hello lambda"
    assert record["Sns"]["TopicArn"] == topic


def test_log_subscription_filters_invoke_a_function(aws: Harness) -> None:
    lam, logs = aws.client("lambda"), aws.client("logs")
    arn = create(lam, "sink", RECORDS)
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="s")
    logs.put_subscription_filter(logGroupName="app", filterName="errors", filterPattern="ERROR", destinationArn=arn)
    assert logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"][0]["destinationArn"] == arn
    now = aws.emulator.clock.millis()
    logs.put_log_events(logGroupName="app", logStreamName="s", logEvents=[
        {"timestamp": now, "message": "INFO fine"}, {"timestamp": now + 1, "message": "ERROR broken"}])
    assert aws.emulator.service("lambda").wait_for_invocations(10)
    events = logs.filter_log_events(logGroupName="/aws/lambda/sink", filterPattern="EVENT")["events"]
    assert len(events) == 1
    event = json.loads(events[0]["message"][len("EVENT "):])
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    assert data["logGroup"] == "app" and data["logStream"] == "s" and data["subscriptionFilters"] == ["errors"]
    assert [e["message"] for e in data["logEvents"]] == ["ERROR broken"]


def test_no_worker_outlives_its_emulator() -> None:
    with hoarfrost.mock_aws() as emulator:
        import boto3

        lam = boto3.client("lambda", region_name="us-east-1")
        create(lam, "w", "def handler(e, c):\n    return 1\n")
        lam.invoke(FunctionName="w")
        pids = emulator.service("lambda").worker_pids()
        assert len(pids) == 1 and _alive(pids[0])
    assert not _alive(pids[0])


def test_reset_stops_workers(aws: Harness) -> None:
    lam = aws.client("lambda")
    create(lam, "w", "def handler(e, c):\n    return 1\n")
    lam.invoke(FunctionName="w")
    pids = aws.emulator.service("lambda").worker_pids()
    assert len(pids) == 1
    aws.emulator.reset()
    assert not _alive(pids[0]) and aws.emulator.service("lambda").worker_pids() == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) is not alive either.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except OSError:
        return False

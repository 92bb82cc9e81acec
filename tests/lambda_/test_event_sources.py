"""SQS event source mappings: batches invoke the function, successes are deleted, reported
item failures come back and follow the queue's redrive policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import code, create

PARTIAL = '''
import json

def handler(event, context):
    failures = []
    for record in event["Records"]:
        print("BODY " + record["body"])
        if record["body"].startswith("bad"):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
'''


def _queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_sqs_mapping_with_partial_batch_failure(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    dlq_url, dlq_arn = _queue(sqs, "dlq")
    url, arn = _queue(sqs, "work", VisibilityTimeout="30",
                      RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}))
    for body in ("ok-1", "bad-1", "ok-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    create(lam, "worker", PARTIAL)
    poller = aws.emulator.service("lambda").poller
    before = poller.batches  # the server's emulator counts every test's batches
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    assert mapping["State"] == "Creating" and mapping["BatchSize"] == 10
    assert poller.wait_for_batches(before + 1, 20)
    got = lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert got["State"] == "Enabled" and got["LastProcessingResult"] == "OK"
    # The two good messages were deleted; the bad one is in flight until its visibility timeout.
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == ("0", "1")
    aws.emulator.clock.advance(31)
    # Received again, its count passes maxReceiveCount: SQS moves it to the dead-letter queue.
    deadline_batches = poller.batches
    for _ in range(200):
        messages = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0).get("Messages", [])
        if messages:
            break
        poller.wait_for_batches(deadline_batches + 1, 0.05)
    assert [m["Body"] for m in messages] == ["bad-1"]
    bodies = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/worker", filterPattern="BODY")["events"]
    assert sorted(e["message"].strip() for e in bodies) == ["BODY bad-1", "BODY ok-1", "BODY ok-2"]
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Disabled"
    assert [m["UUID"] for m in lam.list_event_source_mappings(FunctionName="worker")["EventSourceMappings"]] == [
        mapping["UUID"]]
    assert lam.delete_event_source_mapping(UUID=mapping["UUID"])["State"] == "Deleting"
    with pytest.raises(ClientError) as exc:
        lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert code(exc) == "ResourceNotFoundException"


def test_a_failed_batch_stays_in_the_queue(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url, arn = _queue(sqs, "fails", VisibilityTimeout="30")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    create(lam, "broken", "def handler(event, context):\n    raise ValueError('no')\n")
    poller = aws.emulator.service("lambda").poller
    before = poller.batches
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="broken", BatchSize=1)
    assert poller.wait_for_batches(before + 1, 20)
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"].startswith("PROBLEM")


def test_mapping_validation(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    _, arn = _queue(sqs, "q")
    create(lam, "f", "def handler(e, c):\n    return None\n")
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn + "-missing", FunctionName="f")
    assert code(exc) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="f", BatchSize=50)
    assert code(exc) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="nope")
    assert code(exc) == "ResourceNotFoundException"
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="f", Enabled=False)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="f")
    assert code(exc) == "ResourceConflictException"


def test_filter_criteria_on_an_sqs_mapping_delete_what_they_do_not_pass(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url, arn = _queue(sqs, "orders")
    create(lam, "big-orders", PARTIAL)
    with pytest.raises(ClientError) as raised:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="big-orders",
                                        FilterCriteria={"Filters": [{"Pattern": '{"body": {"amount": [{"numeric": [">"]}]}}'}]})
    assert code(raised) == "InvalidParameterValueException"
    for body in (json.dumps({"amount": 5}), json.dumps({"amount": 500}), "plain text", json.dumps({"amount": 50})):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    poller = aws.emulator.service("lambda").poller
    before = poller.batches
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="big-orders", FilterCriteria={"Filters": [
        {"Pattern": json.dumps({"body": {"amount": [{"numeric": [">=", 50]}]}})},
        {"Pattern": json.dumps({"body": ["plain text"]})}]})
    assert poller.wait_for_batches(before + 1, 20)
    logs = aws.client("logs")
    for _ in range(100):
        bodies = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/big-orders",
                                                               filterPattern='"BODY"')["events"]]
        if len(bodies) == 3:
            break
        poller.wait_for_batches(poller.batches + 1, 0.05)
    assert sorted(b.removeprefix("BODY ").strip() for b in bodies) == sorted(
        [json.dumps({"amount": 500}), "plain text", json.dumps({"amount": 50})])
    # The message no filter matched was deleted, not left for its visibility timeout.
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")

"""Asynchronous invocation settings: retries and destinations, InvokeAsync, account settings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import code, create


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _bodies(sqs: Any, url: str) -> list[Any]:
    return [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
        "Messages", [])]


def test_destinations_receive_invocation_records(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    ok_url, ok_arn = _queue(sqs, "ok")
    bad_url, bad_arn = _queue(sqs, "bad")
    source = "def handler(event, context):\n    print('try')\n    if event.get('fail'):\n" \
             "        raise KeyError('x')\n    return {'done': event['n']}\n"
    arn = create(lam, "dest", source)
    config = lam.put_function_event_invoke_config(
        FunctionName="dest", MaximumRetryAttempts=0,
        DestinationConfig={"OnSuccess": {"Destination": ok_arn}, "OnFailure": {"Destination": bad_arn}})
    assert config["FunctionArn"] == arn + ":$LATEST" and config["MaximumRetryAttempts"] == 0
    assert lam.get_function_event_invoke_config(FunctionName="dest")["DestinationConfig"]["OnFailure"] == {
        "Destination": bad_arn}
    lam.invoke(FunctionName="dest", InvocationType="Event", Payload=b'{"n": 1}')
    lam.invoke(FunctionName="dest", InvocationType="Event", Payload=b'{"n": 2, "fail": true}')
    assert aws.emulator.service("lambda").wait_for_invocations(20)
    [success] = _bodies(sqs, ok_url)
    assert success["requestContext"]["condition"] == "Success" and success["requestPayload"] == {"n": 1}
    assert success["responsePayload"] == {"done": 1} and success["responseContext"]["statusCode"] == 200
    [failure] = _bodies(sqs, bad_url)
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 1
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert failure["responsePayload"]["errorType"] == "KeyError"
    tries = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/dest", filterPattern="try")["events"]
    assert len(tries) == 2  # no retry: MaximumRetryAttempts is 0

    lam.update_function_event_invoke_config(FunctionName="dest", MaximumEventAgeInSeconds=120)
    listed = lam.list_function_event_invoke_configs(FunctionName="dest")["FunctionEventInvokeConfigs"]
    assert [(c["MaximumRetryAttempts"], c["MaximumEventAgeInSeconds"]) for c in listed] == [(0, 120)]
    lam.delete_function_event_invoke_config(FunctionName="dest")
    with pytest.raises(ClientError) as exc:
        lam.get_function_event_invoke_config(FunctionName="dest")
    assert code(exc) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        lam.put_function_event_invoke_config(FunctionName="dest", DestinationConfig={
            "OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:123456789012:none"}})
    assert code(exc) == "InvalidParameterValueException"


def test_invoke_async_and_account_settings(aws: Harness) -> None:
    lam = aws.client("lambda")
    create(lam, "old", "def handler(event, context):\n    print('legacy', event['v'])\n")
    assert lam.invoke_async(FunctionName="old", InvokeArgs=b'{"v": 9}')["Status"] == 202
    assert aws.emulator.service("lambda").wait_for_invocations(10)
    found = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/old", filterPattern="legacy")["events"]
    assert [e["message"].strip() for e in found] == ["legacy 9"]
    lam.put_function_concurrency(FunctionName="old", ReservedConcurrentExecutions=10)
    settings = lam.get_account_settings()
    assert settings["AccountUsage"]["FunctionCount"] == 1 and settings["AccountUsage"]["TotalCodeSize"] > 0
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 990

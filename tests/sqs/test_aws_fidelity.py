"""Where SQS answers differently from what one would guess, hoarfrost answers as AWS does
(issue 15): the json wire's namespaced error types, queue URLs SQS tolerates, FIFO-only
attributes on standard queues, attribute-name patterns, whole-request batch failures and the
query wire's namespace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.sqs.conftest import code
from tests.sqs.query_model import query_client

QUERY_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"


class RawResponses:
    """The last HTTP response a botocore client got, as it arrived (status, headers, body)."""

    def __init__(self, client: Any) -> None:
        self.last: Any = None
        client.meta.events.register("after-call", self._keep)

    def _keep(self, http_response: Any, **_: Any) -> None:
        self.last = http_response


def test_json_errors_carry_namespaced_types_and_query_codes(sqs_json: Any) -> None:
    raw = RawResponses(sqs_json)
    with pytest.raises(sqs_json.exceptions.QueueDoesNotExist) as excinfo:
        sqs_json.get_queue_url(QueueName="missing")
    assert raw.last.status_code == 400
    assert json.loads(raw.last.content)["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"
    assert raw.last.headers["x-amzn-errortype"] == "com.amazonaws.sqs#QueueDoesNotExist"
    assert raw.last.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    # What boto3 reports: the query code as Code, the modelled name as QueryErrorCode.
    assert excinfo.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert excinfo.value.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"


@pytest.mark.parametrize(("call", "json_type", "query_code"), [
    (lambda c, url: c.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901),
     "InvalidParameterValueException", "InvalidParameterValue"),
    (lambda c, url: c.send_message(QueueUrl=url, MessageBody=""),
     "MissingRequiredParameterException", "MissingParameter"),
])
def test_unmodelled_json_errors_use_aws_names(sqs_json: Any, call: Any, json_type: str, query_code: str) -> None:
    url = sqs_json.create_queue(QueueName="q")["QueueUrl"]
    raw = RawResponses(sqs_json)
    with pytest.raises(ClientError) as excinfo:
        call(sqs_json, url)
    assert json.loads(raw.last.content)["__type"] == f"com.amazonaws.sqs#{json_type}"
    assert raw.last.headers["x-amzn-query-error"] == f"{query_code};Sender"
    assert excinfo.value.response["Error"]["Code"] == query_code
    assert excinfo.value.response["Error"]["QueryErrorCode"] == json_type


def test_query_wire_uses_the_queue_namespace(aws: Harness, query_model_dir: Path) -> None:
    if getattr(aws, "direct", False):
        pytest.skip("reads the raw answer on the wire, which direct mode never writes")
    sqs = query_client(aws, query_model_dir)
    raw = RawResponses(sqs)
    sqs.create_queue(QueueName="q")
    assert ElementTree.fromstring(raw.last.content).tag == f"{{{QUERY_NAMESPACE}}}CreateQueueResponse"
    with pytest.raises(ClientError):
        sqs.get_queue_url(QueueName="missing")
    assert ElementTree.fromstring(raw.last.content).tag == f"{{{QUERY_NAMESPACE}}}ErrorResponse"


@pytest.mark.parametrize("url", [
    "https://sqs.us-east-1.amazonaws.com/not-an-account/q",
    "https://sqs.us-east-1.amazonaws.com/",
    "http://localhost:4566/q/",
    "not a url/",
])
def test_a_malformed_queue_url_is_a_queue_that_does_not_exist(sqs: Any, url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert code(excinfo) == "AWS.SimpleQueueService.NonExistentQueue"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_bare_queue_name_works_as_a_queue_url(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="by-name")["QueueUrl"]
    sqs.send_message(QueueUrl="by-name", MessageBody="hello")
    assert sqs.get_queue_attributes(QueueUrl="by-name", AttributeNames=["QueueArn"])["Attributes"]["QueueArn"] \
        .endswith(":by-name")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hello"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl="no-such-queue", MessageBody="x")
    assert code(excinfo) == "AWS.SimpleQueueService.NonExistentQueue"


def test_fifo_queue_false_is_an_unknown_attribute_on_a_standard_queue(sqs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="plain", Attributes={"FifoQueue": "false"})
    assert code(excinfo) == "InvalidAttributeName"
    assert excinfo.value.response["Error"]["Message"] == "Unknown Attribute FifoQueue."
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="plain", Attributes={"ContentBasedDeduplication": "false"})
    assert excinfo.value.response["Error"]["Message"] == "Unknown Attribute ContentBasedDeduplication."
    assert "QueueUrls" not in sqs.list_queues()


@pytest.mark.parametrize(("name", "value"), [("DeduplicationScope", "queue"),
                                             ("FifoThroughputLimit", "perQueue")])
def test_high_throughput_attributes_need_a_fifo_queue(sqs: Any, name: str, value: str) -> None:
    expected = f"You can specify the {name} only when FifoQueue is set to true."
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="plain", Attributes={name: value})
    assert code(excinfo) == "InvalidAttributeName"
    assert excinfo.value.response["Error"]["Message"] == expected
    url = sqs.create_queue(QueueName="plain")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
    assert (code(excinfo), excinfo.value.response["Error"]["Message"]) == ("InvalidAttributeName", expected)


def test_message_attribute_name_patterns(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    names = ("Hello", "Help.Me", "Other", "He")
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={
        name: {"DataType": "String", "StringValue": name} for name in names})

    def received(pattern: list[str]) -> list[str]:
        messages = sqs.receive_message(QueueUrl=url, MessageAttributeNames=pattern, VisibilityTimeout=0)["Messages"]
        return sorted(messages[0].get("MessageAttributes", {}))

    assert received(["*"]) == sorted(names)
    assert received(["All"]) == sorted(names)
    assert received(["Hel.*"]) == ["Hello", "Help.Me"]
    assert received(["Help.*"]) == ["Help.Me"]
    assert received(["Other", "Hel.*"]) == ["Hello", "Help.Me", "Other"]
    assert received(["Nothing.*"]) == []


def test_a_batch_over_one_mebibyte_in_total_is_refused_whole(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    # Each entry alone is too large for this queue; their total is over the batch limit first.
    entries = [{"Id": str(i), "MessageBody": "x" * 300_000} for i in range(4)]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert code(excinfo) == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert excinfo.value.response["Error"]["Message"] == \
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."


def test_a_fifo_batch_entry_without_group_or_dedup_id_fails_the_request(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    good = {"Id": "ok", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[good, {"Id": "no-group", "MessageBody": "y",
                                                             "MessageDeduplicationId": "2"}])
    assert code(excinfo) == "MissingParameter"
    assert excinfo.value.response["Error"]["Message"] == "The request must contain the parameter MessageGroupId."
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[good, {"Id": "no-dedup", "MessageBody": "y",
                                                             "MessageGroupId": "g"}])
    assert code(excinfo) == "InvalidParameterValue"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # nothing of either batch was sent

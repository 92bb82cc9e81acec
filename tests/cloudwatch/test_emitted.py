"""Metrics hoarfrost's own services emit for free, as AWS does: AWS/SQS message counts per queue
and AWS/Lambda invocations, errors and duration per function (through ``core.ports``)."""

from __future__ import annotations

from typing import Any

from tests.cloudwatch.conftest import minute
from tests.harness import Harness
from tests.lambda_.conftest import create


def _sum(cw: Any, aws: Harness, namespace: str, name: str, dimensions: list[dict[str, str]],
         statistic: str = "Sum") -> float | None:
    points = cw.get_metric_statistics(Namespace=namespace, MetricName=name, Dimensions=dimensions,
                                      StartTime=minute(aws, 5), EndTime=minute(aws, -1), Period=3600,
                                      Statistics=[statistic])["Datapoints"]
    return points[0][statistic] if points else None


def test_sqs_queue_metrics(cw: Any, aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="12345")
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(3)])
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                    for i, m in enumerate(received[1:])])
    sqs.receive_message(QueueUrl=url)
    queue = [{"Name": "QueueName", "Value": "work"}]
    assert _sum(cw, aws, "AWS/SQS", "NumberOfMessagesSent", queue) == 4.0
    assert _sum(cw, aws, "AWS/SQS", "NumberOfMessagesReceived", queue) == float(len(received))
    assert _sum(cw, aws, "AWS/SQS", "NumberOfMessagesDeleted", queue) == float(len(received))
    assert _sum(cw, aws, "AWS/SQS", "NumberOfEmptyReceives", queue) == 1.0
    assert _sum(cw, aws, "AWS/SQS", "SentMessageSize", queue, "Maximum") == 5.0
    listed = {metric["MetricName"] for metric in cw.list_metrics(Namespace="AWS/SQS")["Metrics"]}
    assert {"NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted"} <= listed


def test_lambda_invocation_metrics(cw: Any, aws: Harness) -> None:
    lam = aws.client("lambda")
    create(lam, "flaky", "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('no')\n"
                         "    return 1\n")
    lam.invoke(FunctionName="flaky", Payload=b"{}")
    lam.invoke(FunctionName="flaky", Payload=b'{"fail": true}')
    function = [{"Name": "FunctionName", "Value": "flaky"}]
    assert _sum(cw, aws, "AWS/Lambda", "Invocations", function) == 2.0
    assert _sum(cw, aws, "AWS/Lambda", "Errors", function) == 1.0
    assert _sum(cw, aws, "AWS/Lambda", "Invocations", []) == 2.0
    duration = _sum(cw, aws, "AWS/Lambda", "Duration", function, "SampleCount")
    assert duration == 2.0

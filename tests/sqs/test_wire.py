"""SQS as other clients reach it over HTTP: query-era form posts to the queue's own URL, and
the AWS CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import requests

from tests.harness import ServerHarness

AUTH = ("AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000")


def form_post(server: ServerHarness, path: str, params: dict[str, str]) -> requests.Response:
    return requests.post(server.http_url(path), data={**params, "Version": "2012-11-05"},
                         headers={"Authorization": AUTH, "X-Amz-Date": "20260101T000000Z"}, timeout=10)


def test_query_post_to_the_queue_url_with_legacy_names(server: ServerHarness) -> None:
    created = form_post(server, "/", {"Action": "CreateQueue", "QueueName": "legacy",
                                      "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45",
                                      "Tag.1.Key": "team", "Tag.1.Value": "q"})
    assert created.status_code == 200, created.text
    url = ElementTree.fromstring(created.content).findtext(".//{*}QueueUrl")
    assert url == f"{server.endpoint_url}/{server.account}/legacy"
    sent = form_post(server, f"/{server.account}/legacy", {
        "Action": "SendMessage", "MessageBody": "hello",
        "MessageAttribute.1.Name": "k", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "v",
    })
    assert sent.status_code == 200, sent.text
    assert ElementTree.fromstring(sent.content).findtext(".//{*}MD5OfMessageBody") == "5d41402abc4b2a76b9719d911017c592"
    received = form_post(server, "/", {"Action": "ReceiveMessage", "QueueUrl": url,
                                       "AttributeName.1": "All", "MessageAttributeName.1": "All"})
    assert received.status_code == 200, received.text
    tree = ElementTree.fromstring(received.content)
    assert tree.findtext(".//{*}Message/{*}Body") == "hello"
    names = [node.text for node in tree.findall(".//{*}Message/{*}Attribute/{*}Name")]
    assert "SentTimestamp" in names and "ApproximateReceiveCount" in names
    attributes = form_post(server, "/", {"Action": "GetQueueAttributes", "QueueUrl": url,
                                         "AttributeName.1": "VisibilityTimeout"})
    assert ElementTree.fromstring(attributes.content).findtext(".//{*}Attribute/{*}Value") == "45"
    missing = form_post(server, "/", {"Action": "GetQueueUrl", "QueueName": "nope"})
    assert missing.status_code == 400
    assert ElementTree.fromstring(missing.content).findtext(".//{*}Code") == "AWS.SimpleQueueService.NonExistentQueue"


def test_aws_cli(server: ServerHarness) -> None:
    cli = Path(sys.executable).parent / "aws"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""}

    def run(*args: str) -> dict[str, object]:
        result = subprocess.run([str(cli), "--endpoint-url", str(server.endpoint_url), "--output", "json",
                                 "sqs", *args], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    url = str(run("create-queue", "--queue-name", "cli")["QueueUrl"])
    run("send-message", "--queue-url", url, "--message-body", "from the cli")
    messages = run("receive-message", "--queue-url", url)["Messages"]
    assert [m["Body"] for m in messages] == ["from the cli"]  # type: ignore[index]

"""What direct mode keeps of botocore's call path and of the pipeline's semantics: hooks after the
call point, retries, paginators, the caller's dicts left alone, IAM enforcement, the switch."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import hoarfrost
from hoarfrost.mock import mock_aws


def _client(service: str) -> Any:
    return boto3.session.Session(region_name="us-east-1").client(service)


def test_direct_mode_sends_nothing() -> None:
    """No request is built to be sent: ``before-send`` never fires, ``after-call`` does."""
    with mock_aws(direct=True):
        sts = _client("sts")
        seen: list[str] = []
        sts.meta.events.register("before-send", lambda **kw: seen.append("before-send"))
        sts.meta.events.register("after-call", lambda parsed, **kw: seen.append(f"after-call {parsed['Account']}"))
        assert sts.get_caller_identity()["Account"] == "123456789012"
    assert seen == ["after-call 123456789012"]


def test_a_stubber_still_answers_first() -> None:
    """botocore's Stubber answers at before-call too; a handler the user registered wins, as on
    the wire path."""
    from botocore.stub import Stubber

    with mock_aws(direct=True):
        sts = _client("sts")
        with Stubber(sts) as stubber:
            stubber.add_response("get_caller_identity", {"Account": "999999999999"})
            assert sts.get_caller_identity()["Account"] == "999999999999"
        assert sts.get_caller_identity()["Account"] == "123456789012"
        # A plain registration too (botocore queues it before the built-in last ones).
        from botocore.awsrequest import AWSResponse

        canned = (AWSResponse("https://sts", 200, {}, None), {"Account": "888888888888"})
        sts.meta.events.register("before-call", lambda **kw: canned)
        assert sts.get_caller_identity()["Account"] == "888888888888"


def test_wire_mode_still_sends() -> None:
    with mock_aws(direct=False):
        sts = _client("sts")
        seen: list[str] = []
        sts.meta.events.register("before-send", lambda **kw: seen.append("before-send"))
        sts.get_caller_identity()
    assert seen == ["before-send"]


def test_the_environment_turns_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOARFROST_DIRECT", "1")
    assert mock_aws().direct is True
    assert mock_aws(direct=False).direct is False
    monkeypatch.setenv("HOARFROST_DIRECT", "0")
    assert mock_aws().direct is False


def test_retries_follow_the_retry_handlers() -> None:
    with mock_aws(direct=True):
        sqs = _client("sqs")
        calls: list[int] = []

        def retry_once(attempts: int, **_: Any) -> float | None:
            calls.append(attempts)
            return 0 if attempts == 1 else None

        sqs.meta.events.register_first("needs-retry.sqs.ListQueues", retry_once)
        answer = sqs.list_queues()
    assert calls == [1, 2]
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1


def test_an_error_is_the_same_client_error() -> None:
    with mock_aws(direct=True):
        sqs = _client("sqs")
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
            sqs.get_queue_url(QueueName="missing")
    error = caught.value.response
    assert error["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_hoarfrost_validation_answers_as_on_the_wire() -> None:
    """botocore's own checks pass (a name of the right length); hoarfrost's model checks answer."""
    with mock_aws(direct=True), pytest.raises(ClientError) as caught:
        _client("secretsmanager").create_secret(Name="x", SecretString="s", KmsKeyId="k" * 2049)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "kmsKeyId" in caught.value.response["Error"]["Message"]


def test_the_callers_dicts_are_not_the_emulators() -> None:
    """A handler keeps what it is given; the caller's later edits must not reach the state."""
    with mock_aws(direct=True):
        ddb = _client("dynamodb")
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        item = {"pk": {"S": "a"}, "v": {"L": [{"S": "one"}]}}
        ddb.put_item(TableName="t", Item=item)
        item["v"]["L"].append({"S": "two"})
        stored = ddb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"]
        stored["v"]["L"].clear()
        assert ddb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"]["v"] == {"L": [{"S": "one"}]}


def test_paginators_and_waiters_work_unchanged() -> None:
    with mock_aws(direct=True):
        s3 = _client("s3")
        s3.create_bucket(Bucket="pages")
        s3.get_waiter("bucket_exists").wait(Bucket="pages")
        for n in range(7):
            s3.put_object(Bucket="pages", Key=f"k{n} +", Body=b"x")
        pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="pages", PaginationConfig={"PageSize": 3}))
        assert [len(page["Contents"]) for page in pages] == [3, 3, 1]
        assert pages[0]["Contents"][0]["Key"] == "k0 +"  # url-decoded by botocore's after-call
        assert s3.get_object(Bucket="pages", Key="k1 +")["Body"].read() == b"x"


def test_credentials_pick_the_account_and_iam_is_enforced() -> None:
    with mock_aws(direct=True, enforce_iam=True) as emulator:
        iam = _client("iam")
        iam.create_user(UserName="alice")
        key = iam.create_access_key(UserName="alice")["AccessKey"]
        alice = boto3.session.Session(aws_access_key_id=key["AccessKeyId"],
                                      aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1")
        assert alice.client("sts").get_caller_identity()["Arn"].endswith(":user/alice")
        with pytest.raises(ClientError) as caught:
            alice.client("sns").list_topics()
        assert caught.value.response["Error"]["Code"] == "AccessDenied"
        assert "sns:ListTopics" in caught.value.response["Error"]["Message"]
        iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}]}))
        assert alice.client("sns").list_topics()["Topics"] == []
        other = boto3.session.Session(aws_access_key_id="AKIA" + "1" * 12 + "0000", aws_secret_access_key="x",
                                      region_name="eu-west-1")
        assert other.client("sts").get_caller_identity()["Account"] == emulator.settings.default_account


def test_notifications_and_after_commit_work_run() -> None:
    """SNS delivers to SQS after its handler committed; listeners hear of the change."""
    with mock_aws(direct=True) as emulator:
        changes: list[str] = []
        emulator.subscribe(lambda change: changes.append(change.operation))
        sqs, sns = _client("sqs"), _client("sns")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        topic = sns.create_topic(Name="t")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:123456789012:q")
        sns.publish(TopicArn=topic, Message="hi")
        body = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
        assert body["Message"] == "hi"
        assert "CreateQueue" in changes and "Publish" in changes


def test_nested_blocks_take_the_innermost_mode() -> None:
    with mock_aws(direct=True):
        with mock_aws(direct=False):
            sts = _client("sts")
            sent: list[int] = []
            sts.meta.events.register("before-send", lambda **kw: sent.append(1))
            sts.get_caller_identity()
            assert sent == [1]
        sts.get_caller_identity()
        assert sent == [1]
    assert hoarfrost.mock.active_emulator() is None


def test_calls_whose_body_botocore_rewrites_keep_the_wire() -> None:
    """EC2's CopySnapshot gets a presigned URL in its serialised body at before-call."""
    from hoarfrost import direct

    assert ("ec2", "CopySnapshot") in direct._WIRE_ONLY and ("rds", "CopyDBSnapshot") in direct._WIRE_ONLY
    with mock_aws(direct=True):
        ec2 = _client("ec2")
        sent: list[str] = []
        ec2.meta.events.register("before-send", lambda **kw: sent.append("sent"))
        try:
            ec2.copy_snapshot(SourceRegion="us-west-2", SourceSnapshotId="snap-12345678")
        except ClientError:
            pass
        ec2.describe_vpcs()
    assert sent == ["sent"]

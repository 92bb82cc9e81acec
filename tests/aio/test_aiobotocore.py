"""aiobotocore clients inside mock_aws(): answered in-process with aiobotocore's own response
types, streaming bodies read with ``await``, errors raised as ``ClientError``.

aiobotocore pins botocore to a narrow range, so these tests run in their own virtual
environment (``.venv-aio``, made by ``make test``); elsewhere the module is skipped.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

pytest.importorskip("aiobotocore")

import botocore.exceptions  # noqa: E402
from aiobotocore.awsrequest import AioAWSResponse  # noqa: E402
from aiobotocore.config import AioConfig  # noqa: E402
from aiobotocore.session import get_session  # noqa: E402

import hoarfrost  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"
T = TypeVar("T")

# Tests want the first answer, not retries with back-off.
NO_RETRIES = AioConfig(retries={"total_max_attempts": 1, "mode": "standard"})


def client(service: str) -> Any:
    """An aiobotocore client, to be entered with ``async with``."""
    return get_session().create_client(service, region_name=REGION, config=NO_RETRIES)


def run_mocked(main: Callable[[], Awaitable[T]]) -> T:
    with hoarfrost.mock_aws():
        return asyncio.run(main())  # type: ignore[arg-type]


def test_sts_get_caller_identity() -> None:
    async def main() -> dict[str, Any]:
        async with client("sts") as sts:
            return await sts.get_caller_identity()

    identity = run_mocked(main)
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"].startswith(f"arn:aws:iam::{ACCOUNT}:")
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_the_answer_is_aiobotocores_response_type() -> None:
    seen: list[Any] = []

    def keep(http_response: Any, **_: Any) -> None:
        seen.append(http_response)

    async def main() -> None:
        async with client("sqs") as sqs:
            sqs.meta.events.register("after-call.sqs.ListQueues", keep)
            await sqs.list_queues()

    run_mocked(main)
    [response] = seen
    assert isinstance(response, AioAWSResponse)
    assert response.status_code == 200


def test_sqs_create_send_receive_delete() -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[str]]:
        async with client("sqs") as sqs:
            url = (await sqs.create_queue(QueueName="jobs"))["QueueUrl"]
            sent = await sqs.send_message(QueueUrl=url, MessageBody="hello from asyncio")
            received = await sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            handle = received["Messages"][0]["ReceiptHandle"]
            await sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
            after = await sqs.receive_message(QueueUrl=url)
            queues = (await sqs.list_queues())["QueueUrls"]
            return sent, received, after, queues

    with hoarfrost.mock_aws() as aws:
        sent, received, after, queues = asyncio.run(main())
        view = aws.service("sqs").snapshot(ACCOUNT, REGION)
    assert queues == [f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/jobs"]
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello from asyncio").hexdigest()
    [message] = received["Messages"]
    assert message["Body"] == "hello from asyncio"
    assert message["MessageId"] == sent["MessageId"]
    assert "Messages" not in after
    assert len(view.queues) == 1


def test_s3_put_and_get_with_an_awaited_streaming_body() -> None:
    async def main() -> tuple[bytes, bytes, bytes, dict[str, Any]]:
        async with client("s3") as s3:
            await s3.create_bucket(Bucket="aio-bucket")
            # aiobotocore wraps this body in its async aws-chunked checksum wrapper.
            await s3.put_object(Bucket="aio-bucket", Key="greeting.txt", Body=b"hello, async world")
            whole = await s3.get_object(Bucket="aio-bucket", Key="greeting.txt")
            async with whole["Body"] as stream:
                data = await stream.read()
            parts = await s3.get_object(Bucket="aio-bucket", Key="greeting.txt")
            head, rest = await parts["Body"].read(5), await parts["Body"].read()
            listing = await s3.list_objects_v2(Bucket="aio-bucket")
            return data, head, rest, listing

    data, head, rest, listing = run_mocked(main)
    assert data == b"hello, async world"
    assert (head, rest) == (b"hello", b", async world")
    assert [(o["Key"], o["Size"]) for o in listing["Contents"]] == [("greeting.txt", 18)]


def test_s3_large_body_in_chunks_with_checksum_validation() -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB

    async def main() -> tuple[bytes, dict[str, Any], bytes]:
        async with client("s3") as s3:
            await s3.create_bucket(Bucket="big")
            await s3.put_object(Bucket="big", Key="blob", Body=payload, ChecksumAlgorithm="SHA256")
            response = await s3.get_object(Bucket="big", Key="blob", ChecksumMode="ENABLED")
            chunks = [chunk async for chunk in response["Body"].iter_chunks(64 * 1024)]
            ranged = await s3.get_object(Bucket="big", Key="blob", Range="bytes=10-19")
            return b"".join(chunks), response, await ranged["Body"].read()

    data, response, ranged = run_mocked(main)
    assert data == payload
    assert response["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(payload).digest()).decode()
    assert ranged == payload[10:20]


def test_errors_are_client_errors_with_the_right_code() -> None:
    async def main() -> tuple[Exception, Exception, Exception]:
        async with client("s3") as s3, client("sqs") as sqs:
            caught: list[Exception] = []
            try:
                await s3.get_object(Bucket="no-such-bucket", Key="k")
            except botocore.exceptions.ClientError as error:
                caught.append(error)
            try:
                await sqs.get_queue_url(QueueName="missing")
            except sqs.exceptions.QueueDoesNotExist as error:
                caught.append(error)
            try:
                await s3.head_bucket(Bucket="no-such-bucket")
            except botocore.exceptions.ClientError as error:
                caught.append(error)
            return caught[0], caught[1], caught[2]

    no_bucket, no_queue, head = run_mocked(main)
    assert isinstance(no_bucket, botocore.exceptions.ClientError)
    assert no_bucket.response["Error"]["Code"] == "NoSuchBucket"
    assert no_bucket.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert isinstance(no_queue, botocore.exceptions.ClientError)
    assert no_queue.response["Error"]["Code"] in ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")
    assert isinstance(head, botocore.exceptions.ClientError)
    assert head.response["Error"]["Code"] == "404"  # HEAD has no body: botocore names it by status


def test_unimplemented_operation_answers_not_implemented() -> None:
    async def main() -> botocore.exceptions.ClientError:
        async with client("dynamodb") as dynamodb:
            try:
                await dynamodb.describe_kinesis_streaming_destination(TableName="t")
            except botocore.exceptions.ClientError as error:
                return error
        raise AssertionError("DescribeKinesisStreamingDestination succeeded")

    error = run_mocked(main).response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "DescribeKinesisStreamingDestination" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_a_long_poll_does_not_stall_the_event_loop() -> None:
    async def main() -> tuple[dict[str, Any], float]:
        async with client("sqs") as sqs:
            url = (await sqs.create_queue(QueueName="waiting"))["QueueUrl"]

            async def send_later() -> None:
                await asyncio.sleep(0.2)
                await sqs.send_message(QueueUrl=url, MessageBody="late")

            started = time.monotonic()
            received, _ = await asyncio.gather(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10), send_later())
            return received, time.monotonic() - started

    received, elapsed = run_mocked(main)
    assert [m["Body"] for m in received["Messages"]] == ["late"]
    assert elapsed < 5


def test_sync_botocore_inside_a_coroutine_still_gets_its_own_response() -> None:
    boto3 = pytest.importorskip("boto3")

    async def main() -> tuple[bytes, bytes]:
        async with client("s3") as s3:
            await s3.create_bucket(Bucket="shared")
            await s3.put_object(Bucket="shared", Key="k", Body=b"written async")
            sync_s3 = boto3.client("s3", region_name=REGION)
            read_sync = sync_s3.get_object(Bucket="shared", Key="k")["Body"].read()
            sync_s3.put_object(Bucket="shared", Key="k2", Body=b"written sync")
            read_async = await (await s3.get_object(Bucket="shared", Key="k2"))["Body"].read()
            return read_sync, read_async

    assert run_mocked(main) == (b"written async", b"written sync")


def test_decorated_coroutine_and_paginator() -> None:
    @hoarfrost.mock_aws()
    async def main() -> list[str]:
        async with client("sqs") as sqs:
            for name in ("a", "b", "c"):
                await sqs.create_queue(QueueName=name)
            urls: list[str] = []
            async for page in sqs.get_paginator("list_queues").paginate(MaxResults=2):
                urls.extend(page.get("QueueUrls", []))
            return urls

    assert sorted(url.rsplit("/", 1)[1] for url in asyncio.run(main())) == ["a", "b", "c"]

"""Delivery into S3: objects appear after the buffer interval by the clock (not before), or at
once when the size hint is reached; AWS's key layout and custom prefixes; GZIP; PutRecordBatch
limits and per-record throttling; a Kinesis stream as source; retries when the bucket is missing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.firehose.conftest import (
    BUCKET,
    ROLE,
    body,
    destination,
    error_code,
    keys,
    make_stream,
)
from tests.harness import Harness

MIB = 1024 * 1024
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_an_object_appears_in_s3_after_the_buffer_interval(firehose: Any, s3: Any, aws: Harness) -> None:
    make_stream(firehose, Prefix="logs/", BufferingHints={"IntervalInSeconds": 60, "SizeInMBs": 1})
    first = aws.emulator.clock.time()
    firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"one\n"})
    out = firehose.put_record_batch(DeliveryStreamName="deliveries",
                                    Records=[{"Data": b"two\n"}, {"Data": b"three\n"}])
    assert out["FailedPutCount"] == 0 and all(r["RecordId"] for r in out["RequestResponses"])
    aws.emulator.clock.advance(55)  # leaves the test 5 s of real time
    assert keys(s3) == []
    aws.emulator.clock.advance(6)
    [key] = keys(s3)
    moment = dt.datetime.fromtimestamp(first, dt.UTC)
    expected = (f"logs/{moment:%Y/%m/%d/%H}/deliveries-1-{moment:%Y-%m-%d-%H-%M-%S}-{UUID}")
    assert re.fullmatch(expected, key), key
    assert body(s3, key) == b"one\ntwo\nthree\n"
    aws.emulator.clock.advance(600)  # nothing more buffered: nothing more written
    assert len(keys(s3)) == 1


def test_a_full_buffer_is_delivered_at_once_and_gzip_compresses(firehose: Any, s3: Any, aws: Harness) -> None:
    make_stream(firehose, CompressionFormat="GZIP", BufferingHints={"IntervalInSeconds": 900, "SizeInMBs": 1})
    chunk = b"z" * (512 * 1024)
    firehose.put_record_batch(DeliveryStreamName="deliveries", Records=[{"Data": chunk}])
    assert keys(s3) == []
    firehose.put_record_batch(DeliveryStreamName="deliveries", Records=[{"Data": chunk}, {"Data": b"tail"}])
    [key] = keys(s3)
    assert key.endswith(".gz") and re.match(r"\d{4}/\d{2}/\d{2}/\d{2}/deliveries-1-", key)
    assert body(s3, key) == chunk + chunk + b"tail"
    stored = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert len(stored) < 10_000  # really compressed


def test_custom_prefixes_use_the_timestamp_and_firehose_namespaces(firehose: Any, s3: Any, aws: Harness) -> None:
    make_stream(firehose, Prefix="year=!{timestamp:yyyy}/month=!{timestamp:MM}/!{firehose:random-string}/",
                ErrorOutputPrefix="errors/!{firehose:error-output-type}/", BufferingHints={"IntervalInSeconds": 60},
                FileExtension=".json")
    firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"{}"})
    now = aws.emulator.clock.now().astimezone(dt.UTC)
    aws.emulator.clock.advance(60)
    [key] = keys(s3)
    assert re.fullmatch(rf"year={now:%Y}/month={now:%m}/[a-z0-9]{{11}}/deliveries-1-[0-9-]{{19}}-{UUID}\.json", key), key


def test_objects_are_named_with_the_version_after_an_update(firehose: Any, s3: Any, aws: Harness) -> None:
    make_stream(firehose, Prefix="a/", BufferingHints={"IntervalInSeconds": 60})
    firehose.update_destination(DeliveryStreamName="deliveries", CurrentDeliveryStreamVersionId="1",
                                DestinationId="destinationId-000000000001",
                                ExtendedS3DestinationUpdate={"Prefix": "b/"})
    firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"x"})
    aws.emulator.clock.advance(61)
    [key] = keys(s3)
    assert key.startswith("b/") and "/deliveries-2-" in key


def test_batch_limits_and_per_record_throttling(firehose: Any, s3: Any, aws: Harness) -> None:
    make_stream(firehose)
    with pytest.raises(ClientError) as exc:
        firehose.put_record_batch(DeliveryStreamName="deliveries", Records=[{"Data": b"x" * 1_000_000}] * 5)
    assert error_code(exc) == "InvalidArgumentException"
    big = [{"Data": b"y" * 1_000_000}] * 4
    accepted = 0

    def burst() -> tuple[dict[str, Any], str]:
        """Two 4 MB batches and a record within one second of the clock (5 MiB a second)."""
        nonlocal accepted
        first = firehose.put_record_batch(DeliveryStreamName="deliveries", Records=big)
        second = firehose.put_record_batch(DeliveryStreamName="deliveries", Records=big)
        accepted += 8 - first["FailedPutCount"] - second["FailedPutCount"]
        try:
            firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"y" * 500_000})
            accepted_single = "OK"
        except ClientError as error:
            accepted_single = str(error.response["Error"]["Code"])
        return second, accepted_single

    aws.emulator.clock.advance(1 - aws.emulator.clock.time() % 1 + 0.001)
    for _ in range(5):
        second_of_clock = int(aws.emulator.clock.time())
        out, single = burst()
        if int(aws.emulator.clock.time()) == second_of_clock:
            break
        aws.emulator.clock.advance(1 - aws.emulator.clock.time() % 1 + 0.001)
    else:
        raise AssertionError("no attempt fitted in one second of the clock")
    # One more megabyte record fits in the second batch, the rest are throttled alone.
    assert [r.get("ErrorCode") for r in out["RequestResponses"]] == [
        None, "ServiceUnavailableException", "ServiceUnavailableException", "ServiceUnavailableException"]
    assert out["FailedPutCount"] == 3 and out["RequestResponses"][1]["ErrorMessage"] == "Slow down."
    assert single == "ServiceUnavailableException"
    aws.emulator.clock.advance(1)
    assert firehose.put_record_batch(DeliveryStreamName="deliveries", Records=big)["FailedPutCount"] == 0
    aws.emulator.clock.advance(300)
    delivered = b"".join(body(s3, key) for key in keys(s3))
    assert len(delivered) == (accepted + 4) * 1_000_000


def test_a_kinesis_stream_is_read_as_the_source(firehose: Any, s3: Any, aws: Harness) -> None:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName="src", ShardCount=2)
    kinesis.put_record(StreamName="src", Data=b"before\n", PartitionKey="k")  # before the delivery stream
    source = kinesis.describe_stream_summary(StreamName="src")["StreamDescriptionSummary"]["StreamARN"]
    aws.emulator.clock.advance(1)
    firehose.create_delivery_stream(DeliveryStreamName="fromk", DeliveryStreamType="KinesisStreamAsSource",
                                    KinesisStreamSourceConfiguration={"KinesisStreamARN": source, "RoleARN": ROLE},
                                    ExtendedS3DestinationConfiguration=destination(
                                        Prefix="k/", BufferingHints={"IntervalInSeconds": 60}))
    aws.emulator.clock.advance(1)
    kinesis.put_records(StreamName="src", Records=[{"Data": f"r{i}\n".encode(), "PartitionKey": f"p{i}"}
                                                    for i in range(10)])
    kinesis.split_shard(StreamName="src", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
    kinesis.put_records(StreamName="src", Records=[{"Data": f"s{i}\n".encode(), "PartitionKey": f"p{i}"}
                                                    for i in range(10)])
    aws.emulator.clock.advance(62)
    delivered = b"".join(body(s3, key) for key in keys(s3, "k/")).decode().split()
    assert sorted(delivered) == sorted([f"r{i}" for i in range(10)] + [f"s{i}" for i in range(10)])
    kinesis.put_record(StreamName="src", Data=b"later\n", PartitionKey="k")
    aws.emulator.clock.advance(62)
    assert b"later" in b"".join(body(s3, key) for key in keys(s3, "k/"))


def test_a_missing_bucket_keeps_the_records_until_it_exists(firehose: Any, aws: Harness) -> None:
    make_stream(firehose, BufferingHints={"IntervalInSeconds": 60})
    firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"kept"})
    aws.emulator.clock.advance(61)
    view = aws.emulator.service("firehose").snapshot(aws.account, aws.region)
    assert [r.data for r in view.delivery_streams[0].buffer] == [b"kept"]
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    aws.emulator.clock.advance(61)
    assert [body(s3, key) for key in keys(s3)] == [b"kept"]


def test_an_sns_subscription_puts_each_notification_into_the_stream(firehose: Any, s3: Any, aws: Harness) -> None:
    stream = make_stream(firehose, BufferingHints={"IntervalInSeconds": 60, "SizeInMBs": 1})
    sns = aws.client("sns")
    topic = sns.create_topic(Name="to-firehose")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="firehose", Endpoint=stream,
                  Attributes={"SubscriptionRoleArn": ROLE, "RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="first")
    sns.publish(TopicArn=topic, Message="second")
    aws.emulator.clock.advance(61)
    [key] = keys(s3)
    assert body(s3, key) == b"firstsecond"

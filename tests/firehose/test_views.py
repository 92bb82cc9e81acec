"""Firehose's state view: streams with their unflushed buffers round-trip onto a fresh emulator
(which then delivers them when due), merge keeps what exists, an invalid view changes nothing,
notifications; and the delivery sink other services put records through."""

from __future__ import annotations

import gzip
import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.ports import Message
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.firehose.views import FirehoseStateView
from tests.firehose.conftest import BUCKET, body, keys, make_stream
from tests.harness import Harness

ACCOUNT, REGION = "123456789012", "us-east-1"


def test_a_buffer_round_trips_and_is_delivered_by_the_restored_emulator(firehose: Any, aws: Harness) -> None:
    make_stream(firehose, Prefix="p/", BufferingHints={"IntervalInSeconds": 120})
    firehose.tag_delivery_stream(DeliveryStreamName="deliveries", Tags=[{"Key": "k", "Value": "v"}])
    firehose.put_record_batch(DeliveryStreamName="deliveries", Records=[{"Data": b"a\n"}, {"Data": b"b\n"}])
    view = aws.emulator.service("firehose").snapshot(aws.account, aws.region)
    assert isinstance(view, FirehoseStateView)
    schema = aws.emulator.service("firehose").json_schema()
    assert "delivery_streams" in schema["properties"] and "BufferedRecordView" in json.dumps(schema)
    data = json.loads(view.model_dump_json())
    [stream] = data["delivery_streams"]
    assert stream["destination"]["prefix"] == "p/" and stream["tags"] == {"k": "v"}
    assert len(stream["buffer"]) == 2 and stream["buffer"][0]["record_id"]

    with hoarfrost.mock_aws() as fresh:
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        fresh.clock.advance(max(0.0, aws.emulator.clock.time() - fresh.clock.time()))
        fresh.service("firehose").restore(ACCOUNT, REGION, view.model_dump_json())
        restored = boto3.client("firehose", region_name=REGION).describe_delivery_stream(
            DeliveryStreamName="deliveries")["DeliveryStreamDescription"]
        assert restored["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"] == "p/"
        assert keys(s3) == []
        fresh.clock.advance(121)
        assert [body(s3, key) for key in keys(s3)] == [b"a\nb\n"]


def test_merge_keeps_what_exists(firehose: Any, aws: Harness) -> None:
    make_stream(firehose, "one")
    make_stream(firehose, "two")
    service = aws.emulator.service("firehose")
    view = service.snapshot(aws.account, aws.region).model_dump(mode="json")
    only = next(s for s in view["delivery_streams"] if s["name"] == "two")
    only["tags"] = {"merged": "yes"}
    service.merge(aws.account, aws.region, {"delivery_streams": [only]})
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["one", "two"]
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName="two")["Tags"] == [
        {"Key": "merged", "Value": "yes"}]


def test_an_invalid_view_changes_nothing(firehose: Any, aws: Harness) -> None:
    make_stream(firehose)
    service = aws.emulator.service("firehose")
    before = service.snapshot(aws.account, aws.region).model_dump_json()
    kinesis_without_source = json.loads(before)
    kinesis_without_source["delivery_streams"][0]["stream_type"] = "KinesisStreamAsSource"
    twice = json.loads(before)
    twice["delivery_streams"] *= 2
    unknown_member = json.loads(before)
    unknown_member["delivery_streams"][0]["destination"]["no_such_member"] = 1
    for bad in (kinesis_without_source, twice, unknown_member, {"delivery_streams": [{"name": "x"}]}):
        with pytest.raises(StateViewError) as exc:
            service.restore(aws.account, aws.region, bad)
        assert exc.value.kind == "invalid"
        with pytest.raises(StateViewError):
            service.merge(aws.account, aws.region, bad)
    assert service.snapshot(aws.account, aws.region).model_dump_json() == before


def test_mutations_and_deliveries_notify(firehose: Any, s3: Any, aws: Harness) -> None:
    seen: list[StateChange] = []
    with aws.emulator.service("firehose").notifier.subscribe(seen.append):
        make_stream(firehose, BufferingHints={"IntervalInSeconds": 60})
        firehose.put_record(DeliveryStreamName="deliveries", Record={"Data": b"x"})
        firehose.describe_delivery_stream(DeliveryStreamName="deliveries")
        aws.emulator.clock.advance(61)
    assert [c.operation for c in seen] == ["CreateDeliveryStream", "PutRecord", "DeliverBuffer"]
    assert seen[-1].view().delivery_streams[0].buffer == []


def test_other_services_deliver_through_the_port(firehose: Any, s3: Any, aws: Harness) -> None:
    arn = make_stream(firehose, BufferingHints={"IntervalInSeconds": 60})
    probe = aws.emulator.ports.probe("firehose")
    assert probe is not None and probe(arn) and not probe(arn + "x")
    assert aws.emulator.deliver(arn, Message(body='{"event": 1}'))
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="web")
    logs.put_subscription_filter(logGroupName="app", filterName="all", filterPattern="", destinationArn=arn)
    logs.put_log_events(logGroupName="app", logStreamName="web", logEvents=[
        {"timestamp": int(aws.emulator.clock.time() * 1000), "message": "hello"}])
    aws.emulator.clock.advance(61)
    [key] = keys(s3)
    delivered = body(s3, key)
    assert delivered.startswith(b'{"event": 1}')
    batch = json.loads(gzip.decompress(delivered[len(b'{"event": 1}'):]))
    assert batch["logGroup"] == "app" and batch["logEvents"][0]["message"] == "hello"

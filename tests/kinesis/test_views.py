"""Kinesis's state view: snapshot -> restore onto a fresh emulator (records, shard tree,
consumers, iterators still good), merge keeps what exists, an invalid view changes nothing,
notifications; and the delivery sink other services put records through."""

from __future__ import annotations

import gzip
import json
from typing import Any

import boto3
import pytest
import requests

import hoarfrost
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.ports import Message
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.kinesis.views import KinesisStateView
from tests.harness import Harness
from tests.kinesis.conftest import iterator, make_stream, read_shard

ACCOUNT, REGION = "123456789012", "us-east-1"
S0, S1, S2 = (f"shardId-{i:012d}" for i in range(3))


def _populate(kinesis: Any) -> str:
    arn = make_stream(kinesis, shards=1, Tags={"team": "data"})
    kinesis.put_records(StreamName="events", Records=[{"Data": f"a{i}".encode(), "PartitionKey": f"k{i}"}
                                                      for i in range(5)])
    kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey=str(2**127))
    kinesis.put_records(StreamName="events", Records=[{"Data": f"b{i}".encode(), "PartitionKey": f"k{i}"}
                                                      for i in range(8)])
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="reader")
    kinesis.increase_stream_retention_period(StreamName="events", RetentionPeriodHours=48)
    return arn


def test_snapshot_restores_onto_a_fresh_emulator(aws: Harness, kinesis: Any) -> None:
    _populate(kinesis)
    held = iterator(kinesis, S1)
    view = aws.emulator.service("kinesis").snapshot(aws.account, aws.region)
    assert isinstance(view, KinesisStateView)
    schema = aws.emulator.service("kinesis").json_schema()
    assert "streams" in schema["properties"] and "StreamRecordView" in json.dumps(schema)
    text = view.model_dump_json()
    data = json.loads(text)
    stream = data["streams"][0]
    assert stream["name"] == "events" and stream["retention_hours"] == 48 and stream["tags"] == {"team": "data"}
    shards = {s["shard_id"]: s for s in stream["shards"]}
    assert shards[S0]["ending_sequence_number"] and shards[S1]["parent"] == S0
    assert [r["data"] for r in shards[S0]["records"]] == [
        __import__("base64").b64encode(f"a{i}".encode()).decode() for i in range(5)]
    assert [c["name"] for c in stream["consumers"]] == ["reader"]
    originals = {s: read_shard(kinesis, s) for s in (S0, S1, S2)}

    with hoarfrost.mock_aws() as fresh:
        fresh.service("kinesis").restore(ACCOUNT, REGION, text)
        other = boto3.client("kinesis", region_name=REGION)
        for shard_id, records in originals.items():
            again = read_shard(other, shard_id)
            assert [(r["SequenceNumber"], r["Data"], r["PartitionKey"]) for r in again] == [
                (r["SequenceNumber"], r["Data"], r["PartitionKey"]) for r in records]
        # An iterator taken before the snapshot reads the restored stream.
        assert len(other.get_records(ShardIterator=held)["Records"]) == len(originals[S1])
        new = other.put_record(StreamName="events", Data=b"new", PartitionKey="z", ExplicitHashKey="0")
        assert new["ShardId"] == S1
        assert int(new["SequenceNumber"]) > max(int(r["SequenceNumber"]) for r in originals[S1])
        consumers = other.list_stream_consumers(StreamARN=stream["arn"])["Consumers"]
        assert [c["ConsumerName"] for c in consumers] == ["reader"]
        assert fresh.service("kinesis").snapshot(ACCOUNT, REGION).streams[0].shards[1].records[-1].data == b"new"


def test_restore_into_another_account_rebuilds_arns(aws: Harness, kinesis: Any) -> None:
    _populate(kinesis)
    view = aws.emulator.service("kinesis").snapshot(aws.account, aws.region)
    aws.emulator.service("kinesis").restore("210987654321", "eu-west-1", view)
    moved = aws.emulator.service("kinesis").snapshot("210987654321", "eu-west-1").streams[0]
    assert moved.arn == "arn:aws:kinesis:eu-west-1:210987654321:stream/events"
    assert moved.consumers[0].arn.startswith(moved.arn + "/consumer/reader:")


def test_merge_keeps_what_exists(aws: Harness, kinesis: Any) -> None:
    _populate(kinesis)
    make_stream(kinesis, "kept")
    service = aws.emulator.service("kinesis")
    view = service.snapshot(aws.account, aws.region).model_dump(mode="json")
    only = next(s for s in view["streams"] if s["name"] == "events")
    only["retention_hours"] = 72
    only["shards"] = [s for s in only["shards"] if s["shard_id"] == S0]
    only["shards"][0]["records"] = only["shards"][0]["records"][:2]
    service.merge(aws.account, aws.region, {"streams": [only]})
    assert sorted(kinesis.list_streams()["StreamNames"]) == ["events", "kept"]
    summary = kinesis.describe_stream_summary(StreamName="events")["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 72 and summary["OpenShardCount"] == 2
    assert [r["Data"] for r in read_shard(kinesis, S0)] == [b"a0", b"a1"]
    assert len(read_shard(kinesis, S1)) + len(read_shard(kinesis, S2)) == 8
    out = kinesis.put_record(StreamName="events", Data=b"after", PartitionKey="k")
    assert out["ShardId"] in (S1, S2)


def test_an_invalid_view_changes_nothing(aws: Harness, kinesis: Any) -> None:
    _populate(kinesis)
    service = aws.emulator.service("kinesis")
    before = service.snapshot(aws.account, aws.region).model_dump_json()
    gap = json.loads(before)  # a restore needs every open shard
    gap["streams"][0]["shards"] = [s for s in gap["streams"][0]["shards"] if s["shard_id"] != S2]
    overlap = json.loads(before)  # a merge may not make two open shards overlap
    overlap["streams"][0]["shards"] = [s for s in overlap["streams"][0]["shards"] if s["shard_id"] == S2]
    overlap["streams"][0]["shards"][0]["starting_hash_key"] = "5"
    for bad in (gap, overlap, {"streams": [{"name": "x"}]}, {"schema_version": 99}, "not json"):
        with pytest.raises(StateViewError) as exc:
            service.restore(aws.account, aws.region, bad)
        assert exc.value.kind == "invalid"
    for bad in (overlap, {"streams": [{"name": "x"}]}, {"schema_version": 99}, "not json"):
        with pytest.raises(StateViewError):
            service.merge(aws.account, aws.region, bad)
    reordered = json.loads(before)
    records = reordered["streams"][0]["shards"][1]["records"]
    records.reverse()
    with pytest.raises(StateViewError):
        service.restore(aws.account, aws.region, reordered)
    assert service.snapshot(aws.account, aws.region).model_dump_json() == before


def test_mutations_notify_and_reads_do_not(aws: Harness, kinesis: Any) -> None:
    seen: list[StateChange] = []
    with aws.emulator.service("kinesis").notifier.subscribe(seen.append):
        make_stream(kinesis)
        kinesis.put_record(StreamName="events", Data=b"x", PartitionKey="k")
        read_shard(kinesis, S0)
        kinesis.list_shards(StreamName="events")
    assert [c.operation for c in seen] == ["CreateStream", "PutRecord"]
    assert seen[-1].view().streams[0].shards[0].records[0].data == b"x"


def test_other_services_deliver_records_through_the_port(aws: Harness, kinesis: Any) -> None:
    arn = make_stream(kinesis, shards=2)
    probe = aws.emulator.ports.probe("kinesis")
    assert probe is not None and probe(arn) and not probe(arn.replace("events", "nope"))
    sequence = aws.emulator.deliver(arn, Message(body='{"detail": 1}', group_id="fixed-key"))
    assert len(sequence) == 56
    records = read_shard(kinesis, S0) + read_shard(kinesis, S1)
    assert [(r["Data"], r["PartitionKey"]) for r in records] == [(b'{"detail": 1}', "fixed-key")]
    with pytest.raises(ServiceError) as exc:
        aws.emulator.deliver(arn.replace("events", "nope"), Message(body="x"))
    assert exc.value.code == "ResourceNotFoundException"


def test_log_subscription_filters_put_gzipped_batches_into_a_stream(aws: Harness, kinesis: Any) -> None:
    arn = make_stream(kinesis)
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="web")
    logs.put_subscription_filter(logGroupName="app", filterName="errors", filterPattern="ERROR", destinationArn=arn)
    now = int(aws.emulator.clock.time() * 1000)
    logs.put_log_events(logGroupName="app", logStreamName="web", logEvents=[
        {"timestamp": now, "message": "ERROR boom"}, {"timestamp": now, "message": "fine"}])
    [record] = read_shard(kinesis, S0)
    document = json.loads(gzip.decompress(record["Data"]))
    assert document["logGroup"] == "app" and document["subscriptionFilters"] == ["errors"]
    assert [e["message"] for e in document["logEvents"]] == ["ERROR boom"]


def test_the_view_over_http_restores_records_and_firehose_buffers(server: Harness) -> None:
    """GET /_hoarfrost/state/kinesis answers the records (base64); PUT after a reset brings them back."""
    kinesis, firehose = server.client("kinesis"), server.client("firehose")
    make_stream(kinesis)
    kinesis.put_record(StreamName="events", Data=b"\x00binary\xff", PartitionKey="k")
    firehose.create_delivery_stream(DeliveryStreamName="d", ExtendedS3DestinationConfiguration={
        "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::bucket-x"})
    firehose.put_record(DeliveryStreamName="d", Record={"Data": b"buffered"})
    views = {name: requests.get(server.http_url(f"/_hoarfrost/state/{name}")).json()
             for name in ("kinesis", "firehose")}
    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert kinesis.list_streams()["StreamNames"] == []
    for name, view in views.items():
        requests.put(server.http_url(f"/_hoarfrost/state/{name}"), json=view).raise_for_status()
    assert [r["Data"] for r in read_shard(kinesis, S0)] == [b"\x00binary\xff"]
    restored = server.emulator.service("firehose").snapshot(server.account, server.region)
    assert [r.data for r in restored.delivery_streams[0].buffer] == [b"buffered"]


def test_the_view_holds_records_within_retention_only(aws: Harness, kinesis: Any) -> None:
    make_stream(kinesis)
    kinesis.put_record(StreamName="events", Data=b"old", PartitionKey="k")
    aws.emulator.clock.advance(23 * 3600)
    kinesis.put_record(StreamName="events", Data=b"new", PartitionKey="k")
    aws.emulator.clock.advance(2 * 3600)
    view = aws.emulator.service("kinesis").snapshot(aws.account, aws.region)
    assert [r.data for r in view.streams[0].shards[0].records] == [b"new"]


def test_an_eventbridge_rule_puts_events_into_a_stream(aws: Harness, kinesis: Any) -> None:
    arn = make_stream(kinesis)
    events = aws.client("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "k", "Arn": arn}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": json.dumps({"id": 7})}])
    [record] = read_shard(kinesis, S0)
    event = json.loads(record["Data"])
    assert event["source"] == "shop" and event["detail"] == {"id": 7}
    assert record["PartitionKey"] == event["id"]  # EventBridge's default partition key
    events.put_targets(Rule="orders", Targets=[{"Id": "k", "Arn": arn,
                                                "KinesisParameters": {"PartitionKeyPath": "$.detail.customer"}}])
    events.put_events(Entries=[{"Source": "shop", "DetailType": "order",
                                "Detail": json.dumps({"id": 8, "customer": "c-42"})}])
    assert [r["PartitionKey"] for r in read_shard(kinesis, S0)][-1] == "c-42"

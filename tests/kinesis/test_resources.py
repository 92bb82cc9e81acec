"""Tags (both APIs), enhanced fan-out consumers, resource policies and KMS encryption."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.kinesis.conftest import error_code, iterator, make_stream, read_shard


def test_stream_tags_old_and_new_api(kinesis: Any) -> None:
    arn = make_stream(kinesis, Tags={"team": "data"})
    kinesis.add_tags_to_stream(StreamName="events", Tags={"env": "test", "cost": "1"})
    page = kinesis.list_tags_for_stream(StreamName="events", Limit=2)
    assert page["Tags"] == [{"Key": "cost", "Value": "1"}, {"Key": "env", "Value": "test"}]
    assert page["HasMoreTags"] is True
    rest = kinesis.list_tags_for_stream(StreamName="events", ExclusiveStartTagKey="env")
    assert rest["Tags"] == [{"Key": "team", "Value": "data"}] and rest["HasMoreTags"] is False
    kinesis.remove_tags_from_stream(StreamName="events", TagKeys=["cost"])
    kinesis.tag_resource(ResourceARN=arn, Tags={"owner": "me"})
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["env"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "owner", "Value": "me"}, {"Key": "team", "Value": "data"}]
    with pytest.raises(ClientError) as exc:
        kinesis.add_tags_to_stream(StreamName="events", Tags={f"k{i}": "v" for i in range(49)})
    assert error_code(exc) == "LimitExceededException"
    with pytest.raises(ClientError) as exc:
        kinesis.add_tags_to_stream(StreamName="events", Tags={"aws:reserved": "v"})
    assert error_code(exc) == "InvalidArgumentException"
    assert len(kinesis.list_tags_for_stream(StreamName="events")["Tags"]) == 2


def test_consumers_register_describe_list_deregister(kinesis: Any, aws: Harness) -> None:
    arn = make_stream(kinesis)
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="a",
                                                Tags={"k": "v"})["Consumer"]
    assert consumer["ConsumerARN"].startswith(f"{arn}/consumer/a:")
    assert consumer["ConsumerStatus"] == "ACTIVE"
    for name in ("c", "b"):
        kinesis.register_stream_consumer(StreamARN=arn, ConsumerName=name)
    with pytest.raises(ClientError) as exc:
        kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="a")
    assert error_code(exc) == "ResourceInUseException"
    by_arn = kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
    by_name = kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="a")["ConsumerDescription"]
    assert by_arn == by_name and by_arn["StreamARN"] == arn
    first = kinesis.list_stream_consumers(StreamARN=arn, MaxResults=2)
    assert [c["ConsumerName"] for c in first["Consumers"]] == ["a", "b"]
    second = kinesis.list_stream_consumers(StreamARN=arn, NextToken=first["NextToken"])
    assert [c["ConsumerName"] for c in second["Consumers"]] == ["c"]
    assert kinesis.list_tags_for_resource(ResourceARN=consumer["ConsumerARN"])["Tags"] == [{"Key": "k", "Value": "v"}]
    assert kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]["ConsumerCount"] == 3
    kinesis.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    kinesis.deregister_stream_consumer(StreamARN=arn, ConsumerName="b")
    assert [c["ConsumerName"] for c in kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["c"]
    with pytest.raises(ClientError) as exc:
        kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    assert error_code(exc) == "ResourceNotFoundException"


def test_resource_policies_on_streams_and_consumers(kinesis: Any, aws: Harness) -> None:
    arn = make_stream(kinesis)
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c")["Consumer"]["ConsumerARN"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "kinesis:GetRecords", "Resource": arn}]})
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    kinesis.put_resource_policy(ResourceARN=consumer, Policy=policy.replace("GetRecords", "SubscribeToShard"))
    assert json.loads(kinesis.get_resource_policy(ResourceARN=arn)["Policy"]) == json.loads(policy)
    assert "SubscribeToShard" in kinesis.get_resource_policy(ResourceARN=consumer)["Policy"]
    assert aws.emulator.ports.resource_policy("kinesis", arn) == policy
    with pytest.raises(ClientError) as exc:
        kinesis.put_resource_policy(ResourceARN=arn, Policy="{not json")
    assert error_code(exc) == "InvalidArgumentException"
    kinesis.delete_resource_policy(ResourceARN=arn)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    with pytest.raises(ClientError) as exc:
        kinesis.delete_resource_policy(ResourceARN=arn)
    assert error_code(exc) == "ResourceNotFoundException"


def test_encryption_checks_the_kms_key_and_marks_records(kinesis: Any, aws: Harness) -> None:
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    make_stream(kinesis)
    with pytest.raises(ClientError) as exc:
        kinesis.start_stream_encryption(StreamName="events", EncryptionType="KMS",
                                        KeyId="11111111-2222-3333-4444-555555555555")
    assert error_code(exc) == "KMSNotFoundException"
    kinesis.put_record(StreamName="events", Data=b"plain", PartitionKey="k")
    kinesis.start_stream_encryption(StreamName="events", EncryptionType="KMS", KeyId=key)
    summary = kinesis.describe_stream_summary(StreamName="events")["StreamDescriptionSummary"]
    assert summary["EncryptionType"] == "KMS" and summary["KeyId"] == key
    out = kinesis.put_record(StreamName="events", Data=b"secret", PartitionKey="k")
    assert out["EncryptionType"] == "KMS"
    records = read_shard(kinesis, "shardId-000000000000")
    assert [r["Data"] for r in records] == [b"plain", b"secret"]
    assert "EncryptionType" not in records[0] and records[1]["EncryptionType"] == "KMS"
    kinesis.stop_stream_encryption(StreamName="events", EncryptionType="KMS", KeyId=key)
    assert kinesis.describe_stream_summary(StreamName="events")["StreamDescriptionSummary"]["EncryptionType"] == "NONE"


def test_a_disabled_key_fails_each_record(kinesis: Any, aws: Harness) -> None:
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    make_stream(kinesis)
    kinesis.start_stream_encryption(StreamName="events", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.put_record(StreamName="events", Data=b"ok", PartitionKey="k")
    kinesis.start_stream_encryption(StreamName="events", EncryptionType="KMS", KeyId=key)
    kms.disable_key(KeyId=key)
    out = kinesis.put_records(StreamName="events", Records=[{"Data": b"x", "PartitionKey": "k"}] * 3)
    assert out["FailedRecordCount"] == 3
    assert {r["ErrorCode"] for r in out["Records"]} == {"KMSDisabledException"}
    assert all("SequenceNumber" not in r for r in out["Records"])
    with pytest.raises(ClientError) as exc:
        kinesis.put_record(StreamName="events", Data=b"x", PartitionKey="k")
    assert error_code(exc) == "KMSDisabledException"
    kms.enable_key(KeyId=key)
    assert kinesis.put_records(StreamName="events", Records=[{"Data": b"y", "PartitionKey": "k"}])[
        "FailedRecordCount"] == 0
    assert [r["Data"] for r in read_shard(kinesis, "shardId-000000000000")] == [b"ok", b"y"]


def test_subscribe_to_shard_pushes_records_as_an_event_stream(kinesis: Any, aws: Harness) -> None:
    arn = make_stream(kinesis, shards=1)
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="push")["Consumer"]["ConsumerARN"]
    sent = [kinesis.put_record(StreamName="events", Data=f"r{i}".encode(), PartitionKey="k")["SequenceNumber"]
            for i in range(3)]

    def subscribe(**position: Any) -> list[dict[str, Any]]:
        answer = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                            StartingPosition=position)
        return [event["SubscribeToShardEvent"] for event in answer["EventStream"]]

    [event] = subscribe(Type="TRIM_HORIZON")
    assert [r["Data"] for r in event["Records"]] == [b"r0", b"r1", b"r2"]
    assert event["ContinuationSequenceNumber"] == sent[-1] and event["MillisBehindLatest"] == 0
    [event] = subscribe(Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=sent[0])
    assert [r["SequenceNumber"] for r in event["Records"]] == sent[1:]
    [empty] = subscribe(Type="LATEST")
    assert empty["Records"] == []
    kinesis.put_record(StreamName="events", Data=b"r3", PartitionKey="k")
    [event] = subscribe(Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=empty["ContinuationSequenceNumber"])
    assert [r["Data"] for r in event["Records"]] == [b"r3"]
    kinesis.split_shard(StreamName="events", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    [last] = subscribe(Type="AT_SEQUENCE_NUMBER", SequenceNumber=sent[2])
    assert [r["Data"] for r in last["Records"]] == [b"r2", b"r3"]
    assert "ContinuationSequenceNumber" not in last
    assert sorted(c["ShardId"] for c in last["ChildShards"]) == ["shardId-000000000001", "shardId-000000000002"]
    with pytest.raises(ClientError) as exc:
        kinesis.subscribe_to_shard(ConsumerARN=consumer + "0", ShardId="shardId-000000000000",
                                   StartingPosition={"Type": "LATEST"})
    assert error_code(exc) == "ResourceNotFoundException"


def test_iam_enforcement_uses_stream_arns_and_the_stream_policy(aws: Harness, kinesis: Any) -> None:
    arn = make_stream(kinesis, "guarded")
    make_stream(kinesis, "open")
    iam = aws.client("iam")
    iam.create_user(UserName="producer")
    iam.put_user_policy(UserName="producer", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="producer")["AccessKey"]
    producer = aws.client("kinesis", aws_access_key_id=key["AccessKeyId"],
                          aws_secret_access_key=key["SecretAccessKey"])
    kinesis.put_resource_policy(ResourceARN=arn, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{aws.account}:user/producer"},
            "Action": ["kinesis:PutRecord", "kinesis:GetRecords"], "Resource": arn}]}))
    aws.emulator.settings.enforce_iam = True
    try:
        producer.put_record(StreamName="open", Data=b"x", PartitionKey="k")
        with pytest.raises(ClientError) as exc:
            producer.put_record(StreamName="guarded", Data=b"x", PartitionKey="k")
        assert error_code(exc) == "AccessDeniedException"
        assert f"on resource: {arn} with an explicit deny" in exc.value.response["Error"]["Message"]
        shard_iterator = iterator(producer, "shardId-000000000000", name="guarded")
        with pytest.raises(ClientError) as exc:  # the iterator names the stream
            producer.get_records(ShardIterator=shard_iterator)
        assert error_code(exc) == "AccessDeniedException"
    finally:
        aws.emulator.settings.enforce_iam = False

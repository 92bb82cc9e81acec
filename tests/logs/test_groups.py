"""Log groups and streams: create, describe (prefixes, ordering, paging), retention by the
emulator's clock, KMS keys, classes and both tagging APIs."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.logs.conftest import code, message, now_ms


def test_create_describe_and_delete_groups(logs: Any, aws: Harness) -> None:
    logs.create_log_group(logGroupName="/app/b", kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/k1",
                          logGroupClass="INFREQUENT_ACCESS")
    logs.create_log_group(logGroupName="/app/a")
    logs.create_log_group(logGroupName="/other")
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="/app/a")
    assert code(exc) == "ResourceAlreadyExistsException"

    groups = logs.describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/app/a", "/app/b", "/other"]
    b = groups[1]
    assert b["kmsKeyId"].endswith("key/k1") and b["logGroupClass"] == "INFREQUENT_ACCESS"
    assert b["arn"] == f"arn:aws:logs:us-east-1:{aws.account}:log-group:/app/b:*"
    assert b["logGroupArn"] == f"arn:aws:logs:us-east-1:{aws.account}:log-group:/app/b"
    assert groups[0]["logGroupClass"] == "STANDARD" and "retentionInDays" not in groups[0]

    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/app")["logGroups"]] == [
        "/app/a", "/app/b"]
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern="OTH")["logGroups"]] == [
        "/other"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="a")
    assert code(exc) == "InvalidParameterException"

    logs.delete_log_group(logGroupName="/app/a")
    with pytest.raises(ClientError) as exc:
        logs.delete_log_group(logGroupName="/app/a")
    assert code(exc) == "ResourceNotFoundException"
    assert message(exc) == "The specified log group does not exist."


def test_describe_log_groups_pages_in_name_order(logs: Any) -> None:
    for i in range(7):
        logs.create_log_group(logGroupName=f"g{i}")
    names: list[str] = []
    token: dict[str, str] = {}
    pages = 0
    while True:
        page = logs.describe_log_groups(limit=3, **token)
        names += [g["logGroupName"] for g in page["logGroups"]]
        pages += 1
        if "nextToken" not in page:
            break
        token = {"nextToken": page["nextToken"]}
    assert names == [f"g{i}" for i in range(7)] and pages == 3
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups(nextToken="bogus")
    assert code(exc) == "InvalidParameterException"


def test_invalid_names_are_refused_with_invalid_parameter(logs: Any) -> None:
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="bad name!")
    assert code(exc) == "InvalidParameterException"


def test_retention_policy_forgets_events_as_the_clock_moves(logs: Any, aws: Harness) -> None:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    with pytest.raises(ClientError) as exc:
        logs.put_retention_policy(logGroupName="g", retentionInDays=2)
    assert code(exc) == "InvalidParameterException"
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 1
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": now_ms(aws), "message": "m"}])
    assert len(logs.get_log_events(logGroupName="g", logStreamName="s")["events"]) == 1
    aws.emulator.clock.advance(86_400 + 60)
    assert logs.get_log_events(logGroupName="g", logStreamName="s")["events"] == []
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 0
    logs.delete_retention_policy(logGroupName="g")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]


def test_kms_key_association(logs: Any) -> None:
    logs.create_log_group(logGroupName="g")
    logs.associate_kms_key(logGroupName="g", kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/x")
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"].endswith("key/x")
    logs.disassociate_kms_key(logGroupName="g")
    assert "kmsKeyId" not in logs.describe_log_groups()["logGroups"][0]


def test_both_tagging_apis(logs: Any, aws: Harness) -> None:
    logs.create_log_group(logGroupName="g", tags={"a": "1"})
    logs.tag_log_group(logGroupName="g", tags={"b": "2"})
    assert logs.list_tags_log_group(logGroupName="g")["tags"] == {"a": "1", "b": "2"}
    arn = f"arn:aws:logs:us-east-1:{aws.account}:log-group:g"
    logs.tag_resource(resourceArn=arn, tags={"c": "3"})
    logs.untag_log_group(logGroupName="g", tags=["a"])
    logs.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"c": "3"}
    with pytest.raises(ClientError) as exc:
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    assert code(exc) == "TooManyTagsException"
    with pytest.raises(ClientError) as exc:
        logs.list_tags_for_resource(resourceArn=arn + "nope")
    assert code(exc) == "ResourceNotFoundException"


def test_streams_describe_order_prefix_and_paging(logs: Any, aws: Harness) -> None:
    logs.create_log_group(logGroupName="g")
    t = now_ms(aws)
    for name, offset in (("b", 3), ("a", 1), ("c", 2)):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        logs.put_log_events(logGroupName="g", logStreamName=name, logEvents=[{"timestamp": t + offset, "message": name}])
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName="g", logStreamName="a")
    assert code(exc) == "ResourceAlreadyExistsException"
    names = lambda **kw: [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="g", **kw)["logStreams"]]
    assert names() == ["a", "b", "c"]
    assert names(descending=True) == ["c", "b", "a"]
    assert names(orderBy="LastEventTime") == ["a", "c", "b"]
    assert names(orderBy="LastEventTime", descending=True) == ["b", "c", "a"]
    assert names(logStreamNamePrefix="b") == ["b"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupName="g", logStreamNamePrefix="b", orderBy="LastEventTime")
    assert code(exc) == "InvalidParameterException"
    first = logs.describe_log_streams(logGroupName="g", limit=2)
    second = logs.describe_log_streams(logGroupName="g", limit=2, nextToken=first["nextToken"])
    assert [s["logStreamName"] for s in second["logStreams"]] == ["c"] and "nextToken" not in second
    a = logs.describe_log_streams(logGroupIdentifier="g", logStreamNamePrefix="a")["logStreams"][0]
    assert a["firstEventTimestamp"] == a["lastEventTimestamp"] == t + 1
    assert a["arn"] == f"arn:aws:logs:us-east-1:{aws.account}:log-group:g:log-stream:a"
    logs.delete_log_stream(logGroupName="g", logStreamName="a")
    assert names() == ["b", "c"]
    with pytest.raises(ClientError) as exc:
        logs.delete_log_stream(logGroupName="g", logStreamName="a")
    assert message(exc) == "The specified log stream does not exist."

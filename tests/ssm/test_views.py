"""SSM's state view: snapshot -> restore onto a fresh emulator (whole histories, labels, tags,
policies), merge, invalid views, schema and notifications."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateChange, StateViewError
from tests.harness import Harness

ACCOUNT, REGION = "123456789012", "us-east-1"


def _version(number: int, value: str, **extra: Any) -> dict[str, Any]:
    return {"version": number, "value": value, "type": "String", "last_modified_date": "2024-01-01T00:00:00Z",
            **extra}


def test_snapshot_restores_onto_a_fresh_emulator(aws: Harness) -> None:
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/app/db", Value="one", Type="String", Description="d",
                      Tags=[{"Key": "team", "Value": "a"}])
    ssm.put_parameter(Name="/app/db", Value="two", Overwrite=True)
    ssm.label_parameter_version(Name="/app/db", ParameterVersion=1, Labels=["old"])
    ssm.put_parameter(Name="/app/secret", Value="s3", Type="SecureString", KeyId="alias/k")
    stamp = (aws.emulator.clock.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    ssm.put_parameter(Name="expiring", Value="x", Type="String", Tier="Advanced",
                      Policies=json.dumps([{"Type": "Expiration", "Version": "1.0",
                                            "Attributes": {"Timestamp": stamp}}]))
    history = ssm.get_parameter_history(Name="/app/db")["Parameters"]
    text = aws.emulator.service("ssm").snapshot(aws.account, aws.region).model_dump_json()
    assert [p["name"] for p in json.loads(text)["parameters"]] == ["/app/db", "/app/secret", "expiring"]
    with hoarfrost.mock_aws() as fresh:
        fresh.service("ssm").restore(ACCOUNT, REGION, text)
        ssm2 = boto3.client("ssm", region_name=REGION)
        assert ssm2.get_parameter_history(Name="/app/db")["Parameters"] == history
        assert ssm2.get_parameter(Name="/app/db:old")["Parameter"]["Value"] == "one"
        assert ssm2.get_parameter(Name="/app/secret", WithDecryption=True)["Parameter"]["Value"] == "s3"
        assert ssm2.list_tags_for_resource(ResourceType="Parameter", ResourceId="/app/db")["TagList"] == \
            [{"Key": "team", "Value": "a"}]
        assert [p["Name"] for p in ssm2.get_parameters_by_path(Path="/app")["Parameters"]] == \
            ["/app/db", "/app/secret"]
        fresh.clock.advance(86400 + 1)  # the restored Expiration still runs out by the clock
        assert [p["Name"] for p in ssm2.describe_parameters()["Parameters"]] == ["/app/db", "/app/secret"]


def test_merge_keeps_what_exists(aws: Harness) -> None:
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/a", Value="1", Type="String")
    ssm.put_parameter(Name="/a", Value="2", Overwrite=True)
    ssm.put_parameter(Name="/keep", Value="k", Type="String")
    service = aws.emulator.service("ssm")
    service.merge(aws.account, aws.region, {"parameters": [
        {"name": "/a", "versions": [_version(1, "ONE", labels=["merged"])], "tags": {"t": "v"}},
        {"name": "/new", "versions": [_version(1, "n")]}]})
    assert ssm.get_parameter(Name="/a")["Parameter"]["Value"] == "2"
    assert ssm.get_parameter(Name="/a:merged")["Parameter"]["Value"] == "ONE"
    assert ssm.get_parameter(Name="/new")["Parameter"]["Value"] == "n"
    assert ssm.get_parameter(Name="/keep")["Parameter"]["Value"] == "k"
    assert [p["Name"] for p in ssm.get_parameters_by_path(Path="/")["Parameters"]] == ["/a", "/keep", "/new"]


@pytest.mark.parametrize("bad", [
    {"parameters": [{"name": "/aws/x", "versions": [_version(1, "v")]}]},
    {"parameters": [{"name": "bad name", "versions": [_version(1, "v")]}]},
    {"parameters": [{"name": "/x", "versions": []}]},
    {"parameters": [{"name": "/x", "versions": [_version(1, "v", labels=["l"]), _version(2, "w", labels=["l"])]}]},
    {"parameters": [{"name": "/x", "versions": [_version(1, "v", type="Number")]}]},
    {"parameters": [{"name": "/x", "versions": [_version(1, "v", policies=["{\"Type\":\"Nope\"}"])]}]},
    {"parameters": [{"name": "/x", "versions": [_version(1, "v")]}, {"name": "/x", "versions": [_version(1, "v")]}]},
])
def test_an_invalid_view_changes_nothing(aws: Harness, bad: dict[str, Any]) -> None:
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/kept", Value="x", Type="String")
    service = aws.emulator.service("ssm")
    before = service.snapshot(aws.account, aws.region).model_dump()
    with pytest.raises(StateViewError) as raised:
        service.restore(aws.account, aws.region, bad)
    assert raised.value.kind == "invalid"
    with pytest.raises(StateViewError):
        service.merge(aws.account, aws.region, bad)
    assert service.snapshot(aws.account, aws.region).model_dump() == before


def test_schema_marks_values_sensitive_and_changes_notify(aws: Harness) -> None:
    service = aws.emulator.service("ssm")
    assert '"sensitive": true' in json.dumps(service.json_schema())
    changes: list[StateChange] = []
    with service.notifier.subscribe(changes.append):
        ssm = aws.client("ssm")
        ssm.put_parameter(Name="n", Value="x", Type="String")
        ssm.get_parameter(Name="n")
        ssm.describe_parameters()
    assert [c.operation for c in changes] == ["PutParameter"]
    assert changes[0].view().parameters[0].name == "n"

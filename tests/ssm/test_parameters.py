"""PutParameter / GetParameter(s) / DeleteParameter(s): types, overwrite and versions,
selectors, tiers and their limits, AllowedPattern, data types, naming and hierarchy rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.ssm.conftest import code, message


def test_put_get_and_versions(ssm: Any, aws: Harness) -> None:
    out = ssm.put_parameter(Name="/app/url", Value="v1", Type="String")
    assert (out["Version"], out["Tier"]) == (1, "Standard")
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="/app/url", Value="v2", Type="String")
    assert code(raised) == "ParameterAlreadyExists"
    assert ssm.put_parameter(Name="/app/url", Value="v2", Overwrite=True)["Version"] == 2
    got = ssm.get_parameter(Name="/app/url")["Parameter"]
    assert got["Value"] == "v2" and got["Version"] == 2 and got["Type"] == "String"
    assert got["ARN"] == f"arn:aws:ssm:us-east-1:{aws.account}:parameter/app/url"
    first = ssm.get_parameter(Name="/app/url:1")["Parameter"]
    assert first["Value"] == "v1" and first["Selector"] == ":1" and first["Name"] == "/app/url"
    assert ssm.get_parameter(Name=got["ARN"])["Parameter"]["Value"] == "v2"
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="/app/url:7")
    assert code(raised) == "ParameterVersionNotFound"
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="/nope")
    assert code(raised) == "ParameterNotFound"
    assert message(raised) == ""  # AWS sends this code without a message


def test_string_list_and_secure_string(ssm: Any, aws: Harness) -> None:
    kms = aws.client("kms")
    kms.create_alias(AliasName="alias/custom", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    ssm.put_parameter(Name="hosts", Value="a,b,c", Type="StringList")
    assert ssm.get_parameter(Name="hosts")["Parameter"]["Value"] == "a,b,c"
    ssm.put_parameter(Name="/db/password", Value="hunter2", Type="SecureString", KeyId="alias/custom")
    hidden = ssm.get_parameter(Name="/db/password")["Parameter"]["Value"]
    assert hidden != "hunter2"
    assert ssm.get_parameter(Name="/db/password", WithDecryption=True)["Parameter"]["Value"] == "hunter2"
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/db/password"]}])
    assert described["Parameters"][0]["KeyId"] == "alias/custom"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="plain", Value="x", Type="String", KeyId="alias/custom")
    assert code(raised) == "ValidationException"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="untyped", Value="x")
    assert code(raised) == "ValidationException"
    assert message(raised) == "A parameter type is required when you create a parameter."


def test_get_parameters_and_delete(ssm: Any) -> None:
    ssm.put_parameter(Name="a", Value="1", Type="String")
    ssm.put_parameter(Name="b", Value="2", Type="String")
    ssm.label_parameter_version(Name="b", Labels=["prod"])
    got = ssm.get_parameters(Names=["a", "b:prod", "missing", "a:9"])
    assert [(p["Name"], p["Value"]) for p in got["Parameters"]] == [("a", "1"), ("b", "2")]
    assert got["Parameters"][1]["Selector"] == ":prod"
    assert got["InvalidParameters"] == ["missing", "a:9"]
    ssm.delete_parameter(Name="a")
    with pytest.raises(ClientError) as raised:
        ssm.delete_parameter(Name="a")
    assert code(raised) == "ParameterNotFound"
    deleted = ssm.delete_parameters(Names=["b", "zzz"])
    assert deleted["DeletedParameters"] == ["b"] and deleted["InvalidParameters"] == ["zzz"]


@pytest.mark.parametrize("name, expected", [
    ("aws-thing", "ValidationException"),
    ("SSM_thing", "ValidationException"),
    ("/ssm/x", "ValidationException"),
    ("no/leading/slash", "ValidationException"),
    ("/bad name", "ValidationException"),
    ("/aws/reserved", "AccessDeniedException"),
    ("/" + "/".join(f"l{i}" for i in range(16)), "HierarchyLevelLimitExceededException"),
])
def test_name_rules(ssm: Any, name: str, expected: str) -> None:
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name=name, Value="x", Type="String")
    assert code(raised) == expected


def test_name_rule_messages(ssm: Any) -> None:
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="no/leading", Value="x", Type="String")
    assert message(raised) == "Parameter name must be a fully qualified name."
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="/aws/x", Value="x", Type="String")
    assert message(raised) == "No access to reserved parameter name: /aws/x."
    ssm.put_parameter(Name="/" + "/".join(f"l{i}" for i in range(15)), Value="x", Type="String")


def test_tiers_and_limits(ssm: Any) -> None:
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="big", Value="x" * 4097, Type="String")
    assert code(raised) == "ValidationException" and "4096" in message(raised)
    assert ssm.put_parameter(Name="big", Value="x" * 4097, Type="String", Tier="Advanced")["Tier"] == "Advanced"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="big", Value="small", Overwrite=True, Tier="Standard")
    assert code(raised) == "ValidationException" and "downgrade" in message(raised)
    assert ssm.put_parameter(Name="smart", Value="x", Type="String", Tier="Intelligent-Tiering")["Tier"] == "Standard"
    assert ssm.put_parameter(Name="smart2", Value="y" * 5000, Type="String",
                             Tier="Intelligent-Tiering")["Tier"] == "Advanced"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="huge", Value="x" * 8193, Type="String", Tier="Advanced")
    assert code(raised) == "ValidationException"


def test_allowed_pattern_and_data_types(ssm: Any) -> None:
    ssm.put_parameter(Name="port", Value="8080", Type="String", AllowedPattern=r"^\d+$")
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="port", Value="http", Overwrite=True)
    assert code(raised) == "ParameterPatternMismatchException"
    assert ssm.get_parameter(Name="port")["Parameter"]["Value"] == "8080"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="p2", Value="x", Type="String", AllowedPattern="([")
    assert code(raised) == "InvalidAllowedPatternException"
    ssm.put_parameter(Name="image", Value="ami-0123456789abcdef0", Type="String", DataType="aws:ec2:image")
    assert ssm.get_parameter(Name="image")["Parameter"]["DataType"] == "aws:ec2:image"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="image2", Value="not-an-ami", Type="String", DataType="aws:ec2:image")
    assert code(raised) == "ValidationException"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="image3", Value="x", Type="String", DataType="Text")
    assert code(raised) == "ValidationException"
    hook = "/d9d01087-4a3f-49e0-b0b4-d568d7826553/ssm/integrations/webhook/chat"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="/hook", Value="{}", Type="SecureString", DataType="aws:ssm:integration")
    assert code(raised) == "ValidationException"
    ssm.put_parameter(Name=hook, Value="{}", Type="SecureString", DataType="aws:ssm:integration")


def test_tags_and_overwrite_conflict(ssm: Any) -> None:
    ssm.put_parameter(Name="/t", Value="x", Type="String", Tags=[{"Key": "team", "Value": "a"}])
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="/t", Value="y", Overwrite=True, Tags=[{"Key": "team", "Value": "b"}])
    assert code(raised) == "ValidationException"
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")["TagList"] == \
        [{"Key": "team", "Value": "a"}]
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/t", Tags=[{"Key": "env", "Value": "prod"}])
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/t", TagKeys=["team"])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")["TagList"] == \
        [{"Key": "env", "Value": "prod"}]
    with pytest.raises(ClientError) as raised:
        ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/t",
                                 Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert code(raised) == "TooManyTagsError"
    with pytest.raises(ClientError) as raised:
        ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/missing")
    assert code(raised) == "InvalidResourceId"
    with pytest.raises(ClientError) as raised:
        ssm.list_tags_for_resource(ResourceType="Document", ResourceId="doc")
    assert code(raised) == "InvalidResourceId"


def test_hundred_versions(ssm: Any) -> None:
    ssm.put_parameter(Name="v", Value="0", Type="String")
    ssm.label_parameter_version(Name="v", ParameterVersion=1, Labels=["first"])
    for i in range(1, 100):
        ssm.put_parameter(Name="v", Value=str(i), Overwrite=True)
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="v", Value="100", Overwrite=True)
    assert code(raised) == "ParameterMaxVersionLimitExceeded"
    ssm.unlabel_parameter_version(Name="v", ParameterVersion=1, Labels=["first"])
    assert ssm.put_parameter(Name="v", Value="100", Overwrite=True)["Version"] == 101
    history = ssm.get_parameter_history(Name="v", MaxResults=50)
    assert history["Parameters"][0]["Version"] == 2


def test_expiration_policy_by_the_clock(ssm: Any, aws: Harness) -> None:
    when = aws.emulator.clock.now().timestamp() + 3600
    stamp = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    policy = json.dumps([{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": stamp}},
                         {"Type": "NoChangeNotification", "Version": "1.0",
                          "Attributes": {"After": "20", "Unit": "Days"}}])
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="temp", Value="x", Type="String", Policies=policy)
    assert code(raised) == "ValidationException"
    assert ssm.put_parameter(Name="temp", Value="x", Type="String", Policies=policy, Tier="Advanced")["Tier"] == \
        "Advanced"
    described = ssm.describe_parameters()["Parameters"][0]
    assert [p["PolicyType"] for p in described["Policies"]] == ["Expiration", "NoChangeNotification"]
    # The stamp is whole seconds and the clock also moves by real time: a margin either side.
    aws.emulator.clock.advance(3590)
    assert ssm.get_parameter(Name="temp")["Parameter"]["Value"] == "x"
    aws.emulator.clock.advance(20)
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="temp")
    assert code(raised) == "ParameterNotFound"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="bad", Value="x", Type="String", Tier="Advanced",
                          Policies=json.dumps([{"Type": "Explode", "Version": "1.0", "Attributes": {}}]))
    assert code(raised) == "InvalidPolicyTypeException"
    with pytest.raises(ClientError) as raised:
        ssm.put_parameter(Name="bad", Value="x", Type="String", Tier="Advanced",
                          Policies=json.dumps([{"Type": "Expiration", "Version": "1.0",
                                                "Attributes": {"Timestamp": "tomorrow"}}]))
    assert code(raised) == "InvalidPolicyAttributeException"


def test_arn_with_selector(ssm: Any, aws: Harness) -> None:
    ssm.put_parameter(Name="/svc/key", Value="a", Type="String")
    ssm.put_parameter(Name="/svc/key", Value="b", Overwrite=True)
    ssm.label_parameter_version(Name="/svc/key", ParameterVersion=1, Labels=["first"])
    ssm.put_parameter(Name="flat", Value="f", Type="String")
    arn = f"arn:aws:ssm:us-east-1:{aws.account}:parameter/svc/key"
    assert ssm.get_parameter(Name=arn + ":first")["Parameter"]["Value"] == "a"
    assert ssm.get_parameter(Name=arn + ":2")["Parameter"]["Value"] == "b"
    flat = ssm.get_parameter(Name=f"arn:aws:ssm:us-east-1:{aws.account}:parameter/flat")["Parameter"]
    assert flat["Name"] == "flat" and flat["ARN"].endswith(":parameter/flat")
    got = ssm.get_parameters(Names=[arn, arn + ":first"])
    assert [p["Value"] for p in got["Parameters"]] == ["b", "a"]

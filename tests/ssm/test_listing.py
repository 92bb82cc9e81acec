"""GetParametersByPath, DescribeParameters, GetParameterHistory, labels, public parameters."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.ssm.conftest import code


def _tree(ssm: Any) -> None:
    ssm.put_parameter(Name="/app/a", Value="1", Type="String", Tags=[{"Key": "team", "Value": "x"}])
    ssm.put_parameter(Name="/app/b", Value="2", Type="SecureString")
    ssm.put_parameter(Name="/app/sub/c", Value="3", Type="String")
    ssm.put_parameter(Name="/app/sub/deeper/d", Value="4", Type="StringList")
    ssm.put_parameter(Name="/apple", Value="5", Type="String")
    ssm.put_parameter(Name="top", Value="6", Type="String", Tier="Advanced")


def test_by_path_one_level_and_recursive(ssm: Any) -> None:
    _tree(ssm)
    one = ssm.get_parameters_by_path(Path="/app")["Parameters"]
    assert [p["Name"] for p in one] == ["/app/a", "/app/b"]
    assert one[1]["Value"] != "2"
    decrypted = ssm.get_parameters_by_path(Path="/app/", WithDecryption=True)["Parameters"]
    assert decrypted[1]["Value"] == "2"
    everything = ssm.get_parameters_by_path(Path="/app", Recursive=True)["Parameters"]
    assert [p["Name"] for p in everything] == ["/app/a", "/app/b", "/app/sub/c", "/app/sub/deeper/d"]
    root = ssm.get_parameters_by_path(Path="/")["Parameters"]
    assert [p["Name"] for p in root] == ["/apple"]
    typed = ssm.get_parameters_by_path(Path="/app", Recursive=True,
                                       ParameterFilters=[{"Key": "Type", "Values": ["String"]}])["Parameters"]
    assert [p["Name"] for p in typed] == ["/app/a", "/app/sub/c"]
    tagged = ssm.get_parameters_by_path(Path="/app", Recursive=True,
                                        ParameterFilters=[{"Key": "tag:team"}])["Parameters"]
    assert [p["Name"] for p in tagged] == ["/app/a"]
    with pytest.raises(ClientError) as raised:
        ssm.get_parameters_by_path(Path="/app", ParameterFilters=[{"Key": "Name", "Values": ["x"]}])
    assert code(raised) == "InvalidFilterKey"
    with pytest.raises(ClientError) as raised:
        ssm.get_parameters_by_path(Path="app")
    assert code(raised) == "ValidationException"


def test_by_path_pages(ssm: Any) -> None:
    for i in range(13):
        ssm.put_parameter(Name=f"/p/n{i:02d}", Value=str(i), Type="String")
    first = ssm.get_parameters_by_path(Path="/p")
    assert len(first["Parameters"]) == 10
    rest = ssm.get_parameters_by_path(Path="/p", NextToken=first["NextToken"])
    assert [p["Name"] for p in rest["Parameters"]] == ["/p/n10", "/p/n11", "/p/n12"] and "NextToken" not in rest
    with pytest.raises(ClientError) as raised:
        ssm.get_parameters_by_path(Path="/p", NextToken="made-up")
    assert code(raised) == "InvalidNextToken"


def test_by_path_label_filter_answers_the_labelled_version(ssm: Any) -> None:
    ssm.put_parameter(Name="/cfg/x", Value="old", Type="String")
    ssm.label_parameter_version(Name="/cfg/x", Labels=["stable"])
    ssm.put_parameter(Name="/cfg/x", Value="new", Overwrite=True)
    ssm.put_parameter(Name="/cfg/y", Value="other", Type="String")
    got = ssm.get_parameters_by_path(Path="/cfg", ParameterFilters=[{"Key": "Label", "Values": ["stable"]}])
    assert [(p["Name"], p["Value"], p["Version"]) for p in got["Parameters"]] == [("/cfg/x", "old", 1)]


def test_describe_parameters_filters_and_pages(ssm: Any) -> None:
    _tree(ssm)

    def names(**kwargs: Any) -> list[str]:
        return [p["Name"] for p in ssm.describe_parameters(**kwargs)["Parameters"]]

    assert names() == ["/app/a", "/app/b", "/app/sub/c", "/app/sub/deeper/d", "/apple", "top"]
    assert names(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/app"]}]) == \
        ["/app/a", "/app/b", "/app/sub/c", "/app/sub/deeper/d", "/apple"]
    assert names(ParameterFilters=[{"Key": "Name", "Option": "Contains", "Values": ["deep"]}]) == \
        ["/app/sub/deeper/d"]
    assert names(ParameterFilters=[{"Key": "Path", "Values": ["/app/sub"]}]) == ["/app/sub/c"]
    assert names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/app/sub"]}]) == \
        ["/app/sub/c", "/app/sub/deeper/d"]
    assert names(ParameterFilters=[{"Key": "Type", "Values": ["SecureString", "StringList"]}]) == \
        ["/app/b", "/app/sub/deeper/d"]
    assert names(ParameterFilters=[{"Key": "Tier", "Values": ["Advanced"]}]) == ["top"]
    assert names(ParameterFilters=[{"Key": "KeyId", "Values": ["alias/aws/ssm"]}]) == ["/app/b"]
    assert names(Filters=[{"Key": "Name", "Values": ["/app/s"]}]) == ["/app/sub/c", "/app/sub/deeper/d"]
    with pytest.raises(ClientError) as raised:
        ssm.describe_parameters(ParameterFilters=[{"Key": "Type", "Option": "BeginsWith", "Values": ["S"]}])
    assert code(raised) == "InvalidFilterOption"
    with pytest.raises(ClientError) as raised:
        ssm.describe_parameters(Filters=[{"Key": "Name", "Values": ["a"]}],
                                ParameterFilters=[{"Key": "Name", "Values": ["a"]}])
    assert code(raised) == "ValidationException"
    assert ssm.describe_parameters(Shared=True)["Parameters"] == []
    first = ssm.describe_parameters(MaxResults=4)
    rest = ssm.describe_parameters(MaxResults=4, NextToken=first["NextToken"])
    assert [p["Name"] for p in first["Parameters"] + rest["Parameters"]] == names()


def test_history_and_labels(ssm: Any, aws: Harness) -> None:
    ssm.put_parameter(Name="/h", Value="one", Type="String", Description="first")
    ssm.put_parameter(Name="/h", Value="two", Overwrite=True, Description="second")
    ssm.put_parameter(Name="/h", Value="three", Overwrite=True)
    labelled = ssm.label_parameter_version(Name="/h", ParameterVersion=1, Labels=["blue", "9bad", "awsx"])
    assert labelled["InvalidLabels"] == ["9bad", "awsx"] and labelled["ParameterVersion"] == 1
    ssm.label_parameter_version(Name="/h", ParameterVersion=2, Labels=["blue"])  # moves
    history = ssm.get_parameter_history(Name="/h")["Parameters"]
    assert [(v["Version"], v["Value"], v["Labels"]) for v in history] == \
        [(1, "one", []), (2, "two", ["blue"]), (3, "three", [])]
    assert [v.get("Description") for v in history] == ["first", "second", "second"]
    assert history[0]["LastModifiedUser"] == f"arn:aws:iam::{aws.account}:root"
    assert ssm.get_parameter(Name="/h:blue")["Parameter"]["Value"] == "two"
    page = ssm.get_parameter_history(Name="/h", MaxResults=2)
    rest = ssm.get_parameter_history(Name="/h", MaxResults=2, NextToken=page["NextToken"])
    assert [v["Version"] for v in rest["Parameters"]] == [3]
    with pytest.raises(ClientError) as raised:
        ssm.label_parameter_version(Name="/h", ParameterVersion=9, Labels=["x"])
    assert code(raised) == "ParameterVersionNotFound"
    with pytest.raises(ClientError) as raised:
        ssm.label_parameter_version(Name="/h", ParameterVersion=3, Labels=[f"l{i}" for i in range(11)])
    assert code(raised) in ("ParameterVersionLabelLimitExceeded", "ValidationException")
    ssm.label_parameter_version(Name="/h", ParameterVersion=3, Labels=[f"l{i}" for i in range(10)])
    with pytest.raises(ClientError) as raised:
        ssm.label_parameter_version(Name="/h", ParameterVersion=3, Labels=["eleventh"])
    assert code(raised) == "ParameterVersionLabelLimitExceeded"
    removed = ssm.unlabel_parameter_version(Name="/h", ParameterVersion=2, Labels=["blue", "never"])
    assert removed["RemovedLabels"] == ["blue"] and removed["InvalidLabels"] == ["never"]
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="/h:blue")
    assert code(raised) == "ParameterVersionNotFound"
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter_history(Name="/none")
    assert code(raised) == "ParameterNotFound"


def test_public_parameters(ssm: Any, aws: Harness) -> None:
    ami = ssm.get_parameter(Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")["Parameter"]
    assert ami["Value"].startswith("ami-") and ami["DataType"] == "aws:ec2:image"
    other = aws.client("ssm", region_name="eu-west-1").get_parameter(
        Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")["Parameter"]
    assert other["Value"] != ami["Value"]
    listed = ssm.get_parameters_by_path(Path="/aws/service/ami-amazon-linux-latest")
    assert len(listed["Parameters"]) == 10 and "NextToken" not in listed
    region = ssm.get_parameter(Name="/aws/service/global-infrastructure/regions/eu-west-1/longName")["Parameter"]
    assert region["Value"] == "Europe (Ireland)"
    regions = []
    token: dict[str, str] = {}
    while True:
        page = ssm.get_parameters_by_path(Path="/aws/service/global-infrastructure/regions", **token)
        regions += [p["Value"] for p in page["Parameters"]]
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert "us-east-1" in regions and "eu-west-1" in regions
    with pytest.raises(ClientError) as raised:
        ssm.get_parameter(Name="/aws/service/nothing/here")
    assert code(raised) == "ParameterNotFound"

"""Values and versions: staging labels move as AWS moves them (AWSCURRENT hands AWSPREVIOUS
on), GetSecretValue by id or label, PutSecretValue idempotency, ListSecretVersionIds,
UpdateSecretVersionStage, BatchGetSecretValue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.secretsmanager.conftest import code, message


def test_current_previous_pending(sm: Any) -> None:
    v1 = sm.create_secret(Name="s", SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId="s", SecretString="two")
    assert v2["VersionStages"] == ["AWSCURRENT"]
    v3 = sm.put_secret_value(SecretId="s", SecretString="three")["VersionId"]
    stages = sm.describe_secret(SecretId="s")["VersionIdsToStages"]
    assert stages == {v2["VersionId"]: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}  # v1 lost its labels
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "three"
    assert sm.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")["SecretString"] == "two"
    assert sm.get_secret_value(SecretId="s", VersionId=v1)["SecretString"] == "one"
    pending = sm.put_secret_value(SecretId="s", SecretString="four", VersionStages=["AWSPENDING"])["VersionId"]
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "three"
    assert sm.get_secret_value(SecretId="s", VersionStage="AWSPENDING")["VersionId"] == pending
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="s", VersionStage="nope")
    assert code(raised) == "ResourceNotFoundException"
    assert message(raised) == "Secrets Manager can't find the specified secret value for staging label: nope"
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="s", VersionId=v1, VersionStage="AWSCURRENT")
    assert code(raised) == "ResourceNotFoundException"


def test_secret_without_value(sm: Any) -> None:
    sm.create_secret(Name="empty")
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="empty")
    assert code(raised) == "ResourceNotFoundException"
    # the first version becomes current even when asked to be pending only
    put = sm.put_secret_value(SecretId="empty", SecretString="x", VersionStages=["AWSPENDING"])
    assert sorted(put["VersionStages"]) == ["AWSCURRENT", "AWSPENDING"]
    with pytest.raises(ClientError) as raised:
        sm.put_secret_value(SecretId="empty")
    assert code(raised) == "InvalidRequestException"


def test_put_is_idempotent_by_token(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="one")
    token = "t" * 32
    first = sm.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token)
    again = sm.put_secret_value(SecretId="s", SecretString="two", ClientRequestToken=token)
    assert first["VersionId"] == again["VersionId"] == token
    assert len(sm.list_secret_version_ids(SecretId="s")["Versions"]) == 2
    with pytest.raises(ClientError) as raised:
        sm.put_secret_value(SecretId="s", SecretString="other", ClientRequestToken=token)
    assert code(raised) == "ResourceExistsException"


def test_list_versions_and_deprecated(sm: Any) -> None:
    v1 = sm.create_secret(Name="s", SecretString="1")["VersionId"]
    sm.put_secret_value(SecretId="s", SecretString="2")
    sm.put_secret_value(SecretId="s", SecretString="3")
    listed = sm.list_secret_version_ids(SecretId="s")
    assert len(listed["Versions"]) == 2 and listed["Name"] == "s"
    everything = sm.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)["Versions"]
    assert everything[0]["VersionId"] == v1 and everything[0]["VersionStages"] == []
    page = sm.list_secret_version_ids(SecretId="s", IncludeDeprecated=True, MaxResults=2)
    rest = sm.list_secret_version_ids(SecretId="s", IncludeDeprecated=True, MaxResults=2, NextToken=page["NextToken"])
    assert len(page["Versions"]) == 2 and len(rest["Versions"]) == 1


def test_at_most_100_versions(sm: Any) -> None:
    first = sm.create_secret(Name="many", SecretString="0")["VersionId"]
    for i in range(1, 102):
        sm.put_secret_value(SecretId="many", SecretString=str(i))
    versions = sm.list_secret_version_ids(SecretId="many", IncludeDeprecated=True)["Versions"]
    assert len(versions) == 100
    assert first not in {v["VersionId"] for v in versions}
    assert sm.get_secret_value(SecretId="many")["SecretString"] == "101"


def test_update_version_stage(sm: Any) -> None:
    v1 = sm.create_secret(Name="s", SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId="s", SecretString="two", VersionStages=["AWSPENDING"])["VersionId"]
    with pytest.raises(ClientError) as raised:
        sm.update_secret_version_stage(SecretId="s", VersionStage="AWSCURRENT", MoveToVersionId=v2)
    assert code(raised) == "InvalidParameterException"
    assert v1 in message(raised)
    sm.update_secret_version_stage(SecretId="s", VersionStage="AWSCURRENT", MoveToVersionId=v2,
                                   RemoveFromVersionId=v1)
    stages = sm.describe_secret(SecretId="s")["VersionIdsToStages"]
    assert stages == {v1: ["AWSPREVIOUS"], v2: ["AWSPENDING", "AWSCURRENT"]}
    sm.update_secret_version_stage(SecretId="s", VersionStage="AWSPENDING", RemoveFromVersionId=v2)
    sm.update_secret_version_stage(SecretId="s", VersionStage="blue", MoveToVersionId=v1)
    assert sm.get_secret_value(SecretId="s", VersionStage="blue")["SecretString"] == "one"
    assert sm.describe_secret(SecretId="s")["VersionIdsToStages"] == {v1: ["AWSPREVIOUS", "blue"], v2: ["AWSCURRENT"]}
    with pytest.raises(ClientError) as raised:
        sm.update_secret_version_stage(SecretId="s", VersionStage="x", MoveToVersionId="0" * 32)
    assert code(raised) == "ResourceNotFoundException"


def test_batch_get_secret_value(sm: Any, aws: Harness) -> None:
    sm.create_secret(Name="a", SecretString="1", Tags=[{"Key": "app", "Value": "x"}])
    sm.create_secret(Name="b", SecretString="2", Tags=[{"Key": "app", "Value": "x"}])
    sm.create_secret(Name="c", SecretString="3")
    got = sm.batch_get_secret_value(SecretIdList=["a", "b", "missing"])
    assert [v["SecretString"] for v in got["SecretValues"]] == ["1", "2"]
    assert got["Errors"] == [{"SecretId": "missing", "ErrorCode": "ResourceNotFoundException",
                              "Message": "Secrets Manager can't find the specified secret."}]
    first = sm.batch_get_secret_value(Filters=[{"Key": "tag-key", "Values": ["app"]}], MaxResults=1)
    rest = sm.batch_get_secret_value(Filters=[{"Key": "tag-key", "Values": ["app"]}], MaxResults=1,
                                     NextToken=first["NextToken"])
    assert [v["Name"] for v in first["SecretValues"] + rest["SecretValues"]] == ["a", "b"]
    with pytest.raises(ClientError) as raised:
        sm.batch_get_secret_value(SecretIdList=["a"], Filters=[{"Key": "name", "Values": ["a"]}])
    assert code(raised) == "InvalidParameterException"


def test_last_accessed_is_a_day(sm: Any, aws: Harness) -> None:
    sm.create_secret(Name="s", SecretString="x")
    assert "LastAccessedDate" not in sm.describe_secret(SecretId="s")
    sm.get_secret_value(SecretId="s")
    accessed = sm.describe_secret(SecretId="s")["LastAccessedDate"].astimezone(dt.UTC)
    assert (accessed.hour, accessed.minute, accessed.second) == (0, 0, 0)
    assert accessed.date() == aws.emulator.clock.now().date()

"""Secrets: create (idempotency by ClientRequestToken), describe, update, list with filters,
sorting and paging, delete with a recovery window by the emulator's clock, restore."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.secretsmanager.conftest import code, message

TOKEN = "a" * 32
TOKEN2 = "b" * 32


def test_create_answers_arn_with_random_suffix(sm: Any, aws: Harness) -> None:
    created = sm.create_secret(Name="prod/db", SecretString="s3cret", Description="database")
    assert re.fullmatch(rf"arn:aws:secretsmanager:us-east-1:{aws.account}:secret:prod/db-[A-Za-z0-9]{{6}}",
                        created["ARN"])
    assert created["Name"] == "prod/db" and created["VersionId"]
    other = sm.create_secret(Name="prod/db2")
    assert "VersionId" not in other
    described = sm.describe_secret(SecretId=created["ARN"])
    assert described["Description"] == "database"
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}
    # by name, full ARN and partial ARN (without the suffix)
    partial = created["ARN"][:-7]
    assert sm.describe_secret(SecretId=partial)["ARN"] == created["ARN"]
    assert sm.describe_secret(SecretId="prod/db")["ARN"] == created["ARN"]


def test_create_is_idempotent_by_token(sm: Any) -> None:
    first = sm.create_secret(Name="app", SecretString="v1", ClientRequestToken=TOKEN)
    again = sm.create_secret(Name="app", SecretString="v1", ClientRequestToken=TOKEN)
    assert again["VersionId"] == first["VersionId"] == TOKEN and again["ARN"] == first["ARN"]
    with pytest.raises(ClientError) as raised:
        sm.create_secret(Name="app", SecretString="v2", ClientRequestToken=TOKEN)
    assert code(raised) == "ResourceExistsException"
    with pytest.raises(ClientError) as raised:
        sm.create_secret(Name="app", SecretString="v1", ClientRequestToken=TOKEN2)
    assert code(raised) == "ResourceExistsException"
    assert message(raised) == "The operation failed because the secret app already exists."


def test_create_refuses_bad_input(sm: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sm.create_secret(Name="both", SecretString="x", SecretBinary=b"y")
    assert code(raised) == "InvalidParameterException"
    with pytest.raises(ClientError) as raised:
        sm.create_secret(Name="bad name!")
    assert code(raised) == "InvalidParameterException"
    with pytest.raises(ClientError) as raised:
        sm.create_secret(Name="t", Tags=[{"Key": "aws:x", "Value": "1"}])
    assert code(raised) == "InvalidParameterException"
    with pytest.raises(ClientError) as raised:
        sm.describe_secret(SecretId="missing")
    assert code(raised) == "ResourceNotFoundException"
    assert message(raised) == "Secrets Manager can't find the specified secret."


def test_binary_secret(sm: Any) -> None:
    sm.create_secret(Name="bin", SecretBinary=b"\x00\x01\xff")
    value = sm.get_secret_value(SecretId="bin")
    assert value["SecretBinary"] == b"\x00\x01\xff" and "SecretString" not in value


def test_update_secret_description_and_value(sm: Any) -> None:
    created = sm.create_secret(Name="u", SecretString="one")
    unchanged = sm.update_secret(SecretId="u", Description="new text", KmsKeyId="alias/mine")
    assert "VersionId" not in unchanged
    described = sm.describe_secret(SecretId="u")
    assert described["Description"] == "new text" and described["KmsKeyId"] == "alias/mine"
    updated = sm.update_secret(SecretId="u", SecretString="two")
    stages = sm.describe_secret(SecretId="u")["VersionIdsToStages"]
    assert stages == {created["VersionId"]: ["AWSPREVIOUS"], updated["VersionId"]: ["AWSCURRENT"]}


def test_list_secrets_filters_sort_and_pages(sm: Any, aws: Harness) -> None:
    sm.create_secret(Name="alpha/one", Description="First DB", Tags=[{"Key": "team", "Value": "red"}])
    aws.emulator.clock.advance(10)
    sm.create_secret(Name="alpha/two", Description="second", Tags=[{"Key": "env", "Value": "prod"}])
    aws.emulator.clock.advance(10)
    sm.create_secret(Name="beta", Description="first cache")

    def names(**kwargs: Any) -> list[str]:
        return [s["Name"] for s in sm.list_secrets(**kwargs)["SecretList"]]

    assert names() == ["alpha/one", "alpha/two", "beta"]
    assert names(SortOrder="desc") == ["beta", "alpha/two", "alpha/one"]
    assert names(SortBy="name", SortOrder="desc") == ["beta", "alpha/two", "alpha/one"]
    assert names(Filters=[{"Key": "name", "Values": ["alpha"]}]) == ["alpha/one", "alpha/two"]
    assert names(Filters=[{"Key": "name", "Values": ["Alpha"]}]) == []  # names are case-sensitive
    assert names(Filters=[{"Key": "description", "Values": ["FIRST"]}]) == ["alpha/one", "beta"]
    assert names(Filters=[{"Key": "name", "Values": ["!alpha"]}]) == ["beta"]
    assert names(Filters=[{"Key": "tag-key", "Values": ["team"]}]) == ["alpha/one"]
    assert names(Filters=[{"Key": "tag-value", "Values": ["pro"]}]) == ["alpha/two"]
    assert names(Filters=[{"Key": "all", "Values": ["cache"]}]) == ["beta"]
    assert names(Filters=[{"Key": "name", "Values": ["alpha"]}, {"Key": "description", "Values": ["sec"]}]) == \
        ["alpha/two"]
    first = sm.list_secrets(MaxResults=2)
    assert [s["Name"] for s in first["SecretList"]] == ["alpha/one", "alpha/two"]
    rest = sm.list_secrets(MaxResults=2, NextToken=first["NextToken"])
    assert [s["Name"] for s in rest["SecretList"]] == ["beta"] and "NextToken" not in rest
    with pytest.raises(ClientError) as raised:
        sm.list_secrets(NextToken="forged")
    assert code(raised) == "InvalidNextTokenException"
    entry = sm.list_secrets(Filters=[{"Key": "name", "Values": ["beta"]}])["SecretList"][0]
    assert "SecretVersionsToStages" in entry and entry["Description"] == "first cache"


def test_delete_with_recovery_window_then_gone(sm: Any, aws: Harness) -> None:
    created = sm.create_secret(Name="temp", SecretString="x")
    deleted = sm.delete_secret(SecretId="temp", RecoveryWindowInDays=7)
    assert (deleted["DeletionDate"] - sm.describe_secret(SecretId="temp")["DeletedDate"]).days == 7
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="temp")
    assert code(raised) == "InvalidRequestException"
    assert message(raised) == ("You can't perform this operation on the secret because it was marked for "
                               "deletion.")
    with pytest.raises(ClientError) as raised:
        sm.create_secret(Name="temp")
    assert code(raised) == "InvalidRequestException"
    assert [s["Name"] for s in sm.list_secrets()["SecretList"]] == []
    assert [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == ["temp"]
    aws.emulator.clock.advance(6 * 86400)
    assert sm.describe_secret(SecretId=created["ARN"])["Name"] == "temp"
    aws.emulator.clock.advance(86400 + 1)
    with pytest.raises(ClientError) as raised:
        sm.describe_secret(SecretId="temp")
    assert code(raised) == "ResourceNotFoundException"
    again = sm.create_secret(Name="temp", SecretString="new")
    assert again["ARN"] != created["ARN"] or again["VersionId"] != created["VersionId"]


def test_restore_and_force_delete(sm: Any) -> None:
    sm.create_secret(Name="keep", SecretString="x")
    sm.delete_secret(SecretId="keep")
    described = sm.describe_secret(SecretId="keep")
    assert "DeletedDate" in described
    sm.restore_secret(SecretId="keep")
    assert "DeletedDate" not in sm.describe_secret(SecretId="keep")
    assert sm.get_secret_value(SecretId="keep")["SecretString"] == "x"
    for kwargs, expected in (({"RecoveryWindowInDays": 6}, "InvalidParameterException"),
                             ({"RecoveryWindowInDays": 31}, "InvalidParameterException"),
                             ({"RecoveryWindowInDays": 7, "ForceDeleteWithoutRecovery": True},
                              "InvalidParameterException")):
        with pytest.raises(ClientError) as raised:
            sm.delete_secret(SecretId="keep", **kwargs)
        assert code(raised) == expected, kwargs
    sm.delete_secret(SecretId="keep", ForceDeleteWithoutRecovery=True)
    with pytest.raises(ClientError) as raised:
        sm.describe_secret(SecretId="keep")
    assert code(raised) == "ResourceNotFoundException"
    sm.create_secret(Name="keep", SecretString="fresh")
    assert sm.get_secret_value(SecretId="keep")["SecretString"] == "fresh"

"""Secrets Manager's state view: snapshot -> restore onto a fresh emulator (every version,
label, deleted-but-recoverable secret, policy and schedule), merge, invalid views, schema."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateChange, StateViewError
from tests.harness import Harness

ACCOUNT, REGION = "123456789012", "us-east-1"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})


def _populate(sm: Any) -> dict[str, str]:
    arn = sm.create_secret(Name="db", SecretString="one", Description="d", Tags=[{"Key": "k", "Value": "v"}])["ARN"]
    v2 = sm.put_secret_value(SecretId="db", SecretString="two")["VersionId"]
    pending = sm.put_secret_value(SecretId="db", SecretString="three", VersionStages=["AWSPENDING"])["VersionId"]
    sm.put_resource_policy(SecretId="db", ResourcePolicy=POLICY)
    sm.rotate_secret(SecretId="db", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:f",
                     RotationRules={"AutomaticallyAfterDays": 10}, RotateImmediately=False)
    sm.create_secret(Name="bin", SecretBinary=b"\x00\xff")
    sm.create_secret(Name="gone", SecretString="x")
    sm.delete_secret(SecretId="gone", RecoveryWindowInDays=7)
    return {"arn": arn, "v2": v2, "pending": pending}


def test_snapshot_restores_onto_a_fresh_emulator(aws: Harness) -> None:
    sm = aws.client("secretsmanager")
    names = _populate(sm)
    described = sm.describe_secret(SecretId="db")
    view = aws.emulator.service("secretsmanager").snapshot(aws.account, aws.region)
    text = view.model_dump_json()
    data = json.loads(text)
    secrets = {s["name"]: s for s in data["secrets"]}
    assert set(secrets) == {"db", "bin", "gone"}
    assert secrets["gone"]["deleted_date"] and secrets["gone"]["deletion_date"]
    assert len(secrets["db"]["versions"]) == 3
    with hoarfrost.mock_aws() as fresh:
        fresh.service("secretsmanager").restore(ACCOUNT, REGION, text)
        sm2 = boto3.client("secretsmanager", region_name=REGION)
        again = sm2.describe_secret(SecretId=names["arn"])
        for key in ("ARN", "VersionIdsToStages", "Tags", "RotationRules", "NextRotationDate", "CreatedDate",
                    "Description"):
            assert again[key] == described[key], key
        assert sm2.get_secret_value(SecretId="db")["SecretString"] == "two"
        assert sm2.get_secret_value(SecretId="db", VersionStage="AWSPREVIOUS")["SecretString"] == "one"
        assert sm2.get_secret_value(SecretId="db", VersionStage="AWSPENDING")["VersionId"] == names["pending"]
        assert sm2.get_secret_value(SecretId="bin")["SecretBinary"] == b"\x00\xff"
        assert json.loads(sm2.get_resource_policy(SecretId="db")["ResourcePolicy"]) == json.loads(POLICY)
        assert "DeletedDate" in sm2.describe_secret(SecretId="gone")
        sm2.restore_secret(SecretId="gone")
        assert sm2.get_secret_value(SecretId="gone")["SecretString"] == "x"
        # the recovery window still runs out by the clock after a restore
        fresh.service("secretsmanager").restore(ACCOUNT, REGION, text)
        fresh.clock.advance(8 * 86400)
        assert [s["Name"] for s in sm2.list_secrets(IncludePlannedDeletion=True)["SecretList"]] == ["db", "bin"]


def test_restore_into_another_account_moves_arns(aws: Harness) -> None:
    sm = aws.client("secretsmanager")
    arn = sm.create_secret(Name="db", SecretString="x")["ARN"]
    view = aws.emulator.service("secretsmanager").snapshot(aws.account, aws.region)
    service = aws.emulator.service("secretsmanager")
    service.restore("210987654321", "eu-west-1", view)
    moved = service.snapshot("210987654321", "eu-west-1")
    assert moved.secrets[0].suffix == arn[-6:]
    scope = service.scope("210987654321", "eu-west-1")
    assert scope.backend.secrets["db"].arn == arn.replace("us-east-1", "eu-west-1").replace(ACCOUNT, "210987654321")


def test_merge_keeps_what_exists(aws: Harness) -> None:
    sm = aws.client("secretsmanager")
    v1 = sm.create_secret(Name="db", SecretString="one")["VersionId"]
    sm.create_secret(Name="other", SecretString="o")
    service = aws.emulator.service("secretsmanager")
    view = service.snapshot(aws.account, aws.region)
    sm.delete_secret(SecretId="other", ForceDeleteWithoutRecovery=True)
    v2 = sm.put_secret_value(SecretId="db", SecretString="two")["VersionId"]
    partial = {"secrets": [{
        "name": "db", "suffix": view.secrets[0].suffix, "created_date": "2024-01-01T00:00:00Z",
        "last_changed_date": "2024-01-01T00:00:00Z", "description": "merged",
        "versions": [{"version_id": v1, "created_date": "2024-01-01T00:00:00Z", "secret_string": "ONE",
                      "stages": ["AWSPREVIOUS"]}]}]}
    service.merge(aws.account, aws.region, partial)
    assert sm.describe_secret(SecretId="db")["Description"] == "merged"
    assert sm.get_secret_value(SecretId="db", VersionId=v1)["SecretString"] == "ONE"
    assert sm.get_secret_value(SecretId="db", VersionId=v2)["SecretString"] == "two"  # kept
    service.merge(aws.account, aws.region, view)
    assert sm.get_secret_value(SecretId="other")["SecretString"] == "o"


@pytest.mark.parametrize("bad", [
    {"secrets": [{"name": "a", "suffix": "short", "created_date": "2024-01-01T00:00:00Z",
                  "last_changed_date": "2024-01-01T00:00:00Z"}]},
    {"secrets": [{"name": "a", "suffix": "abcdef", "created_date": "2024-01-01T00:00:00Z",
                  "last_changed_date": "2024-01-01T00:00:00Z", "versions": [
                      {"version_id": "1", "created_date": "2024-01-01T00:00:00Z", "stages": ["AWSCURRENT"]},
                      {"version_id": "2", "created_date": "2024-01-01T00:00:00Z", "stages": ["AWSCURRENT"]}]}]},
    {"secrets": [{"name": "a", "suffix": "abcdef", "created_date": "2024-01-01T00:00:00Z",
                  "last_changed_date": "2024-01-01T00:00:00Z", "resource_policy": "{broken"}]},
    {"secrets": [{"name": "a", "suffix": "abcdef"}]},
    {"secrets": [{"name": "a", "suffix": "abcdef", "created_date": "2024-01-01T00:00:00Z",
                  "last_changed_date": "2024-01-01T00:00:00Z", "unknown": 1}]},
])
def test_an_invalid_view_changes_nothing(aws: Harness, bad: dict[str, Any]) -> None:
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="kept", SecretString="x")
    service = aws.emulator.service("secretsmanager")
    before = service.snapshot(aws.account, aws.region).model_dump()
    with pytest.raises(StateViewError) as raised:
        service.restore(aws.account, aws.region, bad)
    assert raised.value.kind == "invalid"
    with pytest.raises(StateViewError):
        service.merge(aws.account, aws.region, bad)
    assert service.snapshot(aws.account, aws.region).model_dump() == before


def test_schema_marks_values_sensitive_and_changes_notify(aws: Harness) -> None:
    service = aws.emulator.service("secretsmanager")
    schema = json.dumps(service.json_schema())
    assert '"sensitive": true' in schema
    changes: list[StateChange] = []
    with service.notifier.subscribe(changes.append):
        sm = aws.client("secretsmanager")
        sm.create_secret(Name="n", SecretString="x")
        sm.describe_secret(SecretId="n")
        sm.get_random_password()
    assert [c.operation for c in changes] == ["CreateSecret"]
    assert changes[0].view().secrets[0].name == "n"

"""Rotation configuration (stored and scheduled by the emulator's clock; rotation functions
actually running are in test_rotation_lambda.py) and replicas in other regions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.secretsmanager.conftest import code, message

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:rotate"


def test_rotation_schedule_is_stored(sm: Any, aws: Harness) -> None:
    sm.create_secret(Name="s", SecretString="x")
    with pytest.raises(ClientError) as raised:
        sm.rotate_secret(SecretId="s", RotateImmediately=False, RotationRules={"AutomaticallyAfterDays": 30})
    assert code(raised) == "InvalidRequestException"
    before = aws.emulator.clock.now()
    out = sm.rotate_secret(SecretId="s", RotationLambdaARN=LAMBDA, RotateImmediately=False,
                           RotationRules={"AutomaticallyAfterDays": 30})
    assert out["Name"] == "s" and "VersionId" not in out
    described = sm.describe_secret(SecretId="s")
    assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == LAMBDA
    assert described["RotationRules"]["AutomaticallyAfterDays"] == 30
    delta = described["NextRotationDate"] - before
    assert dt.timedelta(days=30, seconds=-1) <= delta < dt.timedelta(days=30, minutes=1)
    sm.rotate_secret(SecretId="s", RotateImmediately=False,
                     RotationRules={"ScheduleExpression": "rate(4 hours)", "Duration": "2h"})
    described = sm.describe_secret(SecretId="s")
    assert described["RotationRules"] == {"ScheduleExpression": "rate(4 hours)", "Duration": "2h"}
    assert described["NextRotationDate"] - aws.emulator.clock.now() <= dt.timedelta(hours=4)
    sm.cancel_rotate_secret(SecretId="s")
    described = sm.describe_secret(SecretId="s")
    assert described["RotationEnabled"] is False and "NextRotationDate" not in described


def test_rotate_now_cannot_invoke_a_function(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="x")
    with pytest.raises(ClientError) as raised:
        sm.rotate_secret(SecretId="s", RotationLambdaARN=LAMBDA, RotationRules={"AutomaticallyAfterDays": 7})
    assert code(raised) == "AccessDeniedException"
    assert "cannot invoke the specified Lambda function" in message(raised)
    assert "RotationEnabled" not in sm.describe_secret(SecretId="s")
    with pytest.raises(ClientError) as raised:
        sm.rotate_secret(SecretId="s", RotationLambdaARN=LAMBDA, RotateImmediately=False,
                         RotationRules={"ScheduleExpression": "every day"})
    assert code(raised) == "InvalidParameterException"


def test_replicas(sm: Any, aws: Harness) -> None:
    kms_eu = aws.client("kms", region_name="eu-west-1")
    kms_eu.create_alias(AliasName="alias/eu", TargetKeyId=kms_eu.create_key()["KeyMetadata"]["KeyId"])
    created = sm.create_secret(Name="shared", SecretString="v1",
                               AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": "alias/eu"}])
    assert created["ReplicationStatus"][0]["Region"] == "eu-west-1"
    assert created["ReplicationStatus"][0]["Status"] == "InSync"
    eu = aws.client("secretsmanager", region_name="eu-west-1")
    replica = eu.describe_secret(SecretId="shared")
    assert replica["PrimaryRegion"] == "us-east-1"
    assert replica["ARN"] == created["ARN"].replace("us-east-1", "eu-west-1")
    assert eu.get_secret_value(SecretId="shared")["SecretString"] == "v1"
    sm.put_secret_value(SecretId="shared", SecretString="v2")
    assert eu.get_secret_value(SecretId="shared")["SecretString"] == "v2"
    with pytest.raises(ClientError) as raised:
        eu.put_secret_value(SecretId="shared", SecretString="nope")
    assert code(raised) == "InvalidRequestException"
    # a name taken in the target region fails unless overwritten
    west = aws.client("secretsmanager", region_name="us-west-2")
    west.create_secret(Name="shared", SecretString="mine")
    status = sm.replicate_secret_to_regions(SecretId="shared", AddReplicaRegions=[{"Region": "us-west-2"}])
    failed = next(s for s in status["ReplicationStatus"] if s["Region"] == "us-west-2")
    assert failed["Status"] == "Failed"
    assert west.get_secret_value(SecretId="shared")["SecretString"] == "mine"
    described = sm.describe_secret(SecretId="shared")
    assert {s["Region"] for s in described["ReplicationStatus"]} == {"eu-west-1", "us-west-2"}
    with pytest.raises(ClientError) as raised:
        sm.delete_secret(SecretId="shared")
    assert code(raised) == "InvalidRequestException"
    sm.remove_regions_from_replication(SecretId="shared", RemoveReplicaRegions=["eu-west-1", "us-west-2"])
    with pytest.raises(ClientError) as raised:
        eu.describe_secret(SecretId="shared")
    assert code(raised) == "ResourceNotFoundException"
    assert west.get_secret_value(SecretId="shared")["SecretString"] == "mine"


def test_stop_replication_promotes_the_replica(sm: Any, aws: Harness) -> None:
    sm.create_secret(Name="p", SecretString="v1")
    sm.replicate_secret_to_regions(SecretId="p", AddReplicaRegions=[{"Region": "eu-west-1"}])
    eu = aws.client("secretsmanager", region_name="eu-west-1")
    with pytest.raises(ClientError) as raised:
        sm.stop_replication_to_replica(SecretId="p")
    assert code(raised) == "InvalidRequestException"
    eu.stop_replication_to_replica(SecretId="p")
    assert "PrimaryRegion" not in eu.describe_secret(SecretId="p")
    assert "ReplicationStatus" not in sm.describe_secret(SecretId="p")
    eu.put_secret_value(SecretId="p", SecretString="own")
    sm.put_secret_value(SecretId="p", SecretString="v2")
    assert eu.get_secret_value(SecretId="p")["SecretString"] == "own"
    assert eu.get_secret_value(SecretId="p", VersionStage="AWSPREVIOUS")["SecretString"] == "v1"


def test_cron_schedule_next_rotation(sm: Any, aws: Harness) -> None:
    sm.create_secret(Name="c", SecretString="x")
    sm.rotate_secret(SecretId="c", RotationLambdaARN=LAMBDA, RotateImmediately=False,
                     RotationRules={"ScheduleExpression": "cron(30 4 ? * MON *)", "Duration": "3h"})
    when = sm.describe_secret(SecretId="c")["NextRotationDate"].astimezone(dt.UTC)
    now = aws.emulator.clock.now()
    assert (when.isoweekday(), when.hour, when.minute) == (1, 4, 30)
    assert dt.timedelta(0) < when - now <= dt.timedelta(days=7)
    sm.rotate_secret(SecretId="c", RotateImmediately=False,
                     RotationRules={"ScheduleExpression": "cron(0 0 1,15 JAN-JUN ? *)"})
    when = sm.describe_secret(SecretId="c")["NextRotationDate"].astimezone(dt.UTC)
    assert when.day in (1, 15) and 1 <= when.month <= 6 and (when.hour, when.minute) == (0, 0)
    for bad in ("cron(0 0 * * * *)", "cron(61 0 ? * MON *)", "cron(0 0 ? * MON)"):
        with pytest.raises(ClientError) as raised:
            sm.rotate_secret(SecretId="c", RotateImmediately=False, RotationRules={"ScheduleExpression": bad})
        assert code(raised) == "InvalidParameterException", bad


def test_cron_evaluation() -> None:
    from hoarfrost.services.secretsmanager.schedule import next_rotation
    from hoarfrost.services.secretsmanager.state import RotationRules

    base = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC).timestamp()  # a Wednesday

    def after(expression: str) -> dt.datetime | None:
        moment = next_rotation(RotationRules(schedule_expression=expression), base)
        return None if moment is None else dt.datetime.fromtimestamp(moment, dt.UTC)

    assert after("cron(0 12 * * ? *)") == dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC)
    assert after("cron(15 13 * * ? *)") == dt.datetime(2026, 3, 4, 13, 15, tzinfo=dt.UTC)
    assert after("cron(0 8 ? * SUN *)") == dt.datetime(2026, 3, 8, 8, 0, tzinfo=dt.UTC)
    assert after("cron(0 0 29 FEB ? *)") == dt.datetime(2028, 2, 29, 0, 0, tzinfo=dt.UTC)
    assert after("cron(0 0 1 1 ? 2027)") == dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert after("cron(*/20 0 ? * 1 *)") == dt.datetime(2026, 3, 8, 0, 0, tzinfo=dt.UTC)
    assert after("cron(0 0 L * ? *)") is None  # stored, not computed
    assert after("rate(10 days)") == dt.datetime(2026, 3, 14, 12, 0, tzinfo=dt.UTC)

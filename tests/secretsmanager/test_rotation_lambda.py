"""Rotation by a Lambda function: RotateSecret answers the new version's id at once, and the
function then receives createSecret, setSecret, testSecret and finishSecret in order, writes
AWSPENDING and moves AWSCURRENT itself; a failing step leaves AWSPENDING in place; a schedule
fires when the emulator's clock passes NextRotationDate; the function must exist and let
secretsmanager.amazonaws.com invoke it.

Each test runs one function (one warm worker) through every case it checks. The function keeps
a trace in the secret's tags (the steps it saw, the token, whether a RotationToken came), and
fails the step a ``fail`` tag names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

import hoarfrost
from tests.harness import Harness
from tests.lambda_.conftest import create
from tests.secretsmanager.conftest import code, message

ROTATE = '''
import boto3

sm = boto3.client("secretsmanager")


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    described = sm.describe_secret(SecretId=arn)
    tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
    trace = (tags.get("steps", "") + " " + step).strip()
    sm.tag_resource(SecretId=arn, Tags=[
        {"Key": "steps", "Value": trace}, {"Key": "token", "Value": token},
        {"Key": "rotation-token", "Value": "yes" if len(event.get("RotationToken") or "") >= 36 else "no"}])
    if tags.get("fail") == step:
        raise RuntimeError("cannot " + step)
    if step == "createSecret":
        current = sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"]
        try:
            sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except sm.exceptions.ResourceNotFoundException:
            sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=current + "+",
                                VersionStages=["AWSPENDING"])
    elif step == "testSecret":
        sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
    elif step == "finishSecret":
        stages = described["VersionIdsToStages"]
        current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
        if current != token:
            sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                           RemoveFromVersionId=current)
'''
STEPS = "createSecret setSecret testSecret finishSecret"


def _function(aws: Harness, name: str = "rotator", *, permitted: bool = True) -> str:
    lam = aws.client("lambda")
    arn = create(lam, name, ROTATE, Timeout=30)
    if permitted:
        lam.add_permission(FunctionName=name, StatementId="sm", Action="lambda:InvokeFunction",
                           Principal="secretsmanager.amazonaws.com", SourceAccount=aws.account)
    return arn


def _settle(aws: Harness) -> None:
    assert aws.emulator.service("secretsmanager").wait_for_rotations(30)


def _tags(sm: Any, secret: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=secret).get("Tags", [])}


def _stages(sm: Any, secret: str) -> dict[str, list[str]]:
    return dict(sm.describe_secret(SecretId=secret)["VersionIdsToStages"])


def test_rotation_runs_the_four_steps_then_on_schedule(aws: Harness) -> None:
    sm = aws.client("secretsmanager")
    function = _function(aws)
    first = sm.create_secret(Name="db", SecretString="pw")
    out = sm.rotate_secret(SecretId="db", RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 7})
    token = out["VersionId"]
    assert out["ARN"] == first["ARN"] and token != first["VersionId"]
    _settle(aws)
    tags = _tags(sm, "db")
    assert tags["steps"] == STEPS and tags["token"] == token and tags["rotation-token"] == "yes"
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "pw+"
    assert sm.get_secret_value(SecretId="db")["VersionId"] == token
    assert sm.get_secret_value(SecretId="db", VersionStage="AWSPREVIOUS")["SecretString"] == "pw"
    assert _stages(sm, "db") == {token: ["AWSCURRENT"], first["VersionId"]: ["AWSPREVIOUS"]}
    described = sm.describe_secret(SecretId="db")
    assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == function
    rotated = described["LastRotatedDate"]
    assert abs(rotated - aws.emulator.clock.now()) < dt.timedelta(minutes=1)
    assert described["NextRotationDate"] - rotated >= dt.timedelta(days=7, seconds=-1)

    # Not due yet: advancing the clock a little starts nothing.
    aws.emulator.clock.advance(86_400)
    _settle(aws)
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "pw+"
    # Past NextRotationDate the schedule rotates by itself, with a fresh version id.
    aws.emulator.clock.advance(7 * 86_400)
    _settle(aws)
    current = sm.get_secret_value(SecretId="db")
    assert current["SecretString"] == "pw++" and current["VersionId"] not in (token, first["VersionId"])
    assert _tags(sm, "db")["steps"] == f"{STEPS} {STEPS}"
    assert sm.get_secret_value(SecretId="db", VersionStage="AWSPREVIOUS")["VersionId"] == token
    later = sm.describe_secret(SecretId="db")
    assert later["LastRotatedDate"] > rotated and later["NextRotationDate"] > later["LastRotatedDate"]

    # The rotated secret's view round-trips onto a fresh emulator (with KMS beside it).
    service = aws.emulator.service("secretsmanager")
    view = service.snapshot(aws.account, aws.region)
    keys = aws.emulator.service("kms").snapshot_json(aws.account, aws.region)
    with hoarfrost.mock_aws() as fresh:
        fresh.service("secretsmanager").restore(aws.account, aws.region, view.model_dump_json())
        fresh.service("kms").restore(aws.account, aws.region, keys)
        assert fresh.service("secretsmanager").snapshot(aws.account, aws.region) == view
        again = boto3.client("secretsmanager", region_name=aws.region)
        assert again.get_secret_value(SecretId="db")["SecretString"] == "pw++"
        restored = again.describe_secret(SecretId="db")
        for key in ("LastRotatedDate", "NextRotationDate", "RotationLambdaARN", "VersionIdsToStages"):
            assert restored[key] == later[key], key

    # reset stops the rotation thread; the next rotation starts a new one.
    thread = service.rotator._thread
    assert thread is not None and thread.is_alive()
    service.reset()
    assert not thread.is_alive() and service.rotator._thread is None


def test_a_failing_step_leaves_the_rotation_pending(aws: Harness) -> None:
    sm = aws.client("secretsmanager")
    function = _function(aws)
    first = sm.create_secret(Name="db", SecretString="pw", Tags=[{"Key": "fail", "Value": "testSecret"}])["VersionId"]
    token = sm.rotate_secret(SecretId="db", RotationLambdaARN=function,
                             RotationRules={"AutomaticallyAfterDays": 1})["VersionId"]
    _settle(aws)
    assert _tags(sm, "db")["steps"] == "createSecret setSecret testSecret"  # finishSecret never ran
    assert _stages(sm, "db") == {first: ["AWSCURRENT"], token: ["AWSPENDING"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "pw"
    described = sm.describe_secret(SecretId="db")
    assert "LastRotatedDate" not in described and described["RotationEnabled"] is True
    service = aws.emulator.service("secretsmanager")
    secret = service.backends.scope(aws.account, aws.region).backend.secrets["db"]
    assert secret.rotation_failure is not None and "testSecret" in secret.rotation_failure
    assert "cannot testSecret" in secret.rotation_failure

    # Another rotation is refused while that one is pending...
    with pytest.raises(ClientError) as raised:
        sm.rotate_secret(SecretId="db")
    assert code(raised) == "InvalidRequestException"
    assert message(raised) == "A previous rotation isn't complete. That rotation will be reattempted."
    # ...but the pending one may be retried with its token (here it fails again)...
    sm.untag_resource(SecretId="db", TagKeys=["steps"])
    assert sm.rotate_secret(SecretId="db", ClientRequestToken=token)["VersionId"] == token
    _settle(aws)
    assert _tags(sm, "db")["steps"] == "createSecret setSecret testSecret"
    assert _stages(sm, "db") == {first: ["AWSCURRENT"], token: ["AWSPENDING"]}
    # ...and the schedule reattempts it with the same version when it is next due.
    sm.untag_resource(SecretId="db", TagKeys=["fail", "steps"])
    thread = service.rotator._thread
    assert thread is not None and thread.is_alive()
    aws.emulator.clock.advance(2 * 86_400)
    _settle(aws)
    assert _tags(sm, "db")["steps"] == STEPS and _tags(sm, "db")["token"] == token
    assert _stages(sm, "db") == {token: ["AWSCURRENT"], first: ["AWSPREVIOUS"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "pw+"
    assert "LastRotatedDate" in sm.describe_secret(SecretId="db") and secret.rotation_failure is None

    # close() ends the rotation thread (Emulator.close calls it).
    service.close()
    assert not thread.is_alive() and service.rotator._thread is None


def test_the_function_must_exist_and_allow_secrets_manager(aws: Harness) -> None:
    sm, lam = aws.client("secretsmanager"), aws.client("lambda")
    sm.create_secret(Name="db", SecretString="pw")
    missing = f"arn:aws:lambda:{aws.region}:{aws.account}:function:nothing"
    # A function with no policy, and one whose policy names another account as the source.
    bare = create(lam, "bare", "def handler(event, context):\n    return None\n")
    other = create(lam, "other", "def handler(event, context):\n    return None\n")
    lam.add_permission(FunctionName="other", StatementId="sm", Action="lambda:InvokeFunction",
                       Principal="secretsmanager.amazonaws.com", SourceAccount="111122223333")
    for arn in (missing, bare, other, "not-an-arn"):
        with pytest.raises(ClientError) as raised:
            sm.rotate_secret(SecretId="db", RotationLambdaARN=arn)
        assert code(raised) == "AccessDeniedException", arn
        assert message(raised) == ("Secrets Manager cannot invoke the specified Lambda function. Ensure that the "
                                   "function policy grants access to the principal secretsmanager.amazonaws.com.")
    described = sm.describe_secret(SecretId="db")
    assert "RotationEnabled" not in described and list(_stages(sm, "db").values()) == [["AWSCURRENT"]]
    assert aws.emulator.service("secretsmanager").rotator._thread is None  # nothing was started

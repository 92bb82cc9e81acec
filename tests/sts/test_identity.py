"""Issued credentials work: requests signed with them belong to the principal's account."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from botocore.exceptions import ClientError

from tests.sts.helpers import (
    RAW,
    ROLE_ACCOUNT,
    ROLE_ARN,
    client_for,
    error_of,
    oidc_token,
)


def test_assumed_role_identity_end_to_end(aws):
    assumed = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="ci-run")
    identity = client_for(aws, assumed["Credentials"]).get_caller_identity()
    assert identity["Account"] == ROLE_ACCOUNT
    assert identity["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/ci-run"
    assert identity["UserId"] == assumed["AssumedRoleUser"]["AssumedRoleId"]
    # Every service attributes the key to the role's account, not the default one.
    assert aws.emulator.accounts.account_for(assumed["Credentials"]["AccessKeyId"]) == ROLE_ACCOUNT


def test_web_identity_credentials_are_the_roles(aws):
    assumed = aws.client("sts").assume_role_with_web_identity(
        RoleArn=ROLE_ARN, RoleSessionName="pod", WebIdentityToken=oidc_token())
    identity = client_for(aws, assumed["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/pod"


def test_expired_credentials_answer_expired_token(aws):
    assumed = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="old")
    key = assumed["Credentials"]["AccessKeyId"]
    service = aws.emulator.service("sts")
    view = service.snapshot(aws.account, aws.region)
    view.sessions[0].expiration = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    service.restore(aws.account, aws.region, view)
    with pytest.raises(ClientError) as excinfo:
        client_for(aws, assumed["Credentials"]).get_caller_identity()
    assert error_of(excinfo) == ("ExpiredToken", "The security token included in the request is expired", 403)
    # Still attributed to its account (documented: only STS checks expiry).
    assert aws.emulator.accounts.account_for(key) == ROLE_ACCOUNT


def test_role_chaining_inherits_transitive_tags_and_source_identity(aws):
    first = aws.client("sts").assume_role(
        RoleArn=ROLE_ARN, RoleSessionName="first", SourceIdentity="alice",
        Tags=[{"Key": "team", "Value": "core"}, {"Key": "temp", "Value": "x"}], TransitiveTagKeys=["team"])
    chained_client = client_for(aws, first["Credentials"], config=RAW)
    second = chained_client.assume_role(RoleArn=f"arn:aws:iam::{ROLE_ACCOUNT}:role/next", RoleSessionName="second")
    assert second["SourceIdentity"] == "alice"
    # The chained request is signed by a session of ROLE_ACCOUNT, so that scope issued it.
    view = aws.emulator.service("sts").snapshot(ROLE_ACCOUNT, aws.region)
    sessions = {s.role_session_name: s for s in view.sessions}
    assert sessions["second"].tags == {"team": "core"}
    assert sessions["second"].transitive_tag_keys == ["team"]
    with pytest.raises(ClientError) as excinfo:
        chained_client.assume_role(RoleArn=ROLE_ARN, RoleSessionName="third", Tags=[{"Key": "Team", "Value": "y"}])
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", ("One of the specified transitive tag keys can't be "
                                     "set because it conflicts with a transitive tag key from the calling session."))
    with pytest.raises(ClientError) as excinfo:
        chained_client.assume_role(RoleArn=ROLE_ARN, RoleSessionName="third", SourceIdentity="mallory")
    # AWS's answer, as observed: ValidationError, not AccessDenied.
    assert error_of(excinfo)[:2] == ("ValidationError", "The source identity is already set for this assume role session")


def test_assume_role_with_web_identity_is_unsigned_over_http(server):
    """Real SDKs send AssumeRoleWithWebIdentity without a signature: it routes by Action."""
    body = {
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": ROLE_ARN,
        "RoleSessionName": "unsigned", "WebIdentityToken": oidc_token(),
    }
    response = requests.post(server.endpoint_url + "/", data=body, timeout=10)
    assert response.status_code == 200, response.text
    assert "<AssumeRoleWithWebIdentityResponse" in response.text
    assert f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/unsigned" in response.text


def test_session_lives_in_the_callers_scope(aws):
    """The issuing request's scope owns the session (its view lists it), whatever the role's account."""
    aws.client("sts", region_name="eu-west-1").assume_role(RoleArn=ROLE_ARN, RoleSessionName="eu")
    service = aws.emulator.service("sts")
    assert [s.role_session_name for s in service.snapshot(aws.account, "eu-west-1").sessions] == ["eu"]
    assert service.snapshot(aws.account, aws.region).sessions == []
    assert service.snapshot(ROLE_ACCOUNT, "eu-west-1").sessions == []


def test_temporary_key_needs_its_session_token(aws):
    credentials = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="tok")["Credentials"]
    for token in (None, "not-the-token"):
        kwargs = {"aws_session_token": token} if token else {}
        sts = aws.client("sts", aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"], **kwargs)
        with pytest.raises(ClientError) as excinfo:
            sts.get_caller_identity()
        assert error_of(excinfo) == ("InvalidClientTokenId", "The security token included in the request is invalid.",
                                     403)


def test_other_services_attribute_issued_keys_to_the_roles_account(aws):
    if "sqs" not in aws.emulator.implemented_services():
        pytest.skip("SQS is not implemented in this tree")
    credentials = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="sqs")["Credentials"]
    role_sqs = client_for(aws, credentials, service="sqs")
    url = role_sqs.create_queue(QueueName="from-role")["QueueUrl"]
    assert f"/{ROLE_ACCOUNT}/from-role" in url
    assert role_sqs.list_queues().get("QueueUrls") == [url]
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []  # not in the default account

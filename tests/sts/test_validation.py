"""STS's validation errors: codes, messages and statuses as STS sends them."""

from __future__ import annotations

import json
import random
import string

import pytest
from botocore.exceptions import ClientError

from tests.sts.helpers import (
    RAW,
    ROLE_ARN,
    SAML_PROVIDER_ARN,
    client_for,
    error_of,
    jwt,
    oidc_token,
    saml_response,
)


@pytest.fixture
def sts(aws):
    return aws.client("sts", config=RAW)


def test_duration_below_minimum(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=100)
    assert error_of(excinfo) == (
        "ValidationError",
        "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900",
        400,
    )
    assert excinfo.value.response["Error"]["Type"] == "Sender"


@pytest.mark.parametrize(("operation", "kwargs", "maximum"), [
    ("assume_role", {"RoleArn": ROLE_ARN, "RoleSessionName": "s1"}, 43200),
    ("get_session_token", {}, 129600),
    ("get_federation_token", {"Name": "bob"}, 129600),
])
def test_duration_above_maximum(sts, operation, kwargs, maximum):
    with pytest.raises(ClientError) as excinfo:
        getattr(sts, operation)(DurationSeconds=maximum + 1, **kwargs)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationError", 400)
    assert message == (f"1 validation error detected: Value '{maximum + 1}' at 'durationSeconds' failed to satisfy "
                       f"constraint: Member must have value less than or equal to {maximum}")


def test_session_name_pattern_and_length(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="bad name!")
    code, message, _ = error_of(excinfo)
    assert code == "ValidationError"
    assert message == ("1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="x" * 65)
    assert "Member must have length less than or equal to 64" in error_of(excinfo)[1]


def test_missing_required_members(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN)
    assert error_of(excinfo)[:2] == (
        "ValidationError",
        "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: "
        "Member must not be null",
    )


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::111111111111:user/alice",
    "arn:aws:iam::11111111111:role/short-account",
    "arn:aws:s3:::bucket/role/not-iam-at-all",
    "arn:aws:iam:us-east-1:111111111111:role/regional",
])
def test_role_arn_must_be_an_iam_role(sts, arn):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    assert error_of(excinfo) == ("ValidationError", "Request ARN is invalid", 400)


def test_policy_that_is_not_json(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", Policy="{not json")
    assert error_of(excinfo) == ("MalformedPolicyDocument", "The policy is not in the valid JSON format.", 400)
    assert isinstance(excinfo.value, sts.exceptions.MalformedPolicyDocumentException)


def test_packed_policy_too_large(sts):
    noise = "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=3000))
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": noise, "Effect": "Allow",
                                                                 "Action": "*", "Resource": "*"}]})
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", Policy=policy)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("PackedPolicyTooLarge", 400)
    assert message.startswith("Packed policy consumes ") and message.endswith("% of allotted space, please use "
                                                                              "smaller policy.")
    assert isinstance(excinfo.value, sts.exceptions.PackedPolicyTooLargeException)


def test_too_many_tags(sts):
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", Tags=tags)
    code, message, _ = error_of(excinfo)
    assert code == "ValidationError"
    assert "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50" in message


def test_tag_rules(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1",
                        Tags=[{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}])
    assert error_of(excinfo) == ("InvalidParameterValue",
                                 "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", Tags=[{"Key": "a", "Value": "b"}],
                        TransitiveTagKeys=["other"])
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", Tags=[{"Key": "bad*key", "Value": "v"}])
    code, message, _ = error_of(excinfo)
    assert code == "ValidationError"
    assert "Value 'bad*key' at 'tags.1.member.key' failed to satisfy constraint" in message


def test_mfa_needs_serial_and_code(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(SerialNumber="arn:aws:iam::123456789012:mfa/alice")
    assert error_of(excinfo)[0::2] == ("AccessDenied", 403)


def test_role_chaining_limits_duration_to_one_hour(aws, sts):
    credentials = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="first")["Credentials"]
    chained = client_for(aws, credentials, config=RAW)
    with pytest.raises(ClientError) as excinfo:
        chained.assume_role(RoleArn=ROLE_ARN, RoleSessionName="second", DurationSeconds=7200)
    assert error_of(excinfo) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", 400,
    )
    assert chained.assume_role(RoleArn=ROLE_ARN, RoleSessionName="second")["AssumedRoleUser"]["Arn"].endswith(
        "/second")


def test_session_credentials_cannot_get_session_or_federation_tokens(aws, sts):
    credentials = sts.get_session_token()["Credentials"]
    session_client = client_for(aws, credentials)
    with pytest.raises(ClientError) as excinfo:
        session_client.get_session_token()
    assert error_of(excinfo) == ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
    with pytest.raises(ClientError) as excinfo:
        session_client.get_federation_token(Name="bob")
    assert error_of(excinfo) == ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", jwt({"sub": "no-issuer-claim-here"})])
def test_invalid_web_identity_token(sts, token):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=ROLE_ARN, RoleSessionName="web", WebIdentityToken=token)
    assert error_of(excinfo)[0::2] == ("InvalidIdentityToken", 400)
    assert isinstance(excinfo.value, sts.exceptions.InvalidIdentityTokenException)


def test_expired_web_identity_token(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=ROLE_ARN, RoleSessionName="web", WebIdentityToken=oidc_token(exp=1))
    code, message, _ = error_of(excinfo)
    assert code == "ExpiredTokenException"
    assert message.startswith("Token expired: current date/time ")


def test_invalid_saml(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_saml(RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN, SAMLAssertion="bm90IHhtbA==")
    assert error_of(excinfo)[0] == "InvalidIdentityToken"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_saml(RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN,
                                  SAMLAssertion=saml_response(session_name=None))
    assert error_of(excinfo)[:2] == ("InvalidIdentityToken", "RoleSessionName is required in AuthnResponse")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_saml(RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN,
                                  SAMLAssertion=saml_response(not_on_or_after="2001-01-01T00:00:00Z"))
    assert error_of(excinfo)[0] == "ExpiredTokenException"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_saml(RoleArn=ROLE_ARN, PrincipalArn=ROLE_ARN, SAMLAssertion=saml_response())
    assert error_of(excinfo)[:2] == ("ValidationError", "Request ARN is invalid")


def test_assume_root_rejects_unknown_task_policy(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_root(TargetPrincipal="333333333333",
                        TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    assert error_of(excinfo)[0] == "ValidationError"


def test_decode_garbage_authorization_message(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.decode_authorization_message(EncodedMessage="%%%not-a-message")
    assert error_of(excinfo)[0] == "InvalidAuthorizationMessageException"
    assert isinstance(excinfo.value, sts.exceptions.InvalidAuthorizationMessageException)


def test_scoped_credentials_need_temporary_credentials(aws, sts):
    with pytest.raises(ClientError) as excinfo:
        sts.get_scoped_credentials(DurationSeconds=60)
    assert error_of(excinfo)[0] == "InvalidSubjectCredentials"
    credentials = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=900)["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        client_for(aws, credentials).get_scoped_credentials(DurationSeconds=5000)
    assert error_of(excinfo)[0] == "InsufficientSessionLifetime"


def test_web_identity_token_signing_algorithm(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="HS256")
    code, message, _ = error_of(excinfo)
    assert code == "ValidationError"
    assert "Member must satisfy enum value set: [RS256, ES384]" in message

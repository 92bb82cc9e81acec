"""Every STS operation's happy path, through boto3, in-process and over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

from tests.sts.helpers import (
    ROLE_ACCOUNT,
    ROLE_ARN,
    SAML_PROVIDER_ARN,
    client_for,
    oidc_token,
    saml_response,
)

from hoarfrost.services.sts import encode_authorization_message, trade_in_token

TEMP_KEY = re.compile(r"ASIA[A-Z0-9]{16}")
ROLE_ID = re.compile(r"AROA[A-Z0-9]{17}")


def _lifetime(credentials: dict) -> float:
    return (credentials["Expiration"] - dt.datetime.now(dt.timezone.utc)).total_seconds()


def _assert_credentials(credentials: dict, duration: int) -> None:
    assert TEMP_KEY.fullmatch(credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) > 100
    assert duration - 5 < _lifetime(credentials) <= duration


def test_get_caller_identity_default_is_account_root(aws):
    identity = aws.client("sts").get_caller_identity()
    assert identity["Account"] == aws.account == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"
    assert identity["UserId"] == "123456789012"


def test_get_caller_identity_with_12_digit_key_is_that_account(aws):
    identity = aws.client("sts", aws_access_key_id="222222222222", aws_secret_access_key="x").get_caller_identity()
    assert identity["Account"] == "222222222222"
    assert identity["Arn"] == "arn:aws:iam::222222222222:root"


def test_assume_role(aws):
    response = aws.client("sts").assume_role(
        RoleArn=ROLE_ARN, RoleSessionName="deploy-1", DurationSeconds=1800, ExternalId="ext-id",
        SourceIdentity="alice", Tags=[{"Key": "team", "Value": "core"}], TransitiveTagKeys=["team"],
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                  "Resource": "*"}]}),
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
    )
    _assert_credentials(response["Credentials"], 1800)
    user = response["AssumedRoleUser"]
    assert user["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/deploy-1"
    role_id, session_name = user["AssumedRoleId"].split(":")
    assert ROLE_ID.fullmatch(role_id) and session_name == "deploy-1"
    assert 0 < response["PackedPolicySize"] <= 100
    assert response["SourceIdentity"] == "alice"
    assert response["SessionTokenSize"] == len(response["Credentials"]["SessionToken"])


def test_assume_role_default_duration_is_one_hour_and_role_id_is_stable(aws):
    sts = aws.client("sts")
    first = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="one")
    second = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="two")
    _assert_credentials(first["Credentials"], 3600)
    assert first["Credentials"]["AccessKeyId"] != second["Credentials"]["AccessKeyId"]
    assert first["AssumedRoleUser"]["AssumedRoleId"].split(":")[0] == second["AssumedRoleUser"]["AssumedRoleId"].split(":")[0]
    other = sts.assume_role(RoleArn=f"arn:aws:iam::{ROLE_ACCOUNT}:role/other", RoleSessionName="one")
    assert other["AssumedRoleUser"]["AssumedRoleId"].split(":")[0] != first["AssumedRoleUser"]["AssumedRoleId"].split(":")[0]


def test_assume_role_with_web_identity(aws):
    response = aws.client("sts").assume_role_with_web_identity(
        RoleArn=ROLE_ARN, RoleSessionName="web", WebIdentityToken=oidc_token(), DurationSeconds=900,
    )
    _assert_credentials(response["Credentials"], 900)
    assert response["SubjectFromWebIdentityToken"] == "system:serviceaccount:ns:app"
    assert response["Audience"] == "sts.amazonaws.com"
    assert response["Provider"] == f"arn:aws:iam::{ROLE_ACCOUNT}:oidc-provider/oidc.example.com/id/ABC"
    assert response["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/web"


def test_assume_role_with_web_identity_well_known_provider(aws):
    token = oidc_token(iss="https://accounts.google.com", sub="1234567890", aud=["client-1", "client-2"])
    response = aws.client("sts").assume_role_with_web_identity(
        RoleArn=ROLE_ARN, RoleSessionName="google", WebIdentityToken=token)
    assert response["Provider"] == "accounts.google.com"
    assert response["Audience"] == "client-1"
    assert response["SubjectFromWebIdentityToken"] == "1234567890"


def test_assume_role_with_saml(aws):
    extra = ('<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept">'
             "<saml:AttributeValue>eng</saml:AttributeValue></saml:Attribute>")
    response = aws.client("sts").assume_role_with_saml(
        RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN, SAMLAssertion=saml_response(extra_attributes=extra),
    )
    _assert_credentials(response["Credentials"], 3600)
    assert response["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/alice"
    assert response["Subject"] == "alice@example.com"
    assert response["SubjectType"] == "persistent"
    assert response["Issuer"] == "https://idp.example.com/saml"
    assert response["Audience"] == "https://signin.aws.amazon.com/saml"
    assert len(base64.b64decode(response["NameQualifier"])) == 20  # base64(sha1(...))
    session = aws.emulator.service("sts").snapshot(aws.account, aws.region).sessions[0]
    assert session.tags == {"dept": "eng"}


def test_assume_root(aws):
    response = aws.client("sts").assume_root(
        TargetPrincipal="333333333333",
        TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
    )
    _assert_credentials(response["Credentials"], 900)
    identity = client_for(aws, response["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::333333333333:root"
    assert identity["Account"] == "333333333333"


def test_decode_authorization_message(aws):
    message = {"allowed": False, "context": {"action": "s3:GetObject"}}
    response = aws.client("sts").decode_authorization_message(EncodedMessage=encode_authorization_message(message))
    assert json.loads(response["DecodedMessage"]) == message


def test_get_access_key_info(aws):
    sts = aws.client("sts")
    issued = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="sess")["Credentials"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=issued)["Account"] == ROLE_ACCOUNT
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == aws.account


def test_get_federation_token(aws):
    response = aws.client("sts").get_federation_token(
        Name="bob", DurationSeconds=7200, Tags=[{"Key": "project", "Value": "x"}],
        Policy=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    _assert_credentials(response["Credentials"], 7200)
    assert response["FederatedUser"] == {
        "FederatedUserId": f"{aws.account}:bob", "Arn": f"arn:aws:sts::{aws.account}:federated-user/bob",
    }
    identity = client_for(aws, response["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{aws.account}:federated-user/bob"
    assert identity["UserId"] == f"{aws.account}:bob"


def test_get_session_token_keeps_the_callers_identity(aws):
    response = aws.client("sts").get_session_token(DurationSeconds=3600)
    _assert_credentials(response["Credentials"], 3600)
    identity = client_for(aws, response["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{aws.account}:root"
    assert identity["Account"] == aws.account


def test_get_session_token_default_duration_and_minimum_token_size(aws):
    response = aws.client("sts").get_session_token(MinimumSessionTokenSize=2000)
    _assert_credentials(response["Credentials"], 43200)
    assert len(response["Credentials"]["SessionToken"]) >= 2000
    assert response["SessionTokenSize"] == len(response["Credentials"]["SessionToken"])


def test_get_scoped_credentials(aws):
    assumed = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="wide", SourceIdentity="carol")
    scoped = client_for(aws, assumed["Credentials"]).get_scoped_credentials(
        Policy=json.dumps({"Version": "2012-10-17", "Statement": []}), DurationSeconds=600,
        ScopedSessionDescription="narrow it",
    )
    _assert_credentials(scoped["Credentials"], 600)
    assert scoped["SessionInfo"] == {"ScopedSessionId": assumed["AssumedRoleUser"]["AssumedRoleId"],
                                     "Arn": assumed["AssumedRoleUser"]["Arn"]}
    assert scoped["ScopedPoliciesCount"] == 1
    assert scoped["SourceIdentity"] == "carol"
    identity = client_for(aws, scoped["Credentials"]).get_caller_identity()
    assert identity["Arn"] == assumed["AssumedRoleUser"]["Arn"]


def test_get_delegated_access_token(aws):
    principal = f"arn:aws:iam::{ROLE_ACCOUNT}:role/partner"
    response = aws.client("sts").get_delegated_access_token(
        TradeInToken=trade_in_token(principal, aws.emulator.clock.time() + 600))
    _assert_credentials(response["Credentials"], 600)
    assert response["AssumedPrincipal"] == principal
    identity = client_for(aws, response["Credentials"]).get_caller_identity()
    assert identity["Account"] == ROLE_ACCOUNT
    assert identity["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/partner/delegated-access"


def test_get_web_identity_token_round_trips_into_assume_role_with_web_identity(aws):
    sts = aws.client("sts")
    response = sts.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="ES384",
                                          DurationSeconds=120, Tags=[{"Key": "env", "Value": "test"}])
    assert 110 < _lifetime({"Expiration": response["Expiration"]}) <= 120
    header, payload, signature = response["WebIdentityToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == f"arn:aws:iam::{aws.account}:root"
    assert claims["aud"] == "https://api.example.com"
    assert claims["https://sts.amazonaws.com/"]["aws_account"] == aws.account
    assert claims["https://sts.amazonaws.com/"]["request_tags"] == {"env": "test"}
    assert len(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))) == 96  # ES384 r||s
    assumed = sts.assume_role_with_web_identity(RoleArn=ROLE_ARN, RoleSessionName="fed",
                                                WebIdentityToken=response["WebIdentityToken"])
    assert assumed["SubjectFromWebIdentityToken"] == claims["sub"]


def test_get_web_identity_token_rs256_verifies_against_jwks(aws):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    token = aws.client("sts").get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")["WebIdentityToken"]
    [jwk] = [key for key in aws.emulator.service("sts").jwks()["keys"] if key["alg"] == "RS256"]

    def num(text: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")

    public = rsa.RSAPublicNumbers(num(jwk["e"]), num(jwk["n"])).public_key()
    signing_input, _, signature = token.rpartition(".")
    public.verify(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)), signing_input.encode(),
                  padding.PKCS1v15(), hashes.SHA256())


def test_web_identity_session_tags_from_the_token(aws):
    token = oidc_token(**{"https://aws.amazon.com/tags": {"principal_tags": {"team": ["core"], "env": ["dev"]},
                                                          "transitive_tag_keys": ["team"]}})
    aws.client("sts").assume_role_with_web_identity(RoleArn=ROLE_ARN, RoleSessionName="tagged",
                                                    WebIdentityToken=token)
    [session] = aws.emulator.service("sts").snapshot(aws.account, aws.region).sessions
    assert session.tags == {"team": "core", "env": "dev"}
    assert session.transitive_tag_keys == ["team"]

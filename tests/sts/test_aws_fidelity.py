"""Where STS answers differently from what one would guess, hoarfrost answers as AWS does
(issue 15): malformed ARNs, when PackedPolicySize is present, and the texts for a chained
session that tries to override what it inherited."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.sts.helpers import (
    RAW,
    ROLE_ACCOUNT,
    ROLE_ARN,
    SAML_PROVIDER_ARN,
    client_for,
    error_of,
    saml_response,
)


@pytest.fixture
def sts(aws):
    return aws.client("sts", config=RAW)


@pytest.mark.parametrize("arn", ["not-an-arn-but-long-enough", "arn:aws:iam:too-short"])
def test_text_that_is_not_an_arn_is_invalid_by_name(sts, arn):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    assert error_of(excinfo) == ("ValidationError", f"{arn} is invalid", 400)


def test_an_arn_of_the_wrong_kind_is_a_request_arn_that_is_invalid(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=SAML_PROVIDER_ARN, RoleSessionName="s1")
    assert error_of(excinfo) == ("ValidationError", "Request ARN is invalid", 400)


def test_a_malformed_saml_principal_arn_is_invalid_by_name(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_saml(RoleArn=ROLE_ARN, PrincipalArn="saml-provider-without-arn",
                                  SAMLAssertion=saml_response())
    assert error_of(excinfo)[:2] == ("ValidationError", "saml-provider-without-arn is invalid")


def test_packed_policy_size_only_when_a_policy_or_tags_were_passed(sts):
    plain = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="plain")
    assert "PackedPolicySize" not in plain
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                  "Resource": "*"}]})
    assert 0 < sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="pp", Policy=policy)["PackedPolicySize"] <= 100
    arns = [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
    assert sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="aa", PolicyArns=arns)["PackedPolicySize"] > 0
    tagged = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="tt", Tags=[{"Key": "team", "Value": "core"}])
    assert tagged["PackedPolicySize"] > 0
    assert "PackedPolicySize" not in sts.get_federation_token(Name="bob")
    assert "PackedPolicySize" in sts.get_federation_token(Name="bob", Policy=policy)
    saml = sts.assume_role_with_saml(RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN, SAMLAssertion=saml_response())
    assert "PackedPolicySize" not in saml


def test_a_chained_session_cannot_override_transitive_tags_or_source_identity(aws):
    first = aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="first", SourceIdentity="alice",
                                          Tags=[{"Key": "team", "Value": "core"}], TransitiveTagKeys=["team"])
    chained = client_for(aws, first["Credentials"], config=RAW)
    next_role = f"arn:aws:iam::{ROLE_ACCOUNT}:role/next"
    with pytest.raises(ClientError) as excinfo:
        chained.assume_role(RoleArn=next_role, RoleSessionName="second", Tags=[{"Key": "TEAM", "Value": "x"}])
    conflict = ("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag "
                "key from the calling session.")
    assert error_of(excinfo) == ("InvalidParameterValue", conflict, 400)
    with pytest.raises(ClientError) as excinfo:
        chained.assume_role(RoleArn=next_role, RoleSessionName="second", SourceIdentity="mallory")
    assert error_of(excinfo) == ("ValidationError", "The source identity is already set for this assume role session",
                                 400)
    # The same source identity again, and new tag keys, are fine.
    second = chained.assume_role(RoleArn=next_role, RoleSessionName="second", SourceIdentity="alice",
                                 Tags=[{"Key": "step", "Value": "2"}])
    assert second["SourceIdentity"] == "alice"

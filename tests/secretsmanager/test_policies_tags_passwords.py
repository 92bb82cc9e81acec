"""Tags, resource policies (parsed by the kit; BlockPublicPolicy) and GetRandomPassword."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.secretsmanager.conftest import code

PRIVATE = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
PUBLIC = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})


def test_tags(sm: Any) -> None:
    sm.create_secret(Name="s", Tags=[{"Key": "a", "Value": "1"}])
    sm.tag_resource(SecretId="s", Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert sm.describe_secret(SecretId="s")["Tags"] == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    sm.untag_resource(SecretId="s", TagKeys=["a", "absent"])
    assert sm.describe_secret(SecretId="s")["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as raised:
        sm.tag_resource(SecretId="s", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert code(raised) == "InvalidParameterException"
    assert len(sm.describe_secret(SecretId="s")["Tags"]) == 1
    with pytest.raises(ClientError) as raised:
        sm.tag_resource(SecretId="missing", Tags=[{"Key": "x", "Value": "y"}])
    assert code(raised) == "ResourceNotFoundException"


def test_resource_policy_lifecycle(sm: Any) -> None:
    arn = sm.create_secret(Name="s")["ARN"]
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="s")
    sm.put_resource_policy(SecretId="s", ResourcePolicy=PRIVATE, BlockPublicPolicy=True)
    got = sm.get_resource_policy(SecretId=arn)
    assert json.loads(got["ResourcePolicy"]) == json.loads(PRIVATE) and got["Name"] == "s"
    with pytest.raises(ClientError) as raised:
        sm.put_resource_policy(SecretId="s", ResourcePolicy=PUBLIC, BlockPublicPolicy=True)
    assert code(raised) == "PublicPolicyException"
    sm.put_resource_policy(SecretId="s", ResourcePolicy=PUBLIC)  # not blocked unless asked
    with pytest.raises(ClientError) as raised:
        sm.put_resource_policy(SecretId="s", ResourcePolicy="{not json")
    assert code(raised) == "MalformedPolicyDocumentException"
    with pytest.raises(ClientError) as raised:
        sm.put_resource_policy(SecretId="s", ResourcePolicy=json.dumps({"Statement": [{"Effect": "Allow"}]}))
    assert code(raised) == "MalformedPolicyDocumentException"
    sm.delete_resource_policy(SecretId="s")
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="s")


def test_validate_resource_policy(sm: Any) -> None:
    assert sm.validate_resource_policy(ResourcePolicy=PRIVATE)["PolicyValidationPassed"] is True
    public = sm.validate_resource_policy(ResourcePolicy=PUBLIC)
    assert public["PolicyValidationPassed"] is False and public["ValidationErrors"]
    broken = sm.validate_resource_policy(ResourcePolicy=json.dumps({"Statement": [{"Effect": "Maybe"}]}))
    assert broken["PolicyValidationPassed"] is False
    assert "Effect" in broken["ValidationErrors"][0]["ErrorMessage"] or "effect" in \
        broken["ValidationErrors"][0]["ErrorMessage"]


def test_random_password_defaults(sm: Any) -> None:
    password = sm.get_random_password()["RandomPassword"]
    assert len(password) == 32
    assert any(c.islower() for c in password) and any(c.isupper() for c in password)
    assert any(c.isdigit() for c in password) and any(c in string.punctuation for c in password)
    assert " " not in password


def test_random_password_options(sm: Any) -> None:
    digits = sm.get_random_password(PasswordLength=50, ExcludeLowercase=True, ExcludeUppercase=True,
                                    ExcludePunctuation=True)["RandomPassword"]
    assert len(digits) == 50 and digits.isdigit()
    no_vowels = sm.get_random_password(PasswordLength=200, ExcludeCharacters="aeiouAEIOU0")["RandomPassword"]
    assert not set(no_vowels) & set("aeiouAEIOU0")
    spaced = sm.get_random_password(PasswordLength=2000, IncludeSpace=True, ExcludeNumbers=True,
                                    ExcludeLowercase=True, ExcludeUppercase=True)["RandomPassword"]
    assert " " in spaced and set(spaced) <= set(string.punctuation + " ")
    short = sm.get_random_password(PasswordLength=1, RequireEachIncludedType=False)["RandomPassword"]
    assert len(short) == 1
    with pytest.raises(ClientError) as raised:
        sm.get_random_password(PasswordLength=2)
    assert code(raised) == "InvalidParameterException"
    with pytest.raises(ClientError) as raised:
        sm.get_random_password(ExcludeLowercase=True, ExcludeUppercase=True, ExcludeNumbers=True,
                               ExcludePunctuation=True)
    assert code(raised) == "InvalidParameterException"
    with pytest.raises(ClientError) as raised:
        sm.get_random_password(PasswordLength=5000)
    assert code(raised) in ("ValidationException", "InvalidParameterException")


def test_resource_policy_governs_other_accounts(sm: Any, aws: Any) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    arn = sm.create_secret(Name="shared", SecretString="v", KmsKeyId=key)["ARN"]
    default_key = sm.create_secret(Name="default-key", SecretString="d")["ARN"]
    other = aws.client("secretsmanager", aws_access_key_id="111122223333", aws_secret_access_key="x")
    with pytest.raises(ClientError) as raised:
        other.get_secret_value(SecretId=arn)
    assert code(raised) == "AccessDeniedException"
    assert "no resource-based policy allows the secretsmanager:GetSecretValue action" in \
        raised.value.response["Error"]["Message"]
    sm.put_resource_policy(SecretId="shared", ResourcePolicy=PRIVATE)  # allows 111122223333 to read
    assert other.get_secret_value(SecretId=arn)["SecretString"] == "v"
    sm.put_resource_policy(SecretId="default-key", ResourcePolicy=PRIVATE)
    with pytest.raises(ClientError) as raised:
        other.get_secret_value(SecretId=default_key)
    assert code(raised) == "InvalidRequestException"  # the AWS managed key serves its own account only
    with pytest.raises(ClientError) as raised:
        other.put_secret_value(SecretId=arn, SecretString="mine")
    assert code(raised) == "AccessDeniedException"
    deny = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    sm.put_resource_policy(SecretId="shared", ResourcePolicy=deny)
    with pytest.raises(ClientError) as raised:
        sm.get_secret_value(SecretId="shared")
    assert code(raised) == "AccessDeniedException" and "explicit deny" in raised.value.response["Error"]["Message"]
    assert sm.describe_secret(SecretId="shared")["Name"] == "shared"  # only GetSecretValue is denied

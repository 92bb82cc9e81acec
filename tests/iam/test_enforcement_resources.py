"""Enforcement with the resource policies of KMS keys, secrets and Lambda functions, and the
condition keys filled from the request (aws:SourceIp, aws:SecureTransport, aws:CurrentTime,
aws:RequestedRegion).

The rules, as AWS documents them: in the caller's account a resource policy naming the caller
allows on its own, one naming only the account delegates to the caller's IAM policies; across
accounts both must allow; a KMS key policy must allow in any case (IAM policies count only where
it delegates to the account), and a grant allows its grantee."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.iam.conftest import ACCOUNT, allow, deny, error_of, trust
from tests.iam.test_enforcement import _as, _user, enforcing  # noqa: F401  (the fixture)
from tests.lambda_.conftest import python_zip

OTHER = "210987654321"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


# -- KMS ---------------------------------------------------------------------------------------
def test_the_default_key_policy_delegates_to_iam(enforcing: Harness) -> None:
    aws = enforcing
    key_id = aws.client("kms").create_key()["KeyMetadata"]["KeyId"]
    aws.client("kms").create_alias(AliasName="alias/app", TargetKeyId=key_id)
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}"
    nobody = _as(aws, "kms", _user(aws, "kim"))
    with pytest.raises(ClientError) as excinfo:  # the root principal of the key policy is no grant to kim
        nobody.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error_of(excinfo) == ("AccessDeniedException", f"User: {_user_arn('kim')} is not authorized to perform: "
                                 f"kms:Encrypt on resource: {key_arn} because no identity-based policy allows the "
                                 "kms:Encrypt action")
    allowed = _as(aws, "kms", _user(aws, "lee", allow(["kms:Encrypt", "kms:Decrypt"], key_arn)))
    blob = allowed.encrypt(KeyId="alias/app", Plaintext=b"x")["CiphertextBlob"]  # the alias names the key
    assert allowed.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"  # the key read from the blob
    other = aws.client("kms").create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError):
        allowed.encrypt(KeyId=other, Plaintext=b"x")


def test_a_key_policy_without_the_account_overrides_iam(enforcing: Harness) -> None:
    aws = enforcing
    kms = aws.client("kms")
    admin = _user(aws, "admin", allow("kms:*"))
    key_id = kms.create_key(Policy=_policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:PutKeyPolicy",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": _user_arn("mia")}, "Action": "kms:Encrypt", "Resource": "*"}),
        BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as excinfo:  # kms:* in IAM, but the key policy grants the account no Encrypt
        _as(aws, "kms", admin).encrypt(KeyId=key_id, Plaintext=b"x")
    assert error_of(excinfo)[1].endswith("because no resource-based policy allows the kms:Encrypt action")
    # mia has no IAM policy at all: the key policy naming her is enough.
    assert _as(aws, "kms", _user(aws, "mia")).encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"].endswith(key_id)


def test_a_grant_allows_its_grantee_within_its_constraints(enforcing: Harness) -> None:
    aws = enforcing
    kms = aws.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    nia = _as(aws, "kms", _user(aws, "nia"))
    with pytest.raises(ClientError):
        nia.encrypt(KeyId=key_id, Plaintext=b"x")
    kms.create_grant(KeyId=key_id, GranteePrincipal=_user_arn("nia"), Operations=["Encrypt"],
                     Constraints={"EncryptionContextSubset": {"app": "billing"}})
    nia.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"app": "billing", "more": "1"})
    with pytest.raises(ClientError):
        nia.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"app": "other"})
    with pytest.raises(ClientError):
        nia.encrypt(KeyId=key_id, Plaintext=b"x")


def test_a_key_policy_deny_wins_over_an_identity_allow(enforcing: Harness) -> None:
    aws = enforcing
    root = f"arn:aws:iam::{ACCOUNT}:root"
    key_id = aws.client("kms").create_key(Policy=_policy(
        {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": _user_arn("omar")}, "Action": "kms:Decrypt", "Resource": "*"},
    ))["KeyMetadata"]["KeyId"]
    omar = _as(aws, "kms", _user(aws, "omar", allow("kms:*")))
    blob = omar.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as excinfo:
        omar.decrypt(CiphertextBlob=blob)
    assert error_of(excinfo)[1].endswith("with an explicit deny in a resource-based policy")


# -- Secrets Manager ------------------------------------------------------------------------------
def test_a_secret_policy_grants_and_denies(enforcing: Harness) -> None:
    aws = enforcing
    sm = aws.client("secretsmanager")
    arn = sm.create_secret(Name="db/password", SecretString="hunter2")["ARN"]
    pat = _as(aws, "secretsmanager", _user(aws, "pat"))
    with pytest.raises(ClientError) as excinfo:
        pat.get_secret_value(SecretId="db/password")
    assert error_of(excinfo) == ("AccessDeniedException", f"User: {_user_arn('pat')} is not authorized to perform: "
                                 f"secretsmanager:GetSecretValue on resource: {arn} because no identity-based "
                                 "policy allows the secretsmanager:GetSecretValue action")
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=_policy(
        {"Effect": "Allow", "Principal": {"AWS": _user_arn("pat")}, "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}))
    assert pat.get_secret_value(SecretId="db/password")["SecretString"] == "hunter2"  # the policy alone
    quinn = _as(aws, "secretsmanager", _user(aws, "quinn", allow("secretsmanager:*")))
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=_policy(
        {"Effect": "Deny", "Principal": {"AWS": _user_arn("quinn")}, "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}))
    with pytest.raises(ClientError) as excinfo:
        quinn.get_secret_value(SecretId=arn)
    assert error_of(excinfo)[1].endswith("with an explicit deny in a resource-based policy")
    quinn.describe_secret(SecretId="db/password")


def test_identity_policies_match_secret_arns_with_their_suffix(enforcing: Harness) -> None:
    aws = enforcing
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="app/one", SecretString="1")
    sm.create_secret(Name="db/two", SecretString="2")
    prefix = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app/*"
    rae = _as(aws, "secretsmanager", _user(aws, "rae", allow(["secretsmanager:GetSecretValue",
                                                               "secretsmanager:CreateSecret"], prefix)))
    assert rae.get_secret_value(SecretId="app/one")["SecretString"] == "1"
    with pytest.raises(ClientError):
        rae.get_secret_value(SecretId="db/two")
    rae.create_secret(Name="app/three", SecretString="3")
    with pytest.raises(ClientError):
        rae.create_secret(Name="db/four", SecretString="4")


def test_across_accounts_a_secret_policy_and_the_callers_policies_must_allow(enforcing: Harness) -> None:
    aws = enforcing
    owner = aws.client("secretsmanager", aws_access_key_id=OTHER, aws_secret_access_key="x")
    arn = owner.create_secret(Name="shared", SecretString="s")["ARN"]
    owner.put_resource_policy(SecretId=arn, ResourcePolicy=_policy(
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "secretsmanager:DescribeSecret",
         "Resource": "*"}))
    key = _user(aws, "sam")
    with pytest.raises(ClientError) as excinfo:  # the account's grant delegates to sam's own policies
        _as(aws, "secretsmanager", key).describe_secret(SecretId=arn)
    assert "because no identity-based policy allows" in error_of(excinfo)[1]
    aws.client("iam").put_user_policy(UserName="sam", PolicyName="read",
                                      PolicyDocument=allow("secretsmanager:*"))
    assert _as(aws, "secretsmanager", key).describe_secret(SecretId=arn)["Name"] == "shared"
    with pytest.raises(ClientError) as excinfo:  # sam's policy allows; the secret's does not grant this
        _as(aws, "secretsmanager", key).get_resource_policy(SecretId=arn)
    assert error_of(excinfo)[1].endswith("because no resource-based policy allows the "
                                         "secretsmanager:GetResourcePolicy action")


# -- Lambda ---------------------------------------------------------------------------------------
def _function(aws: Harness, name: str) -> str:
    iam = aws.client("iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=trust())["Role"]["Arn"]
    return str(aws.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
        Code={"ZipFile": python_zip("def handler(event, context):\n    return 1\n")})["FunctionArn"])


def test_a_function_policy_grants_by_qualifier(enforcing: Harness) -> None:
    aws = enforcing
    lam = aws.client("lambda")
    arn = _function(aws, "fn")
    version = lam.publish_version(FunctionName="fn")["Version"]
    lam.add_permission(FunctionName="fn", StatementId="tia", Action="lambda:GetFunction",
                       Principal=_user_arn("tia"), Qualifier=version)
    tia = _as(aws, "lambda", _user(aws, "tia"))
    assert tia.get_function(FunctionName="fn", Qualifier=version)["Configuration"]["Version"] == version
    with pytest.raises(ClientError) as excinfo:  # the grant names version 1 only
        tia.get_function(FunctionName="fn")
    assert error_of(excinfo) == ("AccessDeniedException", f"User: {_user_arn('tia')} is not authorized to perform: "
                                 f"lambda:GetFunction on resource: {arn} because no identity-based policy allows "
                                 "the lambda:GetFunction action")
    uma = _as(aws, "lambda", _user(aws, "uma", allow("lambda:GetFunction", arn)))
    uma.get_function(FunctionName=arn)
    with pytest.raises(ClientError):  # an unqualified ARN in a policy does not cover versions
        uma.get_function(FunctionName=f"{arn}:{version}")


def test_a_function_policy_naming_the_account_delegates_to_iam(enforcing: Harness) -> None:
    aws = enforcing
    lam = aws.client("lambda")
    arn = _function(aws, "fn2")
    lam.add_permission(FunctionName="fn2", StatementId="account", Action="lambda:GetFunction", Principal=ACCOUNT)
    with pytest.raises(ClientError):
        _as(aws, "lambda", _user(aws, "vic")).get_function(FunctionName="fn2")
    _as(aws, "lambda", _user(aws, "wes", allow("lambda:GetFunction", arn))).get_function(FunctionName="fn2")


# -- condition keys from the request ---------------------------------------------------------------
def test_source_ip_is_the_clients_address(enforcing: Harness) -> None:
    aws = enforcing
    key = _user(aws, "xia", allow("sqs:ListQueues", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))
    _as(aws, "sqs", key).list_queues()  # in-process: this machine; over HTTP: the loopback peer
    key = _user(aws, "yan", allow("sqs:ListQueues", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    with pytest.raises(ClientError):
        _as(aws, "sqs", key).list_queues()
    key = _user(aws, "zed", allow("sqs:ListQueues"),
                deny("sqs:*", Condition={"NotIpAddress": {"aws:SourceIp": ["127.0.0.1/32", "::1/128"]}}))
    _as(aws, "sqs", key).list_queues()


def test_current_time_follows_the_emulators_clock(enforcing: Harness) -> None:
    aws = enforcing
    until = (aws.emulator.clock.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    key = _user(aws, "amy", allow("sqs:ListQueues", Condition={"DateLessThan": {"aws:CurrentTime": until}}))
    _as(aws, "sqs", key).list_queues()
    aws.emulator.clock.advance(2 * 3600)
    with pytest.raises(ClientError):
        _as(aws, "sqs", key).list_queues()


def test_requested_region_limits_where_a_user_works(enforcing: Harness) -> None:
    aws = enforcing
    key = _user(aws, "ben", allow("secretsmanager:ListSecrets"),
                deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}))
    _as(aws, "secretsmanager", key, region_name="eu-west-1").list_secrets()
    with pytest.raises(ClientError) as excinfo:
        _as(aws, "secretsmanager", key, region_name="us-west-2").list_secrets()
    assert error_of(excinfo)[1].endswith("with an explicit deny in an identity-based policy")

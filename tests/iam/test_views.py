"""IAM's state view: every resource round-trips onto a fresh emulator (keys keep working, policy
versions and documents intact), into another account, merge keeps what exists, an invalid view
changes nothing, and listeners hear of changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.iam.views import IamStateView
from tests.harness import Harness
from tests.iam.conftest import ACCOUNT, allow, trust
from tests.iam.test_account import SAML_METADATA
from tests.iam.test_credentials import _certificate

REGION = "us-east-1"


def _populate(iam: Any) -> dict[str, Any]:
    iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "core"}],
                    PermissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.create_login_profile(UserName="alice", Password="Passw0rd!x")
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=allow("s3:GetObject"))
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=trust(), MaxSessionDuration=7200)["Role"]
    iam.create_instance_profile(InstanceProfileName="ip")
    iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="fn")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow("sqs:*"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("sns:*"), SetAsDefault=True)
    iam.attach_role_policy(RoleName="fn", PolicyArn=arn)
    iam.attach_group_policy(GroupName="devs", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")
    body, private_key = _certificate()
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=private_key)
    iam.upload_signing_certificate(UserName="alice", CertificateBody=_certificate()[0])
    iam.create_open_id_connect_provider(Url="https://oidc.example.com", ThumbprintList=["c" * 40],
                                        ClientIDList=["aud"])
    iam.create_saml_provider(Name="corp", SAMLMetadataDocument=SAML_METADATA)
    iam.create_account_alias(AccountAlias="acme")
    iam.update_account_password_policy(MinimumPasswordLength=10)
    iam.generate_credential_report()
    return {"key": key, "role": role, "policy": arn}


def test_round_trip_onto_a_fresh_emulator(aws: Harness) -> None:
    made = _populate(aws.client("iam"))
    view = aws.emulator.service("iam").snapshot(ACCOUNT, REGION, secrets=True)
    assert isinstance(view, IamStateView)
    text = view.model_dump_json()
    data = json.loads(text)
    alice = data["users"][0]
    assert alice["access_keys"][0]["secret_access_key"] == made["key"]["SecretAccessKey"]
    assert alice["access_keys"][0]["secret_access_key_sha256"] == hashlib.sha256(
        made["key"]["SecretAccessKey"].encode()).hexdigest()
    assert alice["login_profile"]["password"] == "Passw0rd!x"
    assert [v["version_id"] for v in data["policies"][0]["versions"]] == ["v1", "v2"]
    with hoarfrost.mock_aws() as fresh:
        fresh.service("iam").restore(ACCOUNT, REGION, text)
        assert fresh.service("iam").snapshot(ACCOUNT, REGION, secrets=True).model_dump() == view.model_dump()
        iam = boto3.client("iam", region_name=REGION)
        assert iam.get_role(RoleName="fn")["Role"]["RoleId"] == made["role"]["RoleId"]
        assert iam.get_policy(PolicyArn=made["policy"])["Policy"]["DefaultVersionId"] == "v2"
        assert iam.get_policy(PolicyArn=made["policy"])["Policy"]["AttachmentCount"] == 1
        assert [u["UserName"] for u in iam.get_group(GroupName="devs")["Users"]] == ["alice"]
        assert iam.get_instance_profile(InstanceProfileName="ip")["InstanceProfile"]["Roles"][0]["RoleName"] == "fn"
        assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 10
        assert iam.list_account_aliases()["AccountAliases"] == ["acme"]
        assert iam.get_credential_report()["ReportFormat"] == "text/csv"
        key = made["key"]
        caller = boto3.client("sts", region_name=REGION, aws_access_key_id=key["AccessKeyId"],
                              aws_secret_access_key=key["SecretAccessKey"]).get_caller_identity()
        assert caller["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/alice"
        # STS sees the restored role too.
        boto3.client("sts", region_name=REGION).assume_role(RoleArn=made["role"]["Arn"], RoleSessionName="ss",
                                                            DurationSeconds=7200)
        assert fresh.service("iam").snapshot(ACCOUNT, REGION).users[0].access_keys[0].last_used_service == "sts"


def test_a_view_restores_into_another_account_with_its_arns(aws: Harness) -> None:
    _populate(aws.client("iam"))
    view = aws.emulator.service("iam").snapshot(ACCOUNT, REGION)
    other = "210987654321"
    with hoarfrost.mock_aws() as fresh:
        # The same access key id cannot belong to two accounts: drop keys for this copy.
        data = json.loads(view.model_dump_json())
        data["users"][0]["access_keys"] = []
        fresh.service("iam").restore(other, "eu-west-1", data)
        iam = boto3.client("iam", region_name=REGION, aws_access_key_id=other, aws_secret_access_key="x")
        assert iam.get_user(UserName="alice")["User"]["Arn"] == f"arn:aws:iam::{other}:user/eng/alice"
        assert iam.list_policies(Scope="Local")["Policies"][0]["Arn"] == f"arn:aws:iam::{other}:policy/p"


def test_merge_adds_and_keeps(aws: Harness) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="kept")
    iam.create_user(UserName="changed", Tags=[{"Key": "a", "Value": "1"}])
    service = aws.emulator.service("iam")
    now = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    service.merge(ACCOUNT, REGION, {
        "users": [
            {"user_name": "changed", "user_id": "AIDAMERGED0000000000X", "create_date": now.isoformat(),
             "tags": {"b": "2"}},
            {"user_name": "added", "user_id": "AIDAADDED00000000000X", "create_date": now.isoformat()},
        ],
        "account_aliases": ["merged"],
    })
    names = [u["UserName"] for u in iam.list_users()["Users"]]
    assert names == ["added", "changed", "kept"]
    assert iam.get_user(UserName="changed")["User"]["Tags"] == [{"Key": "b", "Value": "2"}]
    assert iam.get_user(UserName="added")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/added"
    assert iam.list_account_aliases()["AccountAliases"] == ["merged"]


@pytest.mark.parametrize("bad", [
    {"users": [{"user_name": "x"}]},  # missing required fields
    {"groups": [{"group_name": "g", "group_id": "AGPA1", "create_date": "2024-01-01T00:00:00Z",
                 "members": ["nobody"]}]},
    {"policies": [{"policy_name": "p", "policy_id": "ANPA1", "create_date": "2024-01-01T00:00:00Z",
                   "update_date": "2024-01-01T00:00:00Z", "default_version_id": "v3", "versions": []}]},
    {"users": [{"user_name": "a", "user_id": "1", "create_date": "2024-01-01T00:00:00Z"},
               {"user_name": "A", "user_id": "2", "create_date": "2024-01-01T00:00:00Z"}]},
    {"schema_version": 99},
])
def test_an_invalid_view_changes_nothing(aws: Harness, bad: dict[str, Any]) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    service = aws.emulator.service("iam")
    before = service.snapshot(ACCOUNT, REGION).model_dump()
    for operation in (service.restore, service.merge):
        with pytest.raises(StateViewError) as excinfo:
            operation(ACCOUNT, REGION, bad)
        assert excinfo.value.kind == "invalid"
    assert service.snapshot(ACCOUNT, REGION).model_dump() == before


def test_listeners_hear_of_mutations_only(aws: Harness) -> None:
    iam = aws.client("iam")
    changes: list[StateChange] = []
    with aws.emulator.service("iam").notifier.subscribe(changes.append):
        iam.create_user(UserName="alice")
        iam.list_users()
        iam.get_user(UserName="alice")
    assert [(c.operation, c.region) for c in changes] == [("CreateUser", "us-east-1")]
    assert [u.user_name for u in changes[0].view().users] == ["alice"]


def test_reset_forgets_keys(aws: Harness) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    assert aws.emulator.accounts.identity_for(key).arn.endswith("user/alice")
    aws.emulator.service("iam").reset()
    assert aws.emulator.accounts.identity_for(key).arn == f"arn:aws:iam::{ACCOUNT}:root"


def test_an_access_key_belongs_to_one_account(aws: Harness) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    service = aws.emulator.service("iam")
    view = service.snapshot(ACCOUNT, REGION)
    with pytest.raises(StateViewError) as excinfo:
        service.restore("210987654321", REGION, view.model_dump_json())
    assert excinfo.value.kind == "invalid" and "belongs to account" in excinfo.value.message
    assert service.snapshot("210987654321", REGION).users == []


def test_reset_of_one_region_names_the_global_scope(aws: Harness) -> None:
    aws.client("iam").create_user(UserName="alice")
    aws.emulator.service("iam").reset(ACCOUNT, "eu-west-1")
    assert aws.client("iam").list_users()["Users"] == []

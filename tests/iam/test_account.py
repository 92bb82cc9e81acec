"""Account-wide IAM: alias, password policy, summary, credential report, authorization details,
and the OIDC and SAML identity providers."""

from __future__ import annotations

import csv
import io
import json

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ACCOUNT, allow, error_of, trust

SAML_METADATA = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com" validUntil="2031-01-01T00:00:00Z"><md:IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/><md:Organization>'
    '<md:OrganizationName xml:lang="en">' + "Example " * 120 + '</md:OrganizationName></md:Organization>'
    '</md:EntityDescriptor>')


def test_account_alias(iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="my-company")
    with pytest.raises(ClientError) as excinfo:
        iam.create_account_alias(AccountAlias="another")
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for AccountAliasesPerAccount: 1")
    assert iam.list_account_aliases()["AccountAliases"] == ["my-company"]
    iam.delete_account_alias(AccountAlias="my-company")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_account_alias(AccountAlias="my-company")
    assert error_of(excinfo)[0] == "NoSuchEntity"


def test_password_policy(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.get_account_password_policy()
    assert error_of(excinfo) == ("NoSuchEntity", f"The Password Policy with domain name {ACCOUNT} cannot be found.")
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireNumbers=True, MaxPasswordAge=90)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["RequireNumbers"], policy["RequireSymbols"],
            policy["MaxPasswordAge"], policy["ExpirePasswords"]) == (14, True, False, 90, True)
    iam.delete_account_password_policy()
    with pytest.raises(ClientError):
        iam.get_account_password_policy()


def test_account_summary_counts(iam):
    iam.create_user(UserName="u1")
    iam.create_user(UserName="u2")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow())["Policy"]["Arn"]
    iam.attach_user_policy(UserName="u1", PolicyArn=arn)
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Users"], summary["Groups"], summary["Roles"], summary["Policies"]) == (2, 1, 1, 1)
    assert summary["PolicyVersionsInUse"] == 1 and summary["AccessKeysPerUserQuota"] == 2
    assert summary["VersionsPerPolicyQuota"] == 5


def test_credential_report(aws, iam):
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    assert error_of(excinfo)[0] == "ReportNotPresent"
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Passw0rd!x")
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert [row["user"] for row in rows] == ["<root_account>", "alice"]
    alice = rows[1]
    assert alice["arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (alice["password_enabled"], alice["access_key_1_active"], alice["access_key_2_active"]) == (
        "true", "true", "false")
    aws.emulator.clock.advance(4 * 3600 + 1)
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    assert error_of(excinfo)[0] == "ReportExpired"


def test_account_authorization_details(iam):
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=allow("s3:GetObject"))
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.create_instance_profile(InstanceProfileName="ip")
    iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="r")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow())["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("sqs:*"), SetAsDefault=True)
    details = iam.get_account_authorization_details()
    user = details["UserDetailList"][0]
    assert user["GroupList"] == ["devs"]
    assert user["UserPolicyList"] == [{"PolicyName": "inline", "PolicyDocument": json.loads(allow("s3:GetObject"))}]
    assert user["AttachedManagedPolicies"][0]["PolicyName"] == "ReadOnlyAccess"
    assert details["RoleDetailList"][0]["InstanceProfileList"][0]["InstanceProfileName"] == "ip"
    policies = {p["PolicyName"]: p for p in details["Policies"]}
    assert set(policies) == {"p", "ReadOnlyAccess"}  # AWS managed policies in use only
    assert [v["VersionId"] for v in policies["p"]["PolicyVersionList"]] == ["v1", "v2"]
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and len(only_roles["RoleDetailList"]) == 1
    first = iam.get_account_authorization_details(MaxItems=2)
    rest = iam.get_account_authorization_details(MaxItems=10, Marker=first["Marker"])
    assert first["IsTruncated"] and not rest["IsTruncated"]
    assert len(first["UserDetailList"]) + len(first["GroupDetailList"]) == 2
    assert len(rest["RoleDetailList"]) == 1 and len(rest["Policies"]) == 2


def test_open_id_connect_providers(iam):
    arn = iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["a" * 40], Tags=[{"Key": "k", "Value": "v"}])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                            ThumbprintList=["a" * 40])
    assert error_of(excinfo)[0] == "EntityAlreadyExists"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="other")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"]) == (
        "token.actions.githubusercontent.com", ["other"], ["b" * 40])
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": arn}]
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [{"Key": "k",
                                                                                             "Value": "v"}]
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(excinfo) == ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}")


def test_saml_providers(iam):
    arn = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=SAML_METADATA)["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == SAML_METADATA and got["ValidUntil"].year == 2031
    with pytest.raises(ClientError) as excinfo:
        iam.create_saml_provider(Name="bad", SAMLMetadataDocument="<other>" + "x" * 1000 + "</other>")
    assert error_of(excinfo)[0] == "InvalidInput"
    assert [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]] == [arn]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert error_of(excinfo)[0] == "NoSuchEntity"


def test_security_token_service_preferences(iam):
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2


def test_policies_granting_service_access(iam):
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="queues", PolicyDocument=allow("sqs:SendMessage"))
    iam.attach_group_policy(GroupName="devs", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    answer = iam.list_policies_granting_service_access(Arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
                                                       ServiceNamespaces=["sqs", "s3", "dynamodb"])
    by_namespace = {item["ServiceNamespace"]: item["Policies"] for item in answer["PoliciesGrantingServiceAccess"]}
    assert by_namespace["sqs"] == [{"PolicyName": "queues", "PolicyType": "INLINE", "EntityType": "USER",
                                    "EntityName": "alice"}]
    assert [p["PolicyName"] for p in by_namespace["s3"]] == ["AmazonS3ReadOnlyAccess"]
    assert by_namespace["dynamodb"] == []

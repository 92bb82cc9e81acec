"""Roles (trust policies, MaxSessionDuration, boundaries, RoleLastUsed), STS assuming them,
instance profiles and service-linked roles."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.iam.conftest import ACCOUNT, allow, error_of, trust


def test_create_role_answers_its_trust_policy_as_a_document(iam):
    role = iam.create_role(RoleName="fn", Path="/app/", AssumeRolePolicyDocument=trust(), Description="runs it",
                           MaxSessionDuration=7200, Tags=[{"Key": "k", "Value": "v"}])["Role"]
    assert role["RoleId"].startswith("AROA") and role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/app/fn"
    assert role["AssumeRolePolicyDocument"] == json.loads(trust())
    got = iam.get_role(RoleName="fn")["Role"]
    assert (got["MaxSessionDuration"], got["Description"], got["Tags"]) == (7200, "runs it", [{"Key": "k",
                                                                                               "Value": "v"}])
    assert got["RoleLastUsed"] == {}
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="FN", AssumeRolePolicyDocument=trust())
    assert error_of(excinfo) == ("EntityAlreadyExists", "Role with name FN already exists.")


@pytest.mark.parametrize(("document", "message"), [
    ("{not json", "Syntax errors in policy."),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Principal": {"Service": "x.amazonaws.com"},
                                                         "Action": "sts:AssumeRole"}]}),
     "Missing required field Effect"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
     "Missing required field Principal"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "x"},
                                                         "Action": "sts:AssumeRole", "Resource": "*"}]}),
     "Has prohibited field Resource."),
])
def test_malformed_trust_policies(iam, document, message):
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", message)


def test_trust_policy_size_quota(iam):
    principals = [f"arn:aws:iam::{ACCOUNT}:role/r{i:04d}" for i in range(60)]
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": principals}))
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")


def test_update_role_and_trust_policy(aws, iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.update_role(RoleName="r", Description="new", MaxSessionDuration=43200)
    new_trust = trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=new_trust)
    role = iam.get_role(RoleName="r")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 43200)
    assert role["AssumeRolePolicyDocument"] == json.loads(new_trust)
    assert iam.update_role_description(RoleName="r", Description="d2")["Role"]["Description"] == "d2"
    unchecked = aws.client("iam", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as excinfo:
        unchecked.update_role(RoleName="r", MaxSessionDuration=60)
    assert error_of(excinfo)[0] == "ValidationError"


def test_list_roles_by_path(iam):
    for name, path in [("b", "/x/"), ("a", "/"), ("c", "/x/y/")]:
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trust())
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["a", "b", "c"]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/x/")["Roles"]] == ["b", "c"]
    assert "Tags" not in iam.list_roles()["Roles"][0]


def test_sts_assumes_an_iam_role_with_its_id_limits_and_last_use(aws, iam):
    role = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust({"AWS": ACCOUNT}),
                           MaxSessionDuration=7200)["Role"]
    sts = aws.client("sts", region_name="eu-west-1")
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ci", DurationSeconds=7200)
    assert assumed["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:ci"
    last_used = iam.get_role(RoleName="deployer")["Role"]["RoleLastUsed"]
    assert last_used["Region"] == "eu-west-1" and "LastUsedDate" in last_used
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ci", DurationSeconds=7201)
    assert error_of(excinfo) == ("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set "
                                                    "for this role.")
    # The account has IAM roles, so a role it does not have cannot be assumed.
    missing = f"arn:aws:iam::{ACCOUNT}:role/ghost"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=missing, RoleSessionName="ci")
    assert error_of(excinfo) == ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: "
                                                 f"sts:AssumeRole on resource: {missing}")
    # Another account without IAM roles keeps STS's permissive behaviour.
    other = sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/any", RoleSessionName="ci")
    assert other["AssumedRoleUser"]["Arn"] == "arn:aws:sts::210987654321:assumed-role/any/ci"
    iam.delete_role(RoleName="deployer")
    sts.assume_role(RoleArn=missing, RoleSessionName="ci")  # no roles left: permissive again


def test_delete_role_conflicts(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.create_instance_profile(InstanceProfileName="ip")
    iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="r")
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=allow())
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    steps = [
        ("Cannot delete entity, must remove roles from instance profile first.",
         lambda: iam.remove_role_from_instance_profile(InstanceProfileName="ip", RoleName="r")),
        ("Cannot delete entity, must delete policies first.",
         lambda: iam.delete_role_policy(RoleName="r", PolicyName="p")),
        ("Cannot delete entity, must detach all policies first.",
         lambda: iam.detach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")),
    ]
    for message, fix in steps:
        with pytest.raises(ClientError) as excinfo:
            iam.delete_role(RoleName="r")
        assert error_of(excinfo) == ("DeleteConflict", message)
        fix()
    iam.delete_role(RoleName="r")
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName="r")
    assert error_of(excinfo) == ("NoSuchEntity", "The role with name r cannot be found.")


def test_role_tags_and_boundary(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust())
    iam.tag_role(RoleName="r", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_role(RoleName="r", TagKeys=["a"])
    assert iam.list_role_tags(RoleName="r")["Tags"] == [{"Key": "b", "Value": "2"}]
    boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=boundary)
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert iam.list_entities_for_policy(PolicyArn=boundary, PolicyUsageFilter="PermissionsBoundary")[
        "PolicyRoles"][0]["RoleName"] == "r"
    iam.delete_role_permissions_boundary(RoleName="r")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="r")["Role"]


def test_instance_profiles(iam):
    profile = iam.create_instance_profile(InstanceProfileName="web", Path="/p/",
                                          Tags=[{"Key": "k", "Value": "v"}])["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    assert profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/p/web"
    with pytest.raises(ClientError) as excinfo:
        iam.create_instance_profile(InstanceProfileName="web")
    assert error_of(excinfo) == ("EntityAlreadyExists", "Instance Profile web already exists.")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=trust())
    iam.create_role(RoleName="r2", AssumeRolePolicyDocument=trust())
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="r1")
    with pytest.raises(ClientError) as excinfo:
        iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="r2")
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    got = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["r1"]
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName="r1")[
        "InstanceProfiles"]] == ["web"]
    assert iam.list_instance_profile_tags(InstanceProfileName="web")["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_instance_profile(InstanceProfileName="web")
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must remove roles from instance profile "
                                                   "first.")
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="r1")
    iam.delete_instance_profile(InstanceProfileName="web")
    with pytest.raises(ClientError) as excinfo:
        iam.get_instance_profile(InstanceProfileName="web")
    assert error_of(excinfo) == ("NoSuchEntity", "Instance Profile web cannot be found.")


def test_service_linked_roles(iam):
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["autoscaling.amazonaws.com"]}
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="AWSServiceRoleForAutoScaling")
    assert error_of(excinfo)[0] == "UnmodifiableEntity"
    custom = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="web")["Role"]
    assert custom["RoleName"] == "AWSServiceRoleForAutoScaling_web"
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["AWSServiceRoleForAutoScaling_web"]


def test_each_partitions_roles_are_their_own(aws):
    china = aws.client("iam", region_name="cn-north-1")
    role = china.create_role(RoleName="cn", AssumeRolePolicyDocument=trust({"AWS": ACCOUNT}))["Role"]
    assert role["Arn"] == f"arn:aws-cn:iam::{ACCOUNT}:role/cn"
    aws.client("iam").create_role(RoleName="global", AssumeRolePolicyDocument=trust({"AWS": ACCOUNT}))
    assumed = aws.client("sts", region_name="cn-north-1").assume_role(RoleArn=role["Arn"], RoleSessionName="ss")
    assert assumed["AssumedRoleUser"]["AssumedRoleId"].startswith(role["RoleId"])
    aws.emulator.service("iam").reset(ACCOUNT, "cn-north-1")  # forgets the aws-cn roles only
    with pytest.raises(ClientError):
        aws.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/cn", RoleSessionName="ss")
    aws.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/global", RoleSessionName="ss")

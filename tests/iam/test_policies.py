"""Managed policies (versions, default, limits), AWS managed policies, attaching, inline
policies and MalformedPolicyDocument."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ACCOUNT, allow, error_of

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
REQUIRED_AWS_POLICIES = [
    "AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess",
    "AmazonSQSFullAccess", "AmazonDynamoDBFullAccess", "AWSLambdaBasicExecutionRole", "AWSLambda_FullAccess",
    "IAMFullAccess",
]


def test_create_and_get_policy(iam):
    policy = iam.create_policy(PolicyName="reader", Path="/team/", PolicyDocument=allow("s3:Get*"),
                               Description="reads", Tags=[{"Key": "k", "Value": "v"}])["Policy"]
    assert policy["PolicyId"].startswith("ANPA") and policy["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/team/reader"
    assert (policy["DefaultVersionId"], policy["AttachmentCount"], policy["IsAttachable"]) == ("v1", 0, True)
    got = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]
    assert got["Description"] == "reads" and got["Tags"] == [{"Key": "k", "Value": "v"}]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(allow("s3:Get*")) and version["IsDefaultVersion"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="reader", PolicyDocument=allow())
    assert error_of(excinfo) == ("EntityAlreadyExists", "A policy called reader already exists. Duplicate names are "
                                                        "not allowed.")
    missing = f"arn:aws:iam::{ACCOUNT}:policy/none"
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=missing)
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {missing} was not found.")


def test_policy_versions_default_and_limit(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    for number in range(2, 6):
        version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow(f"s3:Op{number}"),
                                            SetAsDefault=number == 3)["PolicyVersion"]
        assert version["VersionId"] == f"v{number}"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow())
    assert error_of(excinfo) == ("LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new "
                                                  "version, you must delete an existing version.")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete the default version of a policy.")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    # Version numbers are never reused.
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow())["PolicyVersion"]["VersionId"] == "v6"
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in listed] == ["v6", "v5", "v4", "v3", "v2"]
    assert [v["IsDefaultVersion"] for v in listed] == [False, False, False, True, False]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v6")
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v6")["PolicyVersion"]["IsDefaultVersion"]
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {arn} version v1 does not exist or is not attachable.")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(excinfo)[0] == "DeleteConflict"
    for version in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    assert iam.list_policies(Scope="Local")["Policies"] == []


@pytest.mark.parametrize(("document", "message"), [
    ("[", "Syntax errors in policy."),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]}),
     "Missing required field Effect"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}),
     "Invalid effect: Maybe"),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                                         "Colour": "red"}]}),
     "Syntax errors in policy."),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}]}),
     'Resource bucket must be in ARN format or "*".'),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                                         "Principal": "*"}]}),
     "Policy document should not specify a principal."),
    (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
     "Policy statement must contain resources."),
    (json.dumps({"Version": "2001-01-01", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
     "The policy must contain a valid version string"),
])
def test_malformed_policy_documents(iam, document, message):
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="bad", PolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", message)
    iam.create_user(UserName="u")
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="u", PolicyName="bad", PolicyDocument=document)
    assert error_of(excinfo) == ("MalformedPolicyDocument", message)


def test_policy_size_quotas(iam):
    big = allow([f"s3:Action{i:05d}" for i in range(400)])
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="big", PolicyDocument=big)
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    iam.create_user(UserName="u")
    medium = allow([f"s3:Action{i:05d}" for i in range(120)])
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="u", PolicyName="m", PolicyDocument=medium)
    assert error_of(excinfo) == ("LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="r", PolicyName="m", PolicyDocument=medium)  # roles allow 10240


def test_aws_managed_policies_exist_and_attach(iam):
    listed = []
    for page in iam.get_paginator("list_policies").paginate(Scope="AWS"):
        listed += page["Policies"]
    names = {p["PolicyName"] for p in listed}
    assert set(REQUIRED_AWS_POLICIES) <= names
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in listed)
    basic = next(p for p in listed if p["PolicyName"] == "AWSLambdaBasicExecutionRole")
    assert basic["Arn"] == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    document = iam.get_policy_version(PolicyArn=basic["Arn"], VersionId=basic["DefaultVersionId"])[
        "PolicyVersion"]["Document"]
    assert document["Statement"][0]["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    admin = iam.get_policy_version(PolicyArn=ADMIN, VersionId="v1")["PolicyVersion"]["Document"]
    assert admin["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    iam.create_user(UserName="u")
    iam.attach_user_policy(UserName="u", PolicyArn=ADMIN)
    assert iam.get_policy(PolicyArn=ADMIN)["Policy"]["AttachmentCount"] == 1
    attached = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=ADMIN)
    assert error_of(excinfo)[0] == "InvalidInput"
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_attach_detach_and_entities(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow())["Policy"]["Arn"]
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)  # attaching twice is one attachment
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert ([u["UserName"] for u in entities["PolicyUsers"]], [g["GroupName"] for g in entities["PolicyGroups"]],
            [r["RoleName"] for r in entities["PolicyRoles"]]) == (["u"], ["g"], ["r"])
    assert entities["PolicyUsers"][0]["UserId"].startswith("AIDA")
    assert iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")["PolicyUsers"] == []
    assert iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"] == [{"PolicyName": "p",
                                                                                     "PolicyArn": arn}]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete a policy attached to entities.")
    iam.detach_user_policy(UserName="u", PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.detach_user_policy(UserName="u", PolicyArn=arn)
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {arn} was not found.")
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_user_policy(UserName="u", PolicyArn=missing)
    assert error_of(excinfo) == ("NoSuchEntity", f"Policy {missing} does not exist or is not attachable.")


def test_attached_policies_quota(iam):
    iam.create_user(UserName="u")
    arns = [iam.create_policy(PolicyName=f"p{i}", PolicyDocument=allow())["Policy"]["Arn"] for i in range(11)]
    for arn in arns[:10]:
        iam.attach_user_policy(UserName="u", PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.attach_user_policy(UserName="u", PolicyArn=arns[10])
    assert error_of(excinfo) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10")
    page = iam.list_attached_user_policies(UserName="u", MaxItems=4)
    assert len(page["AttachedPolicies"]) == 4 and page["IsTruncated"]


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policies(iam, kind):
    title = kind.capitalize()
    if kind == "role":
        iam.create_role(RoleName="e", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    else:
        getattr(iam, f"create_{kind}")(**{f"{title}Name": "e"})
    put = getattr(iam, f"put_{kind}_policy")
    put(**{f"{title}Name": "e", "PolicyName": "b", "PolicyDocument": allow("s3:GetObject")})
    put(**{f"{title}Name": "e", "PolicyName": "a", "PolicyDocument": allow("sqs:*")})
    put(**{f"{title}Name": "e", "PolicyName": "a", "PolicyDocument": allow("sns:*")})  # replaces
    got = getattr(iam, f"get_{kind}_policy")(**{f"{title}Name": "e", "PolicyName": "a"})
    assert got[f"{title}Name"] == "e" and got["PolicyDocument"] == json.loads(allow("sns:*"))
    assert getattr(iam, f"list_{kind}_policies")(**{f"{title}Name": "e"})["PolicyNames"] == ["a", "b"]
    getattr(iam, f"delete_{kind}_policy")(**{f"{title}Name": "e", "PolicyName": "a"})
    with pytest.raises(ClientError) as excinfo:
        getattr(iam, f"get_{kind}_policy")(**{f"{title}Name": "e", "PolicyName": "a"})
    assert error_of(excinfo) == ("NoSuchEntity", f"The {kind} policy with name a cannot be found.")


def test_policy_tags(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow())["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "1"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["zzz"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "a", "Value": "1"}]


def test_every_aws_managed_policy_is_a_valid_document_and_attachable(iam):
    from hoarfrost.core.kit.policies import PolicyKind, parse_policy
    from hoarfrost.services.iam.managed import aws_policies

    policies = aws_policies()
    assert len(policies) >= 30
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    for policy in policies:
        parse_policy(policy.document, PolicyKind.IDENTITY)
    execution = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    iam.attach_role_policy(RoleName="r", PolicyArn=execution)
    assert iam.list_attached_role_policies(RoleName="r", PathPrefix="/service-role/")["AttachedPolicies"] == [
        {"PolicyName": "AmazonECSTaskExecutionRolePolicy", "PolicyArn": execution}]
    assert iam.list_attached_role_policies(RoleName="r", PathPrefix="/other/")["AttachedPolicies"] == []

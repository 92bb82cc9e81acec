"""Users and groups: ids, ARNs, paths, names compared without case, paging, tags, membership,
renames, delete conflicts, and IAM being global."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ACCOUNT, allow, error_of, status_of


def test_create_get_user_with_aws_ids_and_arns(iam):
    created = iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/alice"
    assert created["Tags"] == [{"Key": "team", "Value": "core"}]
    assert created["CreateDate"].microsecond == 0
    got = iam.get_user(UserName="ALICE")["User"]  # IAM names compare without case
    assert got["UserId"] == created["UserId"] and got["UserName"] == "alice"


def test_missing_and_duplicate_users_answer_aws_errors(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="bob")
    assert error_of(excinfo) == ("NoSuchEntity", "The user with name bob cannot be found.")
    assert status_of(excinfo) == 404
    iam.create_user(UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="Bob")
    assert error_of(excinfo) == ("EntityAlreadyExists", "User with name Bob already exists.")
    assert status_of(excinfo) == 409


def test_bad_names_and_paths_are_validation_errors(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="bad name!")
    code, message = error_of(excinfo)
    assert code == "ValidationError"
    assert "Value 'bad name!' at 'userName' failed to satisfy constraint" in message
    with pytest.raises(ClientError) as excinfo:
        iam.create_group(GroupName="g", Path="no-slashes")
    assert error_of(excinfo)[0] == "ValidationError"


def test_list_users_pages_with_marker_and_filters_by_path(iam):
    for name in ["carol", "alice", "bob", "dave", "erin"]:
        iam.create_user(UserName=name, Path="/eng/" if name in ("alice", "dave") else "/")
    first = iam.list_users(MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["alice", "bob"] and first["IsTruncated"]
    second = iam.list_users(MaxItems=2, Marker=first["Marker"])
    assert [u["UserName"] for u in second["Users"]] == ["carol", "dave"]
    third = iam.list_users(MaxItems=2, Marker=second["Marker"])
    assert [u["UserName"] for u in third["Users"]] == ["erin"] and not third["IsTruncated"]
    assert "Marker" not in third
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/eng/")["Users"]] == ["alice", "dave"]
    paginated = [u["UserName"] for p in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2})
                 for u in p["Users"]]
    assert paginated == ["alice", "bob", "carol", "dave", "erin"]
    with pytest.raises(ClientError) as excinfo:
        iam.list_users(Marker="not-a-marker")
    assert error_of(excinfo)[0] == "InvalidInput"


def test_iam_is_global_whatever_region_the_client_names(aws):
    aws.client("iam", region_name="eu-west-1").create_user(UserName="alice")
    assert [u["UserName"] for u in aws.client("iam", region_name="ap-southeast-2").list_users()["Users"]] == ["alice"]
    view = aws.emulator.service("iam").snapshot(aws.account, "sa-east-1")
    assert view.region == "us-east-1" and [u.user_name for u in view.users] == ["alice"]


def test_user_tags_are_case_insensitive_and_limited(iam):
    iam.create_user(UserName="alice")
    iam.tag_user(UserName="alice", Tags=[{"Key": "Env", "Value": "dev"}, {"Key": "team", "Value": "a"}])
    iam.tag_user(UserName="alice", Tags=[{"Key": "env", "Value": "prod"}])
    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "env", "Value": "prod"},
                                                            {"Key": "team", "Value": "a"}]
    iam.untag_user(UserName="alice", TagKeys=["TEAM"])
    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "env", "Value": "prod"}]
    with pytest.raises(ClientError) as excinfo:
        iam.tag_user(UserName="alice", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_of(excinfo) == ("LimitExceeded", "The number of tags has reached the maximum limit.")
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="bob", Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
    assert error_of(excinfo)[0] == "InvalidInput"


def test_rename_user_keeps_groups_and_policies(iam):
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=allow())["Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.update_user(UserName="alice", NewUserName="alicia", NewPath="/ops/")
    with pytest.raises(ClientError):
        iam.get_user(UserName="alice")
    assert iam.get_user(UserName="alicia")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ops/alicia"
    assert [u["UserName"] for u in iam.get_group(GroupName="devs")["Users"]] == ["alicia"]
    assert iam.list_entities_for_policy(PolicyArn=arn)["PolicyUsers"][0]["UserName"] == "alicia"


def test_groups_and_membership(iam):
    group = iam.create_group(GroupName="devs", Path="/teams/")["Group"]
    assert group["GroupId"].startswith("AGPA") and group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/teams/devs"
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="bob")
    iam.add_user_to_group(GroupName="devs", UserName="bob")  # idempotent
    got = iam.get_group(GroupName="devs")
    assert [u["UserName"] for u in got["Users"]] == ["alice", "bob"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="bob")["Groups"]] == ["devs"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName="devs")
    assert error_of(excinfo) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.")
    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    iam.remove_user_from_group(GroupName="devs", UserName="bob")
    with pytest.raises(ClientError) as excinfo:
        iam.remove_user_from_group(GroupName="devs", UserName="bob")
    assert error_of(excinfo)[0] == "NoSuchEntity"
    iam.update_group(GroupName="devs", NewGroupName="developers")
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["developers"]
    iam.delete_group(GroupName="developers")
    with pytest.raises(ClientError) as excinfo:
        iam.get_group(GroupName="developers")
    assert error_of(excinfo) == ("NoSuchEntity", "The group with name developers cannot be found.")


def test_delete_user_conflicts_until_everything_is_removed(iam):
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=allow())
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    steps = [
        ("Cannot delete entity, must delete access keys first.",
         lambda: iam.delete_access_key(UserName="alice", AccessKeyId=key)),
        ("Cannot delete entity, must delete policies first.",
         lambda: iam.delete_user_policy(UserName="alice", PolicyName="inline")),
        ("Cannot delete entity, must detach all policies first.",
         lambda: iam.detach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")),
        ("Cannot delete entity, must remove user from all groups first.",
         lambda: iam.remove_user_from_group(GroupName="g", UserName="alice")),
    ]
    for message, fix in steps:
        with pytest.raises(ClientError) as excinfo:
            iam.delete_user(UserName="alice")
        assert error_of(excinfo) == ("DeleteConflict", message)
        fix()
    iam.delete_user(UserName="alice")
    assert iam.list_users()["Users"] == []


def test_get_user_without_a_name_is_the_caller(aws, iam):
    root = iam.get_user()["User"]
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and root["UserId"] == ACCOUNT
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    as_alice = aws.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_alice.get_user()["User"]["UserName"] == "alice"


def test_user_permissions_boundary(iam):
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam.create_user(UserName="alice", PermissionsBoundary=arn)
    assert iam.get_user(UserName="alice")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_user_permissions_boundary(UserName="alice")
    assert "PermissionsBoundary" not in iam.get_user(UserName="alice")["User"]
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=f"arn:aws:iam::{ACCOUNT}:policy/none")
    assert error_of(excinfo) == ("NoSuchEntity", f"Scope ARN: arn:aws:iam::{ACCOUNT}:policy/none does not exist or "
                                                 "is not attachable.")


def test_boto3_resource_api(aws):
    resource = aws.resource("iam")
    user = resource.create_user(UserName="alice")
    group = resource.create_group(GroupName="devs")
    group.add_user(UserName="alice")
    assert [u.name for u in group.users.all()] == ["alice"]
    user.load()
    assert user.user_id.startswith("AIDA")
    key = user.create_access_key_pair()
    assert key.id.startswith("AKIA") and len(key.id) == 20 and key.secret
    assert [k.id for k in user.access_keys.all()] == [key.id]


def test_another_partition_has_its_own_iam_and_arns(aws):
    china = aws.client("iam", region_name="cn-northwest-1")
    user = china.create_user(UserName="alice")["User"]
    assert user["Arn"] == f"arn:aws-cn:iam::{ACCOUNT}:user/alice"
    assert aws.client("iam").list_users()["Users"] == []  # the aws partition's IAM is another one
    china.attach_user_policy(UserName="alice", PolicyArn="arn:aws-cn:iam::aws:policy/ReadOnlyAccess")
    with pytest.raises(ClientError) as excinfo:
        china.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert error_of(excinfo)[0] == "NoSuchEntity"
    assert aws.emulator.service("iam").snapshot(ACCOUNT, "cn-north-1").region == "cn-north-1"

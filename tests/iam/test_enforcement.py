"""Optional enforcement: with ``enforce_iam`` every request not signed by an account's root is
evaluated against the caller's IAM policies, and STS honours trust policies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.iam.conftest import ACCOUNT, allow, deny, error_of, status_of, trust


@pytest.fixture
def enforcing(aws: Harness) -> Iterator[Harness]:
    aws.emulator.settings.enforce_iam = True
    try:
        yield aws
    finally:
        aws.emulator.settings.enforce_iam = False


def _user(aws: Harness, name: str, *documents: str) -> dict[str, Any]:
    iam = aws.client("iam")
    iam.create_user(UserName=name)
    for index, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{index}", PolicyDocument=document)
    return iam.create_access_key(UserName=name)["AccessKey"]


def _as(aws: Harness, service: str, key: dict[str, Any], **kwargs: Any) -> Any:
    return aws.client(service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                      **kwargs)


def test_a_user_reads_its_prefix_and_is_refused_elsewhere(enforcing):
    aws = enforcing
    s3 = aws.client("s3")  # the root: always allowed
    s3.create_bucket(Bucket="photos")
    s3.put_object(Bucket="photos", Key="public/a.jpg", Body=b"a")
    s3.put_object(Bucket="photos", Key="private/b.jpg", Body=b"b")
    key = _user(aws, "alice", allow("s3:GetObject", "arn:aws:s3:::photos/public/*"))
    alice = _as(aws, "s3", key)
    assert alice.get_object(Bucket="photos", Key="public/a.jpg")["Body"].read() == b"a"
    with pytest.raises(ClientError) as excinfo:
        alice.get_object(Bucket="photos", Key="private/b.jpg")
    assert error_of(excinfo) == ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to "
                                                 "perform: s3:GetObject on resource: arn:aws:s3:::photos/private/b.jpg "
                                                 "because no identity-based policy allows the s3:GetObject action")
    assert status_of(excinfo) == 403
    with pytest.raises(ClientError) as excinfo:
        alice.put_object(Bucket="photos", Key="public/c.jpg", Body=b"c")
    assert error_of(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        _as(aws, "sqs", key).list_queues()
    assert error_of(excinfo)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as excinfo:
        _as(aws, "iam", key).list_users()
    assert error_of(excinfo) == ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to "
                                                 "perform: iam:ListUsers on resource: * because no identity-based "
                                                 "policy allows the iam:ListUsers action")


def test_explicit_deny_wins_and_groups_and_managed_policies_count(enforcing):
    aws = enforcing
    iam = aws.client("iam")
    key = _user(aws, "bob", deny("sqs:DeleteQueue"))
    iam.create_group(GroupName="queues")
    iam.add_user_to_group(GroupName="queues", UserName="bob")
    iam.attach_group_policy(GroupName="queues", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    sqs = _as(aws, "sqs", key)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_queue(QueueUrl=url)
    assert error_of(excinfo) == ("AccessDeniedException",
                                 f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: "
                                 f"sqs:DeleteQueue on resource: arn:aws:sqs:us-east-1:{ACCOUNT}:jobs with an explicit "
                                 "deny in an identity-based policy")
    iam.remove_user_from_group(GroupName="queues", UserName="bob")
    with pytest.raises(ClientError):
        sqs.list_queues()


def test_permissions_boundary_limits_a_user(enforcing):
    aws = enforcing
    iam = aws.client("iam")
    key = _user(aws, "carol", allow("*"))
    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    _as(aws, "s3", key).list_buckets()
    with pytest.raises(ClientError) as excinfo:
        _as(aws, "sqs", key).list_queues()
    assert error_of(excinfo)[1].endswith("because no permissions boundary allows the sqs:ListQueues action")


def test_conditions_see_the_requested_region_and_principal_tags(enforcing):
    aws = enforcing
    iam = aws.client("iam")
    key = _user(aws, "dave", allow("sqs:ListQueues", Condition={"StringEquals": {
        "aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/team": "core"}}))
    with pytest.raises(ClientError):
        _as(aws, "sqs", key, region_name="eu-west-1").list_queues()
    iam.tag_user(UserName="dave", Tags=[{"Key": "team", "Value": "core"}])
    _as(aws, "sqs", key, region_name="eu-west-1").list_queues()
    with pytest.raises(ClientError):
        _as(aws, "sqs", key, region_name="us-east-1").list_queues()


def test_an_assumed_role_carries_its_permissions_through_its_trust_policy(enforcing):
    aws = enforcing
    iam = aws.client("iam")
    key = _user(aws, "erin", allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/*"))
    erin = f"arn:aws:iam::{ACCOUNT}:user/erin"
    role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust({"AWS": erin}))["Role"]
    iam.attach_role_policy(RoleName="reader", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    iam.create_role(RoleName="locked", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCOUNT}:user/x"}))
    sts = _as(aws, "sts", key)
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="work")["Credentials"]
    session = {"aws_access_key_id": credentials["AccessKeyId"],
               "aws_secret_access_key": credentials["SecretAccessKey"],
               "aws_session_token": credentials["SessionToken"]}
    aws.client("s3").create_bucket(Bucket="data")
    assert aws.client("s3", **session).list_buckets()["Buckets"][0]["Name"] == "data"
    with pytest.raises(ClientError) as excinfo:
        aws.client("s3", **session).create_bucket(Bucket="more")
    assert error_of(excinfo)[1].startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/reader/work is not authorized")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/locked", RoleSessionName="work")
    assert error_of(excinfo) == ("AccessDenied", f"User: {erin} is not authorized to perform: sts:AssumeRole on "
                                                 f"resource: arn:aws:iam::{ACCOUNT}:role/locked")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ghost", RoleSessionName="work")
    assert error_of(excinfo)[0] == "AccessDenied"


def test_the_root_is_always_allowed_and_enforcement_is_off_by_default(aws):
    key = _user(aws, "frank")  # no policies at all
    assert _as(aws, "sqs", key).list_queues().get("QueueUrls", []) == []  # off: anything goes
    aws.emulator.settings.enforce_iam = True
    try:
        aws.client("sqs").list_queues()  # the root
        with pytest.raises(ClientError):
            _as(aws, "sqs", key).list_queues()
    finally:
        aws.emulator.settings.enforce_iam = False


def test_enforcement_is_a_setting_of_mock_aws():
    import boto3

    import hoarfrost

    with hoarfrost.mock_aws(enforce_iam=True) as emulator:
        assert emulator.settings.enforce_iam
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="g")
        key = iam.create_access_key(UserName="g")["AccessKey"]
        sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                           aws_secret_access_key=key["SecretAccessKey"])
        # GetCallerIdentity needs no permission, even under an explicit deny.
        iam.put_user_policy(UserName="g", PolicyName="none", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}))
        assert sts.get_caller_identity()["Arn"].endswith(":user/g")
        with pytest.raises(ClientError) as excinfo:
            sts.get_session_token()
        assert error_of(excinfo)[0] == "AccessDenied"


def test_resource_policies_take_part(enforcing):
    aws = enforcing
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="vault")
    s3.put_object(Bucket="vault", Key="secret/a", Body=b"a")
    s3.put_object(Bucket="vault", Key="shared/b", Body=b"b")
    key = _user(aws, "gina", allow("s3:GetObject", "arn:aws:s3:::vault/*"))
    gina = f"arn:aws:iam::{ACCOUNT}:user/gina"
    s3.put_bucket_policy(Bucket="vault", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": gina}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::vault/secret/*"},
        {"Effect": "Allow", "Principal": {"AWS": gina}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::vault/shared/*"},
    ]}))
    client = _as(aws, "s3", key)
    assert client.get_object(Bucket="vault", Key="shared/b")["Body"].read() == b"b"
    with pytest.raises(ClientError) as excinfo:
        client.get_object(Bucket="vault", Key="secret/a")  # the identity allows; the bucket's deny wins
    assert error_of(excinfo) == ("AccessDenied", f"User: {gina} is not authorized to perform: s3:GetObject on "
                                                 "resource: arn:aws:s3:::vault/secret/a with an explicit deny in a "
                                                 "resource-based policy")
    client.put_object(Bucket="vault", Key="shared/c", Body=b"c")  # granted by the bucket policy alone
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:inbox"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": gina}, "Action": "sqs:SendMessage", "Resource": queue_arn}]})})
    _as(aws, "sqs", key).send_message(QueueUrl=url, MessageBody="hi")
    with pytest.raises(ClientError):
        _as(aws, "sqs", key).receive_message(QueueUrl=url)


def test_session_policies_scope_an_assumed_role_down(enforcing):
    aws = enforcing
    iam = aws.client("iam")
    role = iam.create_role(RoleName="admin", AssumeRolePolicyDocument=trust({"AWS": ACCOUNT}))["Role"]
    iam.attach_role_policy(RoleName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    sts = aws.client("sts")  # the root assumes it
    scoped = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="scoped",
                             PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonSQSFullAccess"}])["Credentials"]
    session = {"aws_access_key_id": scoped["AccessKeyId"], "aws_secret_access_key": scoped["SecretAccessKey"],
               "aws_session_token": scoped["SessionToken"]}
    aws.client("sqs", **session).list_queues()
    with pytest.raises(ClientError) as excinfo:
        aws.client("s3", **session).list_buckets()
    assert error_of(excinfo)[1].endswith("because no session policy allows the s3:ListBuckets action")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"}]})
    inline = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="inline", Policy=policy)["Credentials"]
    session = {"aws_access_key_id": inline["AccessKeyId"], "aws_secret_access_key": inline["SecretAccessKey"],
               "aws_session_token": inline["SessionToken"]}
    sqs = aws.client("sqs", **session)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_queue(QueueUrl=url)
    assert error_of(excinfo)[1].endswith("with an explicit deny in a session policy")


def test_web_identity_trust_policies_are_evaluated(enforcing):
    from tests.sts.helpers import oidc_token

    aws = enforcing
    iam = aws.client("iam")
    provider = iam.create_open_id_connect_provider(Url="https://oidc.example.com/id/ABC",
                                                   ClientIDList=["sts.amazonaws.com"])["OpenIDConnectProviderArn"]

    def web_trust(subject: str) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"oidc.example.com/id/ABC:aud": "sts.amazonaws.com"},
                          "StringLike": {"oidc.example.com/id/ABC:sub": subject}}}]})

    pods = iam.create_role(RoleName="pods", AssumeRolePolicyDocument=web_trust("system:serviceaccount:ns:*"))["Role"]
    other = iam.create_role(RoleName="other", AssumeRolePolicyDocument=web_trust("system:serviceaccount:x:*"))["Role"]
    sts = aws.client("sts")
    assumed = sts.assume_role_with_web_identity(RoleArn=pods["Arn"], RoleSessionName="pod",
                                                WebIdentityToken=oidc_token())
    assert assumed["AssumedRoleUser"]["AssumedRoleId"].startswith(pods["RoleId"])
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role_with_web_identity(RoleArn=other["Arn"], RoleSessionName="pod", WebIdentityToken=oidc_token())
    assert error_of(excinfo) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")


def test_across_accounts_both_the_queue_policy_and_the_callers_policies_must_allow(enforcing):
    aws = enforcing
    owner = "210987654321"
    sqs = aws.client("sqs", aws_access_key_id=owner, aws_secret_access_key="x")  # the owner's root
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{owner}:shared"
    henry = f"arn:aws:iam::{ACCOUNT}:user/henry"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": henry}, "Action": "sqs:SendMessage", "Resource": queue_arn}]})})
    key = _user(aws, "henry")
    with pytest.raises(ClientError):  # the queue's grant alone is not enough from another account
        _as(aws, "sqs", key).send_message(QueueUrl=url, MessageBody="hi")
    aws.client("iam").put_user_policy(UserName="henry", PolicyName="send", PolicyDocument=allow("sqs:SendMessage"))
    _as(aws, "sqs", key).send_message(QueueUrl=url, MessageBody="hi")
    with pytest.raises(ClientError):  # the identity allows every queue; this one's policy does not grant it
        _as(aws, "sqs", key).send_message(QueueUrl=url.replace("shared", "other"), MessageBody="hi")


def test_iam_resources_are_matched_with_their_paths(enforcing):
    aws = enforcing
    iam = aws.client("iam")
    iam.create_user(UserName="eng-user", Path="/eng/")
    iam.create_user(UserName="ops-user", Path="/ops/")
    key = _user(aws, "ivan", allow(["iam:GetUser", "iam:CreateUser"], f"arn:aws:iam::{ACCOUNT}:user/eng/*"))
    own = _as(aws, "iam", key)
    assert own.get_user(UserName="eng-user")["User"]["Path"] == "/eng/"
    with pytest.raises(ClientError):
        own.get_user(UserName="ops-user")
    own.create_user(UserName="new-eng", Path="/eng/")
    with pytest.raises(ClientError):
        own.create_user(UserName="new-ops", Path="/ops/")


def test_secure_transport_is_known(enforcing):
    aws = enforcing
    key = _user(aws, "judy", allow("sqs:ListQueues"), deny("sqs:*", Condition={"Bool": {"aws:SecureTransport": "false"}}))
    sqs = _as(aws, "sqs", key)
    if aws.mode == "server":  # plain http to the local server
        with pytest.raises(ClientError) as excinfo:
            sqs.list_queues()
        assert error_of(excinfo)[1].endswith("with an explicit deny in an identity-based policy")
    else:  # botocore's https URL, answered in-process
        sqs.list_queues()


def test_decisions_follow_policy_changes_at_once_including_merge_and_restore(enforcing):
    """The authorizer keeps what a caller's requests share; any change to the account's IAM
    (a handler, a merged or restored view) is seen by the next request."""
    aws = enforcing
    iam = aws.client("iam")
    key = _user(aws, "kate")
    sqs = _as(aws, "sqs", key)
    with pytest.raises(ClientError):
        sqs.list_queues()
    service = aws.emulator.service("iam")
    before = service.snapshot(ACCOUNT, "us-east-1")
    service.merge(ACCOUNT, "us-east-1", {"users": [
        {**before.users[0].model_dump(mode="json"), "inline_policies": {"q": allow("sqs:ListQueues")}}]})
    sqs.list_queues()
    iam.put_user_policy(UserName="kate", PolicyName="no", PolicyDocument=deny("sqs:ListQueues"))
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues()
    assert error_of(excinfo)[1].endswith("with an explicit deny in an identity-based policy")
    service.restore(ACCOUNT, "us-east-1", before)  # kate without any policy again
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues()
    assert error_of(excinfo)[1].endswith("because no identity-based policy allows the sqs:ListQueues action")


def test_an_explicit_deny_in_a_bucket_policy_wins_over_an_identity_allow(enforcing):
    """Issue #10's third scenario, through boto3's resource API: the user may do anything in S3,
    the bucket denies everyone reading one prefix."""
    aws = enforcing
    root = aws.resource("s3")
    bucket = root.create_bucket(Bucket="ledger")
    bucket.put_object(Key="closed/2023.csv", Body=b"old")
    bucket.put_object(Key="open/2024.csv", Body=b"new")
    bucket.Policy().put(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "NoClosedBooks", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::ledger/closed/*"}]}))
    key = _user(aws, "lena", allow("s3:*", "*"))
    own = aws.resource("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert own.Object("ledger", "open/2024.csv").get()["Body"].read() == b"new"
    with pytest.raises(ClientError) as excinfo:
        own.Object("ledger", "closed/2023.csv").get()
    assert error_of(excinfo) == ("AccessDenied", f"User: arn:aws:iam::{ACCOUNT}:user/lena is not authorized to "
                                                 "perform: s3:GetObject on resource: arn:aws:s3:::ledger/closed/2023.csv "
                                                 "with an explicit deny in a resource-based policy")
    assert status_of(excinfo) == 403
    own.Object("ledger", "closed/2024.csv").put(Body=b"x")  # the deny names GetObject only

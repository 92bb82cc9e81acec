"""The policy simulator, driven through boto3: a table of outcomes AWS documents for its
evaluation logic (explicit deny, NotAction / NotResource, wildcards, policy variables, the
condition operators with IfExists and the set qualifiers, boundaries, resource policies), and
SimulatePrincipalPolicy over a user's own, group and managed policies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.iam.conftest import ACCOUNT, allow, error_of

ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BUCKET = "arn:aws:s3:::photos"


def stmt(effect: str = "Allow", action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    statement = {"Effect": effect, **extra}
    if "NotAction" not in extra:
        statement["Action"] = action
    if "NotResource" not in extra:
        statement["Resource"] = resource
    return statement


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def ctx(name: str, values: Any, kind: str = "string") -> dict[str, Any]:
    values = values if isinstance(values, list) else [values]
    return {"ContextKeyName": name, "ContextKeyValues": [str(v) for v in values], "ContextKeyType": kind}


def when(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {"Condition": {operator: {key: value}}}


# (id, policies, action, resource, context entries, expected decision)
CASES: list[tuple[str, list[str], str, str, list[dict[str, Any]], str]] = [
    # -- effects and matching
    ("exact-action", [doc(stmt())], "s3:GetObject", "*", [], "allowed"),
    ("no-statement-matches", [doc(stmt())], "s3:PutObject", "*", [], "implicitDeny"),
    ("deny-wins", [doc(stmt(), stmt("Deny"))], "s3:GetObject", "*", [], "explicitDeny"),
    ("deny-in-another-policy-wins", [doc(stmt()), doc(stmt("Deny", "s3:*"))], "s3:GetObject", "*", [],
     "explicitDeny"),
    ("deny-other-action-irrelevant", [doc(stmt(), stmt("Deny", "s3:PutObject"))], "s3:GetObject", "*", [],
     "allowed"),
    ("action-wildcard", [doc(stmt(action="s3:Get*"))], "s3:GetObjectTagging", "*", [], "allowed"),
    ("action-question-mark", [doc(stmt(action="s3:GetObjec?"))], "s3:GetObject", "*", [], "allowed"),
    ("action-case-insensitive", [doc(stmt(action="S3:getobject"))], "s3:GetObject", "*", [], "allowed"),
    ("action-star", [doc(stmt(action="*"))], "dynamodb:PutItem", "*", [], "allowed"),
    ("action-other-service", [doc(stmt(action="s3:*"))], "sqs:SendMessage", "*", [], "implicitDeny"),
    ("action-list", [doc(stmt(action=["sqs:SendMessage", "s3:GetObject"]))], "s3:GetObject", "*", [], "allowed"),
    ("not-action-allows-others", [doc(stmt(NotAction="iam:*"))], "s3:GetObject", "*", [], "allowed"),
    ("not-action-excludes", [doc(stmt(NotAction="iam:*"))], "iam:CreateUser", "*", [], "implicitDeny"),
    ("deny-not-action", [doc(stmt(action="*"), stmt("Deny", NotAction="s3:*"))], "sqs:SendMessage", "*", [],
     "explicitDeny"),
    # -- resources
    ("resource-exact", [doc(stmt(resource=f"{BUCKET}/a.jpg"))], "s3:GetObject", f"{BUCKET}/a.jpg", [], "allowed"),
    ("resource-mismatch", [doc(stmt(resource=f"{BUCKET}/a.jpg"))], "s3:GetObject", f"{BUCKET}/b.jpg", [],
     "implicitDeny"),
    ("resource-wildcard-spans-slashes", [doc(stmt(resource=f"{BUCKET}/*"))], "s3:GetObject", f"{BUCKET}/x/y/z",
     [], "allowed"),
    ("resource-prefix", [doc(stmt(resource=f"{BUCKET}/public/*"))], "s3:GetObject", f"{BUCKET}/private/a", [],
     "implicitDeny"),
    ("resource-wildcard-region-segment", [doc(stmt("Allow", "sqs:*", "arn:aws:sqs:*:123456789012:q"))],
     "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:q", [], "allowed"),
    ("resource-wildcard-stays-in-segment", [doc(stmt("Allow", "sqs:*", "arn:aws:sqs:*:123456789012:q"))],
     "sqs:SendMessage", "arn:aws:sqs:eu-west-1:extra:123456789012:q", [], "implicitDeny"),
    ("not-resource-allows-others", [doc(stmt(NotResource=f"{BUCKET}/secret/*"))], "s3:GetObject",
     f"{BUCKET}/public/a", [], "allowed"),
    ("not-resource-excludes", [doc(stmt(NotResource=f"{BUCKET}/secret/*"))], "s3:GetObject", f"{BUCKET}/secret/a",
     [], "implicitDeny"),
    ("deny-not-resource", [doc(stmt(resource="*"), stmt("Deny", NotResource=f"{BUCKET}/*"))], "s3:GetObject",
     "arn:aws:s3:::other/a", [], "explicitDeny"),
    # -- policy variables
    ("variable-username", [doc(stmt(resource=f"{BUCKET}/home/${{aws:username}}/*"))], "s3:GetObject",
     f"{BUCKET}/home/alice/doc", [], "allowed"),
    ("variable-username-other", [doc(stmt(resource=f"{BUCKET}/home/${{aws:username}}/*"))], "s3:GetObject",
     f"{BUCKET}/home/bob/doc", [], "implicitDeny"),
    ("variable-principal-tag", [doc(stmt(resource=f"{BUCKET}/${{aws:PrincipalTag/team}}/*"))], "s3:GetObject",
     f"{BUCKET}/core/a", [ctx("aws:PrincipalTag/team", "core")], "allowed"),
    ("variable-missing-matches-nothing", [doc(stmt(resource=f"{BUCKET}/${{aws:PrincipalTag/team}}/*"))],
     "s3:GetObject", f"{BUCKET}/core/a", [], "implicitDeny"),
    ("variable-default", [doc(stmt(resource=f"{BUCKET}/${{aws:PrincipalTag/team, 'shared'}}/*"))], "s3:GetObject",
     f"{BUCKET}/shared/a", [], "allowed"),
    ("variables-literal-in-2008", [doc(stmt(resource=f"{BUCKET}/${{aws:username}}/*"), version="2008-10-17")],
     "s3:GetObject", f"{BUCKET}/alice/a", [], "implicitDeny"),
    # -- string operators
    ("string-equals", [doc(stmt(**when("StringEquals", "s3:prefix", "home/")))], "s3:GetObject", "*",
     [ctx("s3:prefix", "home/")], "allowed"),
    ("string-equals-case-sensitive", [doc(stmt(**when("StringEquals", "s3:prefix", "home/")))], "s3:GetObject",
     "*", [ctx("s3:prefix", "HOME/")], "implicitDeny"),
    ("string-equals-ignore-case", [doc(stmt(**when("StringEqualsIgnoreCase", "s3:prefix", "home/")))],
     "s3:GetObject", "*", [ctx("s3:prefix", "HOME/")], "allowed"),
    ("string-equals-missing-key", [doc(stmt(**when("StringEquals", "s3:prefix", "home/")))], "s3:GetObject", "*",
     [], "implicitDeny"),
    ("string-equals-any-of-values", [doc(stmt(**when("StringEquals", "aws:RequestedRegion",
                                                      ["eu-west-1", "us-east-1"])))],
     "s3:GetObject", "*", [ctx("aws:RequestedRegion", "us-east-1")], "allowed"),
    ("string-not-equals", [doc(stmt(**when("StringNotEquals", "aws:RequestedRegion", "us-east-1")))],
     "s3:GetObject", "*", [ctx("aws:RequestedRegion", "eu-west-1")], "allowed"),
    ("string-not-equals-same", [doc(stmt(**when("StringNotEquals", "aws:RequestedRegion", "us-east-1")))],
     "s3:GetObject", "*", [ctx("aws:RequestedRegion", "us-east-1")], "implicitDeny"),
    ("string-like", [doc(stmt(**when("StringLike", "s3:prefix", "home/*")))], "s3:GetObject", "*",
     [ctx("s3:prefix", "home/alice/")], "allowed"),
    ("string-not-like", [doc(stmt(**when("StringNotLike", "s3:prefix", "home/*")))], "s3:GetObject", "*",
     [ctx("s3:prefix", "tmp/")], "allowed"),
    ("string-equals-variable", [doc(stmt(**when("StringEquals", "s3:prefix", "${aws:username}")))],
     "s3:GetObject", "*", [ctx("s3:prefix", "alice")], "allowed"),
    # -- numbers, dates, booleans, addresses, ARNs, Null
    ("numeric-less-than", [doc(stmt(**when("NumericLessThan", "s3:max-keys", "10")))], "s3:GetObject", "*",
     [ctx("s3:max-keys", 5, "numeric")], "allowed"),
    ("numeric-less-than-fails", [doc(stmt(**when("NumericLessThan", "s3:max-keys", "10")))], "s3:GetObject", "*",
     [ctx("s3:max-keys", 10, "numeric")], "implicitDeny"),
    ("numeric-greater-than-equals", [doc(stmt(**when("NumericGreaterThanEquals", "s3:max-keys", "10")))],
     "s3:GetObject", "*", [ctx("s3:max-keys", 10, "numeric")], "allowed"),
    ("numeric-not-equals", [doc(stmt(**when("NumericNotEquals", "s3:max-keys", "10")))], "s3:GetObject", "*",
     [ctx("s3:max-keys", 10, "numeric")], "implicitDeny"),
    ("date-greater-than", [doc(stmt(**when("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z")))],
     "s3:GetObject", "*", [ctx("aws:CurrentTime", "2024-06-01T00:00:00Z", "date")], "allowed"),
    ("date-less-than", [doc(stmt(**when("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z")))],
     "s3:GetObject", "*", [ctx("aws:CurrentTime", "2024-06-01T00:00:00Z", "date")], "implicitDeny"),
    ("date-from-the-clock", [doc(stmt(**when("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z")))],
     "s3:GetObject", "*", [], "allowed"),
    ("bool-secure-transport", [doc(stmt(**when("Bool", "aws:SecureTransport", "true")))], "s3:GetObject", "*",
     [ctx("aws:SecureTransport", "true", "boolean")], "allowed"),
    ("bool-deny-insecure", [doc(stmt(), stmt("Deny", "s3:*", **when("Bool", "aws:SecureTransport", "false")))],
     "s3:GetObject", "*", [ctx("aws:SecureTransport", "false", "boolean")], "explicitDeny"),
    ("ip-address-in-range", [doc(stmt(**when("IpAddress", "aws:SourceIp", "10.0.0.0/8")))], "s3:GetObject", "*",
     [ctx("aws:SourceIp", "10.1.2.3", "ip")], "allowed"),
    ("ip-address-out-of-range", [doc(stmt(**when("IpAddress", "aws:SourceIp", "10.0.0.0/8")))], "s3:GetObject",
     "*", [ctx("aws:SourceIp", "192.168.0.1", "ip")], "implicitDeny"),
    ("not-ip-address", [doc(stmt(**when("NotIpAddress", "aws:SourceIp", "10.0.0.0/8")))], "s3:GetObject", "*",
     [ctx("aws:SourceIp", "192.168.0.1", "ip")], "allowed"),
    ("arn-like", [doc(stmt(**when("ArnLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:*")))],
     "s3:GetObject", "*", [ctx("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic")], "allowed"),
    ("arn-equals-mismatch", [doc(stmt(**when("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:1:t")))],
     "s3:GetObject", "*", [ctx("aws:SourceArn", "arn:aws:sns:us-east-1:1:u")], "implicitDeny"),
    ("arn-not-like", [doc(stmt(**when("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:*:secret*")))],
     "s3:GetObject", "*", [ctx("aws:SourceArn", "arn:aws:sns:us-east-1:1:public")], "allowed"),
    ("null-true-when-absent", [doc(stmt(**when("Null", "aws:TokenIssueTime", "true")))], "s3:GetObject", "*", [],
     "allowed"),
    ("null-false-when-absent", [doc(stmt(**when("Null", "aws:TokenIssueTime", "false")))], "s3:GetObject", "*", [],
     "implicitDeny"),
    # -- IfExists, set qualifiers, combinations
    ("if-exists-absent", [doc(stmt(**when("StringEqualsIfExists", "ec2:InstanceType", "t3.micro")))],
     "s3:GetObject", "*", [], "allowed"),
    ("if-exists-present-mismatch", [doc(stmt(**when("StringEqualsIfExists", "ec2:InstanceType", "t3.micro")))],
     "s3:GetObject", "*", [ctx("ec2:InstanceType", "m5.large")], "implicitDeny"),
    ("for-any-value", [doc(stmt(**when("ForAnyValue:StringEquals", "aws:TagKeys", ["env", "team"])))],
     "s3:GetObject", "*", [ctx("aws:TagKeys", ["cost", "team"], "stringList")], "allowed"),
    ("for-any-value-none", [doc(stmt(**when("ForAnyValue:StringEquals", "aws:TagKeys", ["env"])))],
     "s3:GetObject", "*", [ctx("aws:TagKeys", ["cost"], "stringList")], "implicitDeny"),
    ("for-any-value-absent", [doc(stmt(**when("ForAnyValue:StringEquals", "aws:TagKeys", ["env"])))],
     "s3:GetObject", "*", [], "implicitDeny"),
    ("for-all-values-subset", [doc(stmt(**when("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"])))],
     "s3:GetObject", "*", [ctx("aws:TagKeys", ["env"], "stringList")], "allowed"),
    ("for-all-values-extra", [doc(stmt(**when("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"])))],
     "s3:GetObject", "*", [ctx("aws:TagKeys", ["env", "cost"], "stringList")], "implicitDeny"),
    ("for-all-values-absent-is-true", [doc(stmt(**when("ForAllValues:StringEquals", "aws:TagKeys", ["env"])))],
     "s3:GetObject", "*", [], "allowed"),
    ("conditions-and", [doc(stmt(Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"},
                                            "Bool": {"aws:SecureTransport": "true"}}))],
     "s3:GetObject", "*", [ctx("aws:RequestedRegion", "us-east-1"), ctx("aws:SecureTransport", "false",
                                                                        "boolean")], "implicitDeny"),
    ("conditions-and-both", [doc(stmt(Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"},
                                                 "Bool": {"aws:SecureTransport": "true"}}))],
     "s3:GetObject", "*", [ctx("aws:RequestedRegion", "us-east-1"), ctx("aws:SecureTransport", "true", "boolean")],
     "allowed"),
    ("deny-condition-not-met", [doc(stmt(), stmt("Deny", "s3:*", **when("StringNotEquals", "aws:RequestedRegion",
                                                                         "us-east-1")))],
     "s3:GetObject", "*", [ctx("aws:RequestedRegion", "us-east-1")], "allowed"),
]


@pytest.mark.parametrize(("policies", "action", "resource", "context", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_evaluation_table(iam, policies, action, resource, context, expected):
    result = iam.simulate_custom_policy(PolicyInputList=policies, ActionNames=[action], ResourceArns=[resource],
                                        ContextEntries=context, CallerArn=ALICE)["EvaluationResults"][0]
    assert (result["EvalActionName"], result["EvalResourceName"]) == (action, resource)
    assert result["EvalDecision"] == expected
    assert bool(result["MatchedStatements"]) == (expected != "implicitDeny")


def test_the_table_covers_at_least_sixty_cases():
    assert len(CASES) >= 60 and len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(("boundary", "expected", "allowed_by_boundary"), [
    (doc(stmt(action="s3:*")), "allowed", True),
    (doc(stmt(action="sqs:*")), "implicitDeny", False),
    (doc(stmt(action="s3:*"), stmt("Deny", "s3:GetObject")), "explicitDeny", False),
])
def test_permissions_boundaries(iam, boundary, expected, allowed_by_boundary):
    result = iam.simulate_custom_policy(PolicyInputList=[doc(stmt(action="*"))], ActionNames=["s3:GetObject"],
                                        PermissionsBoundaryPolicyInputList=[boundary])["EvaluationResults"][0]
    assert result["EvalDecision"] == expected
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": allowed_by_boundary}


def test_resource_policies(iam):
    grant = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}]})
    refuse = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET}/*"}]})
    nothing = doc(stmt(action="sqs:*"))
    allowed = iam.simulate_custom_policy(PolicyInputList=[nothing], ActionNames=["s3:GetObject"],
                                         ResourceArns=[f"{BUCKET}/a"], ResourcePolicy=grant,
                                         CallerArn=ALICE)["EvaluationResults"][0]
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["MatchedStatements"] == [{"SourcePolicyId": "ResourcePolicy", "SourcePolicyType": "resource"}]
    denied = iam.simulate_custom_policy(PolicyInputList=[doc(stmt(action="s3:*"))], ActionNames=["s3:GetObject"],
                                        ResourceArns=[f"{BUCKET}/a"], ResourcePolicy=refuse,
                                        CallerArn=ALICE)["EvaluationResults"][0]
    assert denied["EvalDecision"] == "explicitDeny"


def test_simulate_principal_policy_uses_the_users_policies(iam):
    iam.create_user(UserName="alice", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="home",
                        PolicyDocument=allow("s3:GetObject", f"{BUCKET}/home/${{aws:username}}/*"))
    iam.put_group_policy(GroupName="devs", PolicyName="no-delete", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}))
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    results = iam.simulate_principal_policy(
        PolicySourceArn=ALICE, ActionNames=["s3:GetObject", "s3:DeleteObject", "sqs:SendMessage"],
        ResourceArns=[f"{BUCKET}/home/alice/a"])["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["s3:GetObject"]["EvalDecision"] == "allowed"
    assert by_action["s3:GetObject"]["MatchedStatements"] == [{"SourcePolicyId": "home", "SourcePolicyType": "user"}]
    assert by_action["s3:DeleteObject"]["EvalDecision"] == "explicitDeny"
    assert by_action["s3:DeleteObject"]["MatchedStatements"][0]["SourcePolicyType"] == "group"
    # SQS is allowed by the attached policy but outside the S3-only boundary.
    assert by_action["sqs:SendMessage"]["EvalDecision"] == "implicitDeny"
    assert by_action["sqs:SendMessage"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False}
    other = iam.simulate_principal_policy(PolicySourceArn=ALICE, ActionNames=["s3:GetObject"],
                                          ResourceArns=[f"{BUCKET}/home/bob/a"])["EvaluationResults"][0]
    assert other["EvalDecision"] == "implicitDeny"


def test_simulator_errors(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/ghost", ActionNames=["s3:*"])
    assert error_of(excinfo) == ("NoSuchEntity", "The user with name ghost cannot be found.")
    with pytest.raises(ClientError) as excinfo:
        iam.simulate_custom_policy(PolicyInputList=["{"], ActionNames=["s3:GetObject"])
    assert error_of(excinfo)[0] == "MalformedPolicyDocument"
    page = iam.simulate_custom_policy(PolicyInputList=[doc(stmt())], ActionNames=["s3:A", "s3:B", "s3:C"],
                                      MaxItems=2)
    assert len(page["EvaluationResults"]) == 2 and page["IsTruncated"]
    rest = iam.simulate_custom_policy(PolicyInputList=[doc(stmt())], ActionNames=["s3:A", "s3:B", "s3:C"],
                                      Marker=page["Marker"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["s3:C"]


def test_context_keys(iam):
    policy = doc(stmt(Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"},
                                 "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                 stmt(**when("StringLike", "s3:prefix", "home/*")))
    assert iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"] == [
        "aws:RequestedRegion", "aws:SourceIp", "s3:prefix"]
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=policy)
    assert iam.get_context_keys_for_principal_policy(PolicySourceArn=ALICE)["ContextKeyNames"] == [
        "aws:RequestedRegion", "aws:SourceIp", "s3:prefix"]

"""The kit's policy language: validation messages, evaluation (principals, actions, resources,
every condition operator family, set qualifiers, variables), AddPermission statements, and the
services that use it, driven through boto3 (in-process and over HTTP)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.core.kit.policies import (
    Decision,
    Effect,
    PolicyError,
    PolicyKind,
    Problem,
    Requester,
    access_request,
    parse_policy,
)
from hoarfrost.core.kit.policy_grants import (
    DuplicateStatement,
    dump_document,
    grant,
    load_document,
    revoke,
)
from tests.harness import Harness

OWNER = "123456789012"
OTHER = "210987654321"
THIRD = "444455556666"
QUEUE = f"arn:aws:sqs:us-east-1:{OWNER}:orders"
OTHER_ACCOUNT = Requester(account=OTHER)


def document(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def statement(effect: str = "Allow", **elements: Any) -> dict[str, Any]:
    """A resource-policy statement: everyone, every SQS action, every resource unless overridden."""
    base: dict[str, Any] = {"Effect": effect, "Principal": "*", "Action": "sqs:*", "Resource": "*"}
    for name in elements:
        if name.startswith("Not"):
            base.pop(name[3:])
    base.update(elements)
    return base


def decide(*statements: dict[str, Any], action: str = "sqs:SendMessage", resource: str = QUEUE,
           requester: Requester = OTHER_ACCOUNT, context: dict[str, Any] | None = None,
           version: str = "2012-10-17") -> Decision:
    policy = parse_policy(document(*statements, version=version))
    return policy.evaluate(access_request(requester, action, resource, context))


def when(condition: dict[str, Any], context: dict[str, Any] | None) -> Decision:
    """The decision of one Allow statement with ``condition`` for a request with ``context``."""
    return decide(statement(Condition=condition), context=context)


# -- validation ------------------------------------------------------------------------------
def _with(**elements: Any) -> dict[str, Any]:
    return document(statement(**elements))


def _without(name: str) -> dict[str, Any]:
    raw = statement()
    del raw[name]
    return document(raw)


INVALID: list[tuple[str, Any, PolicyKind, str, Problem]] = [
    ("not json", "{not json", PolicyKind.RESOURCE, "Syntax errors in policy.", Problem.JSON),
    ("not an object", "[]", PolicyKind.RESOURCE, "Syntax errors in policy.", Problem.JSON),
    ("unknown top-level element", {**_with(), "Statements": []}, PolicyKind.RESOURCE,
     "Syntax errors in policy.", Problem.SYNTAX),
    ("bad version", {**_with(), "Version": "2020-01-01"}, PolicyKind.RESOURCE,
     "The policy must contain a valid version string", Problem.VERSION),
    ("no statement", {"Version": "2012-10-17"}, PolicyKind.RESOURCE, "Missing required field Statement",
     Problem.MISSING),
    ("unknown statement element", _with(Actions="sqs:*"), PolicyKind.RESOURCE, "Syntax errors in policy.",
     Problem.SYNTAX),
    ("bad effect", _with(Effect="Foo"), PolicyKind.RESOURCE, "Invalid effect: Foo", Problem.EFFECT),
    ("no effect", _without("Effect"), PolicyKind.RESOURCE, "Missing required field Effect", Problem.MISSING),
    ("resource policy without principal", _without("Principal"), PolicyKind.RESOURCE,
     "Missing required field Principal", Problem.MISSING),
    ("identity policy with principal", _with(), PolicyKind.IDENTITY,
     "Policy document should not specify a principal.", Problem.PRINCIPAL),
    ("no action", _without("Action"), PolicyKind.RESOURCE, "Policy statement must contain actions.",
     Problem.MISSING),
    ("no resource", _without("Resource"), PolicyKind.RESOURCE, "Policy statement must contain resources.",
     Problem.MISSING),
    ("trust policy with resource", _with(), PolicyKind.TRUST, "Has prohibited field Resource.", Problem.RESOURCE),
    ("action without vendor", _with(Action="SendMessage"), PolicyKind.RESOURCE,
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", Problem.ACTION),
    ("bad vendor", _with(Action="s q s:Send"), PolicyKind.RESOURCE, "Vendor s q s is not valid", Problem.ACTION),
    ("resource not an ARN", _with(Resource="orders"), PolicyKind.RESOURCE,
     'Resource orders must be in ARN format or "*".', Problem.RESOURCE),
    ("bad AWS principal", _with(Principal={"AWS": "bob"}), PolicyKind.RESOURCE,
     'Invalid principal in policy: "AWS":"bob"', Problem.PRINCIPAL),
    ("unknown principal kind", _with(Principal={"Robot": "r2"}), PolicyKind.RESOURCE,
     'Invalid principal in policy: "Robot":"r2"', Problem.PRINCIPAL),
    ("Action and NotAction", document(statement(NotAction="sqs:Delete*") | {"Action": "sqs:*"}), PolicyKind.RESOURCE,
     "Syntax errors in policy.", Problem.SYNTAX),
    ("Principal and NotPrincipal", document(statement(NotPrincipal={"AWS": OTHER}) | {"Principal": "*"}), PolicyKind.RESOURCE,
     "Syntax errors in policy.", Problem.SYNTAX),
    ("action not a string", _with(Action=["sqs:*", 3]), PolicyKind.RESOURCE, "Syntax errors in policy.",
     Problem.SYNTAX),
    ("unknown condition operator", _with(Condition={"StringEqualz": {"aws:SourceAccount": OTHER}}),
     PolicyKind.RESOURCE, "Invalid Condition type : StringEqualz.", Problem.CONDITION),
    ("Null takes no IfExists", _with(Condition={"NullIfExists": {"aws:SourceAccount": "true"}}),
     PolicyKind.RESOURCE, "Invalid Condition type : NullIfExists.", Problem.CONDITION),
    ("condition key without vendor", _with(Condition={"StringEquals": {"SourceAccount": OTHER}}),
     PolicyKind.RESOURCE, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
     Problem.CONDITION),
    ("condition not a map", _with(Condition=["StringEquals"]), PolicyKind.RESOURCE, "Syntax errors in policy.",
     Problem.CONDITION),
]


@pytest.mark.parametrize(("raw", "kind", "message", "problem"), [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])
def test_invalid_documents_are_refused_with_iam_messages(raw: Any, kind: PolicyKind, message: str,
                                                         problem: Problem) -> None:
    with pytest.raises(PolicyError) as excinfo:
        parse_policy(raw, kind)
    assert (excinfo.value.message, excinfo.value.problem) == (message, problem)
    assert isinstance(excinfo.value, ValueError)


def test_a_missing_element_names_its_field() -> None:
    with pytest.raises(PolicyError) as excinfo:
        parse_policy(_without("Principal"))
    assert excinfo.value.field == "Principal"


def test_duplicate_sids_are_refused() -> None:
    raw = document(statement(Sid="same"), statement(Sid="same", Action="sqs:ReceiveMessage"))
    with pytest.raises(PolicyError, match=r"Statement IDs \(SID\) in a single policy must be unique\."):
        parse_policy(raw)


def test_identity_policy_sids_must_be_alphanumeric() -> None:
    raw = {"Version": "2012-10-17", "Statement": [{"Sid": "not-ok", "Effect": "Allow", "Action": "s3:*",
                                                   "Resource": "*"}]}
    with pytest.raises(PolicyError, match="must be alpha-numeric"):
        parse_policy(raw, PolicyKind.IDENTITY)
    raw["Statement"][0]["Sid"] = "ok1"
    assert parse_policy(raw, PolicyKind.IDENTITY).statements[0].principal is None


def test_single_values_become_tuples_and_kinds_are_enforced() -> None:
    policy = parse_policy(json.dumps({"Id": "p1", "Statement": {
        "Sid": "one", "Effect": "Deny", "Principal": {"AWS": OTHER, "Service": ["sns.amazonaws.com"]},
        "NotAction": "sqs:SendMessage", "Resource": QUEUE}}))
    [only] = policy.statements
    assert (policy.version, policy.id, only.sid, only.effect) == ("2008-10-17", "p1", "one", Effect.DENY)
    assert only.principal is not None and only.principal.aws == (OTHER,)
    assert only.principal.service == ("sns.amazonaws.com",)
    assert (only.actions, only.not_actions, only.resources) == ((), ("sqs:SendMessage",), (QUEUE,))
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert parse_policy(trust, PolicyKind.TRUST).statements[0].resources == ()


def test_sqs_may_keep_a_document_without_statements() -> None:
    assert parse_policy('{"Version": "2012-10-17"}', statements_required=False).statements == ()


def test_text_is_parsed_once() -> None:
    text = json.dumps(document(statement(Sid="cached")))
    assert parse_policy(text) is parse_policy(text)
    assert parse_policy(text, PolicyKind.RESOURCE) is parse_policy(text)


# -- evaluation: effect, action, resource ------------------------------------------------------
def test_allow_matches_and_anything_else_is_an_implicit_deny() -> None:
    allow = statement(Action="sqs:SendMessage", Resource=QUEUE)
    assert decide(allow) is Decision.ALLOW
    assert decide(allow, action="sqs:DeleteQueue") is Decision.IMPLICIT_DENY
    assert decide(allow, resource=QUEUE + "2") is Decision.IMPLICIT_DENY
    assert decide() is Decision.IMPLICIT_DENY


def test_explicit_deny_beats_allow_in_any_order() -> None:
    allow, deny = statement(), statement("Deny", Action="sqs:SendMessage")
    assert decide(allow, deny) is Decision.DENY
    assert decide(deny, allow) is Decision.DENY
    assert decide(deny, allow, action="sqs:ReceiveMessage") is Decision.ALLOW


def test_actions_match_case_insensitively_with_wildcards() -> None:
    assert decide(statement(Action="SQS:sendmessage")) is Decision.ALLOW
    assert decide(statement(Action="sqs:Send*")) is Decision.ALLOW
    assert decide(statement(Action="sqs:?endMessage")) is Decision.ALLOW
    assert decide(statement(Action="sqs:?Message")) is Decision.IMPLICIT_DENY
    assert decide(statement(Action="*")) is Decision.ALLOW
    assert decide(statement(Action="sns:*")) is Decision.IMPLICIT_DENY
    assert decide(statement(Action=["sns:Publish", "sqs:Send*"])) is Decision.ALLOW


def test_resources_match_case_sensitively_and_segment_by_segment() -> None:
    assert decide(statement(Resource=QUEUE.replace("orders", "Orders"))) is Decision.IMPLICIT_DENY
    assert decide(statement(Resource=f"arn:aws:sqs:*:{OWNER}:*")) is Decision.ALLOW
    assert decide(statement(Resource="arn:aws:sqs:us-east-?:*:ord*")) is Decision.ALLOW
    # a wildcard in the region segment does not swallow the account
    odd = f"arn:aws:sqs:us-east-1:999999999999:{OWNER}:orders"
    assert decide(statement(Resource=f"arn:aws:sqs:*:{OWNER}:orders"), resource=odd) is Decision.IMPLICIT_DENY
    # the resource segment's wildcard spans '/' and ':'
    assert decide(statement(Resource="arn:aws:s3:::bucket/*"), resource="arn:aws:s3:::bucket/a/b:c") is Decision.ALLOW


def test_not_action_and_not_resource() -> None:
    allow = statement(NotAction="sqs:Delete*")
    assert decide(allow) is Decision.ALLOW
    assert decide(allow, action="sqs:DeleteQueue") is Decision.IMPLICIT_DENY
    deny = statement("Deny", NotResource=f"arn:aws:sqs:*:{OWNER}:public-*")
    assert decide(statement(), deny) is Decision.DENY
    assert decide(statement(), deny, resource=f"arn:aws:sqs:us-east-1:{OWNER}:public-1") is Decision.ALLOW


# -- evaluation: principals --------------------------------------------------------------------
USER = Requester(account=OTHER, arn=f"arn:aws:iam::{OTHER}:user/team/alice")
SESSION = Requester(account=OTHER, arn=f"arn:aws:sts::{OTHER}:assumed-role/deployer/ci-run-7")
SERVICE = Requester(service="sns.amazonaws.com")
ANONYMOUS = Requester()

PRINCIPALS: list[tuple[Any, Requester, Decision]] = [
    ("*", ANONYMOUS, Decision.ALLOW),
    ("*", SERVICE, Decision.ALLOW),
    ({"AWS": "*"}, USER, Decision.ALLOW),
    ({"AWS": "*"}, ANONYMOUS, Decision.ALLOW),
    ({"AWS": "*"}, SERVICE, Decision.IMPLICIT_DENY),
    ({"AWS": OTHER}, USER, Decision.ALLOW),
    (OTHER, USER, Decision.ALLOW),
    ({"AWS": f"arn:aws:iam::{OTHER}:root"}, USER, Decision.ALLOW),
    ({"AWS": f"arn:aws:iam::{OTHER}:root"}, SESSION, Decision.ALLOW),
    ({"AWS": f"arn:aws:iam::{THIRD}:root"}, USER, Decision.IMPLICIT_DENY),
    ({"AWS": f"arn:aws:iam::{OTHER}:root"}, ANONYMOUS, Decision.IMPLICIT_DENY),
    ({"AWS": f"arn:aws:iam::{OTHER}:user/team/alice"}, USER, Decision.ALLOW),
    ({"AWS": f"arn:aws:iam::{OTHER}:user/team/bob"}, USER, Decision.IMPLICIT_DENY),
    ({"AWS": f"arn:aws:iam::{OTHER}:role/ops/deployer"}, SESSION, Decision.ALLOW),
    ({"AWS": f"arn:aws:iam::{OTHER}:role/other"}, SESSION, Decision.IMPLICIT_DENY),
    ({"Service": "sns.amazonaws.com"}, SERVICE, Decision.ALLOW),
    ({"Service": "s3.amazonaws.com"}, SERVICE, Decision.IMPLICIT_DENY),
    ({"Service": "sns.amazonaws.com"}, USER, Decision.IMPLICIT_DENY),
    ({"Federated": "cognito-identity.amazonaws.com"}, Requester(federated="cognito-identity.amazonaws.com"),
     Decision.ALLOW),
    ({"CanonicalUser": "abc123"}, Requester(canonical_user="abc123"), Decision.ALLOW),
]


@pytest.mark.parametrize(("principal", "requester", "expected"), PRINCIPALS)
def test_principal_forms(principal: Any, requester: Requester, expected: Decision) -> None:
    assert decide(statement(Principal=principal), requester=requester) is expected


def test_not_principal_applies_to_everyone_else() -> None:
    deny_others = statement("Deny", NotPrincipal={"AWS": f"arn:aws:iam::{OWNER}:root"})
    assert decide(statement(), deny_others, requester=USER) is Decision.DENY
    assert decide(statement(), deny_others, requester=Requester(account=OWNER)) is Decision.ALLOW


# -- evaluation: conditions --------------------------------------------------------------------
CONDITIONS: list[tuple[str, Any, Any, bool]] = [
    # operator, policy value(s), context value (None: key absent), whether the statement applies
    ("StringEquals", OTHER, OTHER, True),
    ("StringEquals", OTHER, THIRD, False),
    ("StringEquals", OTHER, None, False),
    ("StringEquals", "Abc", "abc", False),
    ("StringEquals", [THIRD, OTHER], OTHER, True),
    ("StringNotEquals", OTHER, THIRD, True),
    ("StringNotEquals", OTHER, OTHER, False),
    ("StringNotEquals", OTHER, None, True),
    ("StringEqualsIgnoreCase", "ABC", "abc", True),
    ("StringNotEqualsIgnoreCase", "ABC", "abc", False),
    ("StringLike", "arn:aws:sns:*:topic-?", "arn:aws:sns:us-east-1:1:topic-a", True),
    ("StringLike", "topic-*", "Topic-a", False),
    ("StringNotLike", "topic-*", "queue-a", True),
    ("StringNotLike", "topic-*", "topic-a", False),
    ("NumericEquals", "10", "10.0", True),
    ("NumericNotEquals", "10", "11", True),
    ("NumericLessThan", 10, "9", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericGreaterThan", "10", "10.5", True),
    ("NumericGreaterThanEquals", "10", "9", False),
    ("NumericEquals", "10", "ten", False),
    ("DateEquals", "2024-01-01T00:00:00Z", "1704067200", True),
    ("DateNotEquals", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", True),
    ("DateLessThan", "2024-06-01T00:00:00Z", "2024-05-31T23:59:59Z", True),
    ("DateLessThanEquals", "2024-06-01", "2024-06-01T00:00:00+00:00", True),
    ("DateGreaterThan", "2024-06-01T00:00:00Z", "2024-05-31T23:59:59Z", False),
    ("DateGreaterThanEquals", "2024-06-01T00:00:00Z", "2024-06-01T02:00:00+02:00", True),
    ("Bool", "true", "True", True),
    ("Bool", True, "false", False),
    ("Bool", "false", None, False),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
    ("BinaryEquals", "QmluYXJ5", "b3RoZXI=", False),
    ("IpAddress", "203.0.113.0/24", "203.0.113.9", True),
    ("IpAddress", ["10.0.0.0/8", "203.0.113.0/24"], "198.51.100.1", False),
    ("IpAddress", "2001:db8::/32", "2001:db8::1", True),
    ("IpAddress", "2001:db8::/32", "203.0.113.9", False),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
    ("ArnEquals", f"arn:aws:sns:us-east-1:{OTHER}:t", f"arn:aws:sns:us-east-1:{OTHER}:t", True),
    ("ArnLike", f"arn:aws:sns:*:{OTHER}:*", f"arn:aws:sns:eu-west-1:{OTHER}:alerts", True),
    ("ArnLike", f"arn:aws:sns:*:{OTHER}:*", f"arn:aws:sns:eu-west-1:{THIRD}:alerts", False),
    ("ArnLike", "arn:aws:sns:*:*:*", "not-an-arn", False),
    ("ArnLike", f"arn:aws:sns:*:{OTHER}:t", f"arn:aws:sns:us-east-1:{THIRD}:{OTHER}:t", False),  # per segment
    ("ArnEquals", f"arn:aws:sns:*:{OTHER}:t", f"arn:aws:sns:us-east-1:{OTHER}:t", True),  # wildcards too
    ("ArnNotEquals", f"arn:aws:sns:*:{OTHER}:t", f"arn:aws:sns:us-east-1:{THIRD}:t", True),
    ("ArnNotLike", f"arn:aws:sns:*:{OTHER}:*", f"arn:aws:sns:us-east-1:{OTHER}:t", False),
    ("StringEqualsIfExists", OTHER, None, True),
    ("StringEqualsIfExists", OTHER, THIRD, False),
    ("NumericLessThanIfExists", "5", "3", True),
    ("Null", "true", None, True),
    ("Null", "true", OTHER, False),
    ("Null", "false", OTHER, True),
    ("Null", "false", None, False),
]


@pytest.mark.parametrize(("operator", "expected", "actual", "applies"), CONDITIONS)
def test_condition_operators(operator: str, expected: Any, actual: Any, applies: bool) -> None:
    context = None if actual is None else {"aws:Key": actual}
    outcome = when({operator: {"aws:key": expected}}, context)
    assert outcome is (Decision.ALLOW if applies else Decision.IMPLICIT_DENY)


def test_keys_and_operators_are_anded_and_key_names_fold_case() -> None:
    condition = {"StringEquals": {"aws:SourceAccount": OTHER, "aws:SourceArn": "arn:aws:sns:us-east-1:1:t"},
                 "Bool": {"aws:SecureTransport": "true"}}
    full = {"AWS:SOURCEACCOUNT": OTHER, "aws:sourcearn": "arn:aws:sns:us-east-1:1:t", "aws:SecureTransport": True}
    assert when(condition, full) is Decision.ALLOW
    assert when(condition, {**full, "aws:SecureTransport": False}) is Decision.IMPLICIT_DENY
    assert when(condition, {k: v for k, v in full.items() if k != "aws:sourcearn"}) is Decision.IMPLICIT_DENY


def test_set_qualifiers_on_multivalued_keys() -> None:
    tags = "aws:TagKeys"
    any_value = {"ForAnyValue:StringEquals": {tags: ["env", "team"]}}
    all_values = {"ForAllValues:StringEquals": {tags: ["env", "team"]}}
    assert when(any_value, {tags: ["cost", "team"]}) is Decision.ALLOW
    assert when(any_value, {tags: ["cost"]}) is Decision.IMPLICIT_DENY
    assert when(any_value, None) is Decision.IMPLICIT_DENY
    assert when(all_values, {tags: ["env", "team"]}) is Decision.ALLOW
    assert when(all_values, {tags: ["env", "cost"]}) is Decision.IMPLICIT_DENY
    assert when(all_values, None) is Decision.ALLOW  # vacuously true for an absent key
    assert when({"ForAnyValue:StringNotEquals": {tags: "env"}}, {tags: ["env", "team"]}) is Decision.ALLOW
    assert when({"ForAnyValue:StringNotEquals": {tags: "env"}}, {tags: ["env"]}) is Decision.IMPLICIT_DENY
    assert when({"ForAllValues:StringNotEquals": {tags: "env"}}, {tags: ["env", "team"]}) is Decision.IMPLICIT_DENY
    assert when({"ForAnyValue:StringLikeIfExists": {tags: "e*"}}, None) is Decision.ALLOW
    # without a qualifier a positive operator needs one value to match, a negated one none
    assert when({"StringEquals": {tags: "env"}}, {tags: ["cost", "env"]}) is Decision.ALLOW
    assert when({"StringNotEquals": {tags: "env"}}, {tags: ["cost", "env"]}) is Decision.IMPLICIT_DENY


def test_typed_context_values() -> None:
    noon = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    assert when({"DateGreaterThan": {"aws:CurrentTime": "2024-06-01T11:59:59Z"}},
                {"aws:CurrentTime": noon}) is Decision.ALLOW
    assert when({"NumericLessThan": {"s3:max-keys": "100"}}, {"s3:max-keys": 10}) is Decision.ALLOW
    assert when({"BinaryEquals": {"aws:key": "aGk="}}, {"aws:key": b"hi"}) is Decision.ALLOW


# -- evaluation: policy variables -----------------------------------------------------------
def test_policy_variables_in_resources_and_conditions() -> None:
    home = statement(Action="s3:*", Resource="arn:aws:s3:::home/${aws:username}/*")
    alice_file = "arn:aws:s3:::home/alice/notes.txt"
    assert decide(home, action="s3:GetObject", resource=alice_file, requester=USER) is Decision.ALLOW
    assert decide(home, action="s3:GetObject", resource="arn:aws:s3:::home/bob/x", requester=USER) \
        is Decision.IMPLICIT_DENY
    # no value for the variable: nothing matches
    assert decide(home, action="s3:GetObject", resource=alice_file, requester=SESSION) is Decision.IMPLICIT_DENY
    # in a 2008-10-17 policy ${...} is literal text
    assert decide(home, action="s3:GetObject", resource=alice_file, requester=USER, version="2008-10-17") \
        is Decision.IMPLICIT_DENY
    own_account = statement(Condition={"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}})
    assert decide(own_account, context={"aws:SourceAccount": OTHER}) is Decision.ALLOW
    assert decide(own_account, context={"aws:SourceAccount": THIRD}) is Decision.IMPLICIT_DENY


def test_variable_defaults_and_escapes() -> None:
    team = statement(Action="s3:*", Resource="arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*")
    assert decide(team, action="s3:GetObject", resource="arn:aws:s3:::b/shared/x") is Decision.ALLOW
    assert decide(team, action="s3:GetObject", resource="arn:aws:s3:::b/red/x",
                  context={"aws:PrincipalTag/Team": "red"}) is Decision.ALLOW
    literal_star = statement(Action="s3:*", Resource="arn:aws:s3:::b/${*}")
    assert decide(literal_star, action="s3:GetObject", resource="arn:aws:s3:::b/*") is Decision.ALLOW
    assert decide(literal_star, action="s3:GetObject", resource="arn:aws:s3:::b/x") is Decision.IMPLICIT_DENY


# -- AddPermission statements ----------------------------------------------------------------
def test_grant_and_revoke_edit_a_document() -> None:
    default = {"Version": "2012-10-17", "Id": "q/SQSDefaultPolicy", "Statement": []}
    doc = load_document(None, default)
    grant(doc, sid="send", accounts=[OTHER], actions=["SendMessage"], vendor="SQS", resource=QUEUE)
    grant(doc, sid="both", accounts=[OTHER, THIRD], actions=["SQS:ReceiveMessage", "DeleteMessage"],
          vendor="SQS", resource=QUEUE)
    assert default["Statement"] == []  # the default is copied, never edited
    assert doc["Statement"] == [
        {"Sid": "send", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": "SQS:SendMessage", "Resource": QUEUE},
        {"Sid": "both", "Effect": "Allow",
         "Principal": {"AWS": [f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{THIRD}:root"]},
         "Action": ["SQS:ReceiveMessage", "SQS:DeleteMessage"], "Resource": QUEUE},
    ]
    with pytest.raises(DuplicateStatement):
        grant(doc, sid="send", accounts=[THIRD], actions=["SendMessage"], vendor="SQS", resource=QUEUE)
    policy = parse_policy(dump_document(doc))
    assert policy.evaluate(access_request(Requester(account=THIRD), "sqs:DeleteMessage", QUEUE)) is Decision.ALLOW
    assert policy.evaluate(access_request(Requester(account=THIRD), "sqs:SendMessage", QUEUE)) \
        is Decision.IMPLICIT_DENY
    assert revoke(doc, "send") is True
    assert revoke(doc, "send") is False
    assert [s["Sid"] for s in load_document(dump_document(doc))["Statement"]] == ["both"]


# -- through the services ----------------------------------------------------------------------
def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


def _topic_policy(topic: str, **condition: Any) -> str:
    return json.dumps(document({
        "Sid": "partners", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish",
        "Resource": topic, "Condition": condition}))


def test_sns_cross_account_publish_follows_the_topic_policy_condition(aws: Harness) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="partners")["TopicArn"]
    other = aws.client("sns", aws_access_key_id=OTHER, aws_secret_access_key="x")
    third = aws.client("sns", aws_access_key_id=THIRD, aws_secret_access_key="x")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                             AttributeValue=_topic_policy(topic, StringEquals={"aws:SourceAccount": OTHER}))
    assert other.publish(TopicArn=topic, Message="allowed")["MessageId"]
    with pytest.raises(ClientError) as excinfo:
        third.publish(TopicArn=topic, Message="not this account")
    assert _error(excinfo)[0] == "AuthorizationError"
    with pytest.raises(ClientError) as excinfo:
        other.get_topic_attributes(TopicArn=topic)  # the policy grants Publish only
    assert _error(excinfo)[0] == "AuthorizationError"
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                             AttributeValue=_topic_policy(topic, StringEquals={"aws:SourceAccount": THIRD}))
    with pytest.raises(ClientError) as excinfo:
        other.publish(TopicArn=topic, Message="no longer")
    code, message = _error(excinfo)
    assert code == "AuthorizationError" and excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert message == f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: SNS:Publish on resource: {topic}"
    assert third.publish(TopicArn=topic, Message="now this one")["MessageId"]


def test_sns_policy_conditions_read_the_emulators_clock(aws: Harness) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="until")["TopicArn"]
    other = aws.client("sns", aws_access_key_id=OTHER, aws_secret_access_key="x")
    # small steps: the server's emulator (and its clock) is shared by the whole session
    deadline = (aws.emulator.clock.now() + dt.timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                             AttributeValue=_topic_policy(topic, DateLessThan={"aws:CurrentTime": deadline}))
    assert other.publish(TopicArn=topic, Message="in time")["MessageId"]
    aws.emulator.clock.advance(60)
    with pytest.raises(ClientError) as excinfo:
        other.publish(TopicArn=topic, Message="too late")
    assert _error(excinfo)[0] == "AuthorizationError"


def test_sns_explicit_deny_applies_to_the_owner_too(aws: Harness) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="frozen")["TopicArn"]
    deny = {"Sid": "freeze", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{aws.account}:root"},
            "Action": "SNS:Publish", "Resource": topic}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(document(deny)))
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=topic, Message="denied")
    assert _error(excinfo)[0] == "AuthorizationError"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["TopicArn"] == topic  # not denied


@pytest.mark.parametrize(("policy", "message"), [
    ("{not json", "Invalid parameter: Policy Error: null"),
    (json.dumps(document(statement(Effect="Maybe", Action="SNS:Publish"))),
     "Invalid parameter: Policy Error: Invalid effect: Maybe"),
    (json.dumps(document(statement(Action="sqs:SendMessage"))),
     "Invalid parameter: Policy statement action out of service scope!"),
])
def test_sns_refuses_an_invalid_topic_policy(aws: Harness, policy: str, message: str) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError) as excinfo:
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy)
    assert _error(excinfo) == ("InvalidParameter", message)


def test_sqs_add_permission_writes_a_statement_the_evaluator_reads(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{aws.account}:shared"
    sqs.add_permission(QueueUrl=url, Label="partner", AWSAccountIds=[OTHER], Actions=["SendMessage"])
    text = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert json.loads(text) == {"Version": "2012-10-17", "Id": f"{arn}/SQSDefaultPolicy", "Statement": [
        {"Sid": "partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": "SQS:SendMessage", "Resource": arn}]}
    policy = parse_policy(text)
    assert policy.evaluate(access_request(Requester(account=OTHER), "sqs:SendMessage", arn)) is Decision.ALLOW
    assert policy.evaluate(access_request(Requester(account=THIRD), "sqs:SendMessage", arn)) \
        is Decision.IMPLICIT_DENY


def test_sqs_refuses_an_invalid_queue_policy(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    bad = json.dumps(document(statement(Effect="Maybe")))
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": bad})
    assert _error(excinfo) == ("InvalidAttributeValue", "Invalid value for the parameter Policy.")
    assert "Policy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def _bucket_policy(**elements: Any) -> str:
    base = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}
    base.update(elements)
    return json.dumps(document({k: v for k, v in base.items() if v is not None}))


@pytest.mark.parametrize(("policy", "message"), [
    ("not json", "Policies must be valid JSON and the first byte must be '{'"),
    ('{"Version": "2012-10-17"}', "Missing required field Statement"),
    (_bucket_policy(Principal=None), "Missing required field Principal"),
    (_bucket_policy(Effect="Maybe"), "Invalid effect: Maybe"),
    (_bucket_policy(Principal={"AWS": "nobody"}), "Invalid principal in policy"),
    (_bucket_policy(Action="sqs:SendMessage"), "Policy has invalid action"),
    (_bucket_policy(Resource="arn:aws:s3:::another-bucket/*"), "Policy has invalid resource"),
])
def test_s3_put_bucket_policy_refuses_malformed_policies(aws: Harness, policy: str, message: str) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="site")
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_policy(Bucket="site", Policy=policy)
    assert _error(excinfo) == ("MalformedPolicy", message)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    s3.put_bucket_policy(Bucket="site", Policy=_bucket_policy(Resource=["arn:aws:s3:::site", "arn:aws:s3:::si*/*"]))
    assert s3.get_bucket_policy_status(Bucket="site")["PolicyStatus"]["IsPublic"] is True


def test_a_statement_says_which_actions_it_concerns() -> None:
    from hoarfrost.core.kit.policies import PolicyKind, parse_policy

    policy = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:Get*", "sqs:SendMessage"], "Resource": "*"},
        {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:${aws:username}", "Resource": "*"},
    ]}, PolicyKind.IDENTITY)
    first, second, third = policy.statements
    assert first.concerns("s3:GetObject") and first.concerns("SQS:sendmessage")
    assert not first.concerns("s3:PutObject")
    assert second.concerns("s3:PutObject") and not second.concerns("iam:CreateUser")
    # Actions hold no policy variables: the text is literal.
    assert third.concerns("s3:${aws:username}") and not third.concerns("s3:alice")


ALICE_ARN = "arn:aws:iam::123456789012:user/alice"
SESSION_ARN = "arn:aws:sts::123456789012:assumed-role/reader/s"


@pytest.mark.parametrize(("principal", "caller", "names"), [
    ("*", ALICE_ARN, True),
    ({"AWS": "*"}, ALICE_ARN, True),
    ({"AWS": ALICE_ARN}, ALICE_ARN, True),
    ({"AWS": "arn:aws:iam::123456789012:role/reader"}, SESSION_ARN, True),  # the session's role
    ({"AWS": "123456789012"}, ALICE_ARN, False),  # the account: delegates to its IAM policies
    ({"AWS": "arn:aws:iam::123456789012:root"}, SESSION_ARN, False),
])
def test_a_statement_names_the_principal_or_only_its_account(principal: Any, caller: str, names: bool) -> None:
    """IAM enforcement's rule for resource policies: naming the caller grants on its own, naming
    its account delegates to the account's identity policies."""
    policy = parse_policy(json.dumps({"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:*",
                                                     "Resource": "*"}]}))
    statement = policy.statements[0]
    requester = Requester(account="123456789012", arn=caller)
    assert statement.applies(access_request(requester, "s3:GetObject", "arn:aws:s3:::b/k"))
    assert statement.names(requester) is names

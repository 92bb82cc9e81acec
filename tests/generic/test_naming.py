"""What names say: verbs and nouns of operations, plurals, identifier members."""

from __future__ import annotations

import pytest

from hoarfrost.generic import naming
from hoarfrost.generic.naming import OperationName


@pytest.mark.parametrize(("operation", "expected"), [
    ("CreateRestApi", OperationName("Create", "RestApi")),
    ("DescribeDBInstances", OperationName("Describe", "DBInstances")),
    ("GetQueueAttributes", OperationName("Get", "Queue", attributes=True)),
    ("ModifyVpcAttribute", OperationName("Modify", "Vpc", attributes=True)),
    ("ListSubscriptionsByTopic", OperationName("List", "Subscriptions", scope="Topic")),
    ("ListTagsForResource", OperationName("List", "Tags", scope="Resource")),
    ("SendMessage", None),
    ("Get", None),
])
def test_split(operation: str, expected: OperationName | None) -> None:
    assert naming.split(operation) == expected


@pytest.mark.parametrize(("plural", "known", "singular"), [
    ("Policies", {"Policy"}, "Policy"),
    ("Aliases", {"Alias"}, "Alias"),
    ("EventBuses", {"EventBus"}, "EventBus"),
    ("Indices", {"Index"}, "Index"),
    ("Analyses", {"Analysis"}, "Analysis"),
    ("RestApis", {"RestApi"}, "RestApi"),
    ("DatabaseList", {"Database"}, "Database"),
    ("Members", {"Member2"}, None),
])
def test_singular_of(plural: str, known: set[str], singular: str | None) -> None:
    assert naming.singular_of(plural, known) == singular


def test_words_keep_acronyms_whole() -> None:
    assert naming.words("DBClusterParameterGroup") == ["DB", "Cluster", "Parameter", "Group"]
    assert naming.noun_tails("GraphqlApi") == ["graphqlapi", "api"]


@pytest.mark.parametrize(("member", "kind", "many", "prefix", "stem"), [
    ("logGroupName", "name", False, False, "loggroup"),
    ("repositoryNames", "name", True, False, "repository"),
    ("logStreamNamePrefix", "name", False, True, "logstream"),
    ("DBInstanceIdentifier", "id", False, False, "dbinstance"),
    ("TopicArn", "arn", False, False, "topic"),
    ("ARN", "arn", False, False, ""),
    ("QueueUrl", "url", False, False, "queue"),
    ("id", "id", False, False, ""),
])
def test_parse_member(member: str, kind: str, many: bool, prefix: bool, stem: str) -> None:
    assert naming.parse_member(member) == naming.MemberName(kind, many, prefix, stem)  # type: ignore[arg-type]


def test_members_that_name_no_identifier() -> None:
    assert naming.parse_member("httpMethod") is None
    assert naming.kind_of("httpMethod") == "key"
    assert naming.parse_member("idPrefix") is None  # only names have prefixes


def test_names_noun_by_full_name_tail_or_bare() -> None:
    assert naming.names_noun("restApiId", "RestApi") is not None
    assert naming.names_noun("apiId", "GraphqlApi") is not None  # the noun's last word
    assert naming.names_noun("Name", "Table") is not None
    assert naming.names_noun("Name", "Table", bare=False) is None
    assert naming.names_noun("restApiId", "Resource") is None

"""Inference on services whose resources we know: families, roles, identifier sources, parents.

Each test states what AWS's documentation says about the resource, so a change to
inference that breaks a fact fails here with the service named.
"""

from __future__ import annotations

from functools import cache

from hoarfrost.generic.catalog import (
    Binding,
    Family,
    Identifier,
    OperationRole,
    ServiceCatalog,
)
from hoarfrost.generic.infer import infer


@cache
def catalog(service: str) -> ServiceCatalog:
    return infer(service)


def family(service: str, name: str) -> Family:
    found = catalog(service).family(name)
    assert found is not None, f"{service} has no family {name}: {[f.name for f in catalog(service).families]}"
    return found


def ops(found: Family, role: str) -> list[str]:
    return [item.operation for item in found.roles(role)]


def role(found: Family, role_name: str, operation: str) -> OperationRole:
    return next(item for item in found.roles(role_name) if item.operation == operation)


def bindings(item: OperationRole) -> dict[str, Binding]:
    return {binding.member: binding for binding in item.bindings}


def ident(found: Family, kind: str) -> Identifier:
    identifier = found.identifier(kind)
    assert identifier is not None, (found.name, kind, found.identifiers)
    return identifier


def unresolved(service: str) -> dict[str, str]:
    return {item.operation: item.reason for item in catalog(service).unresolved}


def test_sqs_queue_by_url_named_at_creation() -> None:
    queue = family("sqs", "Queue")
    assert queue.resolved and not queue.parents
    assert ops(queue, "create") == ["CreateQueue"]
    assert ops(queue, "read") == ["GetQueueAttributes"]
    assert role(queue, "read", "GetQueueAttributes").attributes
    assert role(queue, "read", "GetQueueAttributes").resource_path == "Attributes"
    assert ops(queue, "update") == ["SetQueueAttributes"]
    assert ops(queue, "delete") == ["DeleteQueue"]
    assert ops(queue, "lookup") == ["GetQueueUrl"]
    assert bindings(role(queue, "read", "GetQueueAttributes"))["QueueUrl"].kinds == ("url",)
    assert ident(queue, "url").output_path == "QueueUrl" and ident(queue, "url").key
    assert ident(queue, "name").input_paths == ("QueueName",)
    listed = role(queue, "list", "ListQueues")
    assert (listed.resource_path, listed.items) == ("QueueUrls", "url")
    assert bindings(listed)["QueueNamePrefix"].match == "prefix"
    assert listed.paging is not None and listed.paging.input_tokens == ("NextToken",)
    assert (queue.not_found_error, queue.exists_error) == ("QueueDoesNotExist", "QueueNameExists")
    tags = next(t for t in catalog("sqs").tagging if t.family == "Queue")
    assert (tags.tag, tags.untag, tags.list, tags.resource_member) == ("TagQueue", "UntagQueue", "ListQueueTags",
                                                                        "QueueUrl")
    assert unresolved("sqs")["SendMessage"] == "verb"


def test_glue_table_lives_in_a_database() -> None:
    database = family("glue", "Database")
    assert database.resolved
    assert ident(database, "name").input_paths == ("DatabaseInput.Name",)
    assert role(database, "read", "GetDatabase").resource_path == "Database"
    table = family("glue", "Table")
    assert table.resolved
    assert [(p.family, p.member, p.required, p.keyed) for p in table.parents] == [
        ("Database", "DatabaseName", True, True)]
    assert "TableInput.Name" in ident(table, "name").input_paths
    read = role(table, "read", "GetTable")
    assert read.resource_path == "Table" and bindings(read)["DatabaseName"].family == "Database"
    listed = role(table, "list", "GetTables")
    assert listed.resource_path == "TableList" and listed.paging and listed.paging.source == "paginator"
    assert table.not_found_error == "EntityNotFoundException" and table.exists_error == "AlreadyExistsException"
    # The hint: CatalogId is an account, not a Catalog.
    assert "CatalogId" not in {b.member for b in role(table, "read", "GetTable").bindings if b.family == "Catalog"}
    assert "owners.CatalogId" in catalog("glue").hints


def test_apigateway_resource_in_a_rest_api_with_ids_the_service_assigns() -> None:
    api = family("apigateway", "RestApi")
    assert api.resolved
    assert ident(api, "id").output_path == "id" and ident(api, "id").member == "restApiId"
    assert not ident(api, "id").input_paths
    resource = family("apigateway", "Resource")
    assert resource.resolved
    assert resource.parent is not None and (resource.parent.family, resource.parent.member) == ("RestApi", "restApiId")
    assert ident(resource, "id").output_path == "id"
    read = bindings(role(resource, "read", "GetResource"))
    assert read["resourceId"].family == "Resource" and read["restApiId"].family == "RestApi"
    listed = role(resource, "list", "GetResources")
    assert listed.resource_path == "items" and listed.paging and listed.paging.input_tokens == ("position",)
    # PutRestApi replaces an API's definition: an update, since CreateRestApi creates.
    assert "PutRestApi" in ops(api, "update")
    # A method is keyed by its HTTP method inside a resource inside an API.
    method = family("apigateway", "Method")
    assert [p.family for p in method.parents if p.keyed] == ["RestApi", "Resource"]
    assert ident(method, "key").member == "httpMethod"
    assert unresolved("apigateway")["ImportRestApi"] == "verb"


def test_ecr_repository_by_name_read_through_describe_repositories() -> None:
    repository = family("ecr", "Repository")
    assert repository.resolved
    assert ident(repository, "name").input_paths == ("repositoryName",)
    assert ident(repository, "arn").output_path == "repository.repositoryArn"
    read = role(repository, "read", "DescribeRepositories")
    assert read.many and read.resource_path == "repositories"
    assert bindings(read)["repositoryNames"].match == "any"
    assert "DescribeRepositories" in ops(repository, "list")
    assert [(f.name, r.role) for f, r in catalog("ecr").role_of("DescribeRepositories")] == [
        ("Repository", "read"), ("Repository", "list")]
    assert repository.not_found_error == "RepositoryNotFoundException"
    assert repository.exists_error == "RepositoryAlreadyExistsException"
    policy = family("ecr", "RepositoryPolicy")
    assert policy.singleton and policy.parent is not None and policy.parent.family == "Repository"
    assert ops(policy, "create") == ["SetRepositoryPolicy"]


def test_secretsmanager_secret_by_arn_or_name() -> None:
    secret = family("secretsmanager", "Secret")
    assert secret.resolved
    assert ops(secret, "read") == ["DescribeSecret"]
    assert set(bindings(role(secret, "read", "DescribeSecret"))["SecretId"].kinds) == {"arn", "name"}
    assert ident(secret, "arn").output_path == "ARN"
    assert ident(secret, "name").input_paths == ("Name",)
    assert secret.exists_error == "ResourceExistsException"


def test_dynamodb_table() -> None:
    table = family("dynamodb", "Table")
    assert table.resolved
    assert role(table, "create", "CreateTable").resource_path == "TableDescription"
    assert role(table, "read", "DescribeTable").resource_path == "Table"
    listed = role(table, "list", "ListTables")
    assert (listed.resource_path, listed.items) == ("TableNames", "name")
    assert listed.paging is not None
    assert (listed.paging.input_tokens, listed.paging.output_tokens) == (("ExclusiveStartTableName",),
                                                                        ("LastEvaluatedTableName",))
    assert ident(table, "arn").output_path == "TableDescription.TableArn"
    assert table.status is not None and (table.status.path, table.status.active) == ("TableStatus", "ACTIVE")
    assert table.exists_error == "ResourceInUseException"
    assert table.tags is not None and (table.tags.member, table.tags.form) == ("Tags", "list")
    assert unresolved("dynamodb")["BatchGetItem"] == "batch"


def test_logs_stream_lives_in_a_group() -> None:
    group = family("logs", "LogGroup")
    assert group.resolved and ident(group, "name").input_paths == ("logGroupName",)
    stream = family("logs", "LogStream")
    assert stream.resolved
    assert stream.parent is not None and (stream.parent.family, stream.parent.member) == ("LogGroup", "logGroupName")
    # Nothing reads one stream: DescribeLogStreams filtered by a name prefix does.
    read = role(stream, "read", "DescribeLogStreams")
    assert read.many and bindings(read)["logStreamNamePrefix"].match == "prefix"
    assert bindings(read)["logGroupIdentifier"].family == "LogGroup"


def test_iot_thing() -> None:
    thing = family("iot", "Thing")
    assert thing.resolved
    assert ident(thing, "name").input_paths == ("thingName",)
    assert ident(thing, "arn").output_path == "thingArn" and ident(thing, "id").output_path == "thingId"
    assert ops(thing, "create") == ["CreateThing"]
    assert unresolved("iot")["RegisterThing"] == "identifier"  # provisions from a template, names no thing


def test_sns_topic_by_arn() -> None:
    topic = family("sns", "Topic")
    assert topic.resolved
    assert ident(topic, "arn").output_path == "TopicArn" and ident(topic, "arn").key
    assert bindings(role(topic, "read", "GetTopicAttributes"))["TopicArn"].kinds == ("arn",)
    assert ops(topic, "update") == ["SetTopicAttributes"]
    subscriptions = family("sns", "Subscription")
    listed = role(subscriptions, "list", "ListSubscriptionsByTopic")
    assert bindings(listed)["TopicArn"].family == "Topic"


def test_route53_hosted_zone_id_nested_in_the_output() -> None:
    zone = family("route53", "HostedZone")
    assert zone.resolved
    assert ident(zone, "id").output_path == "HostedZone.Id"  # not ChangeInfo.Id or DelegationSet.Id
    assert role(zone, "read", "GetHostedZone").resource_path == "HostedZone"
    assert zone.not_found_error == "NoSuchHostedZone" and zone.exists_error == "HostedZoneAlreadyExists"
    listed = role(zone, "list", "ListHostedZones")
    assert listed.paging is not None and listed.paging.input_tokens == ("Marker",)


def test_appsync_resolvers_belong_to_graphql_apis() -> None:
    resolver = family("appsync", "Resolver")
    assert resolver.resolved
    assert [p.family for p in resolver.parents if p.keyed] == ["GraphqlApi", "Type"]
    assert ident(resolver, "name").member == "fieldName"
    assert ident(resolver, "name").input_paths == ("fieldName",)
    api = family("appsync", "GraphqlApi")
    assert ident(api, "id").output_path == "graphqlApi.apiId"
    assert ops(api, "update") == ["UpdateGraphqlApi"]
    # UpdateGraphqlApi's required name is the new name, not a way to find the API.
    assert set(bindings(role(api, "update", "UpdateGraphqlApi"))) == {"apiId"}
    namespace = family("appsync", "ChannelNamespace")  # the hint: Event APIs own channel namespaces
    assert namespace.parent is not None and namespace.parent.family == "Api"


def test_events_rule_in_an_optional_event_bus() -> None:
    rule = family("events", "Rule")
    assert rule.resolved
    create = role(rule, "create", "PutRule")
    assert create.upsert and rule.exists_error is None  # a Put replaces, it never collides
    assert rule.parent is not None
    assert (rule.parent.family, rule.parent.member, rule.parent.required) == ("EventBus", "EventBusName", False)
    assert ident(rule, "arn").output_path == "RuleArn"
    assert rule.status is not None and rule.status.active == "ENABLED"
    assert unresolved("events")["PutTargets"] == "batch"


def test_ecs_service_in_a_cluster_read_by_name() -> None:
    service = family("ecs", "Service")
    assert service.resolved
    read = role(service, "read", "DescribeServices")
    assert read.many and bindings(read)["services"].kinds == ("name",)
    assert "DescribeServices" not in ops(service, "list")  # it needs the services: no listing
    assert ops(service, "list") == ["ListServices"]
    cluster = family("ecs", "Cluster")
    assert set(bindings(role(cluster, "delete", "DeleteCluster"))["cluster"].kinds) == {"arn", "name"}


def test_rds_instance_read_through_its_filtered_describe() -> None:
    instance = family("rds", "DBInstance")
    assert instance.resolved
    read = role(instance, "read", "DescribeDBInstances")
    assert read.many and bindings(read)["DBInstanceIdentifier"].match == "exact"
    assert ident(instance, "id").input_paths == ("DBInstanceIdentifier",)


def test_elbv2_create_answers_a_list_of_one() -> None:
    balancer = family("elbv2", "LoadBalancer")
    assert balancer.resolved
    assert role(balancer, "create", "CreateLoadBalancer").resource_path == "LoadBalancers[]"
    assert ident(balancer, "arn").output_path == "LoadBalancers[].LoadBalancerArn"
    assert ops(balancer, "read")[0] == "DescribeLoadBalancers"  # the plain read before the attributes one


def test_operations_that_are_not_resource_crud_say_why() -> None:
    assert unresolved("iam")["AddRoleToInstanceProfile"] == "association"
    assert unresolved("kms")["Encrypt"] == "verb"
    # EC2's CreateTags is tagging, not a family named Tags.
    assert catalog("ec2").family("Tags") is None
    assert any(t.tag == "CreateTags" for t in catalog("ec2").tagging)


def test_tag_operations_per_service_and_per_family() -> None:
    def tagging(service: str, family: str | None) -> tuple[object, ...]:
        found = next(t for t in catalog(service).tagging if t.family == family)
        return (found.tag, found.untag, found.list, found.resource_member, found.resource_kinds,
                found.tags and (found.tags.member, found.tags.form), found.keys_member)

    assert tagging("lambda", None) == ("TagResource", "UntagResource", "ListTags", "Resource", ("arn",),
                                       ("Tags", "map"), "TagKeys")
    assert tagging("ec2", None) == ("CreateTags", "DeleteTags", "DescribeTags", "Resources", ("id",),
                                    ("Tags", "list"), None)  # DeleteTags names keys (and values) in Tags
    assert tagging("glue", None)[:2] == ("TagResource", "UntagResource")
    assert tagging("glue", None)[5:] == (("TagsToAdd", "map"), "TagsToRemove")
    assert tagging("logs", "LogGroup")[:4] == ("TagLogGroup", "UntagLogGroup", "ListTagsLogGroup", "logGroupName")
    assert tagging("rds", None)[3:5] == ("ResourceName", ("name", "arn"))


def test_pi_report_is_named_by_the_id_it_is_given_not_by_its_db_instance() -> None:
    # GetPerformanceAnalysisReport takes Identifier (the DB instance the report analyses) and
    # AnalysisReportId (the report's own, which CreatePerformanceAnalysisReport returns): each
    # member keeps its own source instead of both becoming one identifier.
    report = family("pi", "PerformanceAnalysisReport")
    sources = {item.member: (item.input_paths, item.output_path) for item in report.identifiers}
    assert sources["Identifier"] == (("Identifier",), None)
    assert sources["AnalysisReportId"] == ((), "AnalysisReportId")
    flow = family("socialmessaging", "WhatsAppFlow")  # the same: a business account's id, the flow's flowId
    sources = {item.member: (item.input_paths, item.output_path) for item in flow.identifiers}
    assert sources["id"] == (("id",), None) and sources["flowId"] == ((), "flowId")

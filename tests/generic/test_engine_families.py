"""Concrete families the engine serves, through boto3 in-process and over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from hoarfrost.generic.engine import GenericService
from tests.harness import Harness


def _code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


def test_glue_database_and_tables_with_parent_checks(aws: Harness) -> None:
    glue = aws.client("glue")
    with pytest.raises(ClientError) as raised:
        glue.create_table(DatabaseName="missing", TableInput={"Name": "t"})
    assert _code(raised) == "EntityNotFoundException" and "missing" in raised.value.response["Error"]["Message"]

    glue.create_database(DatabaseInput={"Name": "sales", "Description": "numbers"})
    glue.create_database(DatabaseInput={"Name": "other"})
    assert glue.get_database(Name="sales")["Database"]["Description"] == "numbers"
    for name in ("orders", "items", "refunds"):
        glue.create_table(DatabaseName="sales", TableInput={"Name": name})
    glue.create_table(DatabaseName="other", TableInput={"Name": "elsewhere"})

    first = glue.get_tables(DatabaseName="sales", MaxResults=2)
    assert [table["Name"] for table in first["TableList"]] == ["orders", "items"]
    rest = glue.get_tables(DatabaseName="sales", NextToken=first["NextToken"])
    assert [table["Name"] for table in rest["TableList"]] == ["refunds"] and "NextToken" not in rest
    assert glue.get_table(DatabaseName="sales", Name="orders")["Table"]["DatabaseName"] == "sales"

    with pytest.raises(ClientError) as raised:
        glue.create_table(DatabaseName="sales", TableInput={"Name": "orders"})
    assert _code(raised) == "AlreadyExistsException"
    with pytest.raises(ClientError) as raised:
        glue.delete_database(Name="sales")  # it still has tables
    assert _code(raised) == "ConcurrentModificationException"

    glue.update_table(DatabaseName="sales", TableInput={"Name": "orders", "Description": "v2"})
    assert glue.get_table(DatabaseName="sales", Name="orders")["Table"]["Description"] == "v2"
    for name in ("orders", "items", "refunds"):
        glue.delete_table(DatabaseName="sales", Name=name)
    with pytest.raises(ClientError) as raised:
        glue.get_table(DatabaseName="sales", Name="orders")
    assert _code(raised) == "EntityNotFoundException"
    glue.delete_database(Name="sales")
    assert [db["Name"] for db in glue.get_databases()["DatabaseList"]] == ["other"]


def test_ecr_repository_with_tags(aws: Harness) -> None:
    ecr = aws.client("ecr")
    repo = ecr.create_repository(repositoryName="app", tags=[{"Key": "team", "Value": "a"}])["repository"]
    assert repo["repositoryArn"] == f"arn:aws:ecr:us-east-1:{aws.account}:repository/app"
    assert [item["repositoryName"] for item in ecr.describe_repositories()["repositories"]] == ["app"]
    ecr.tag_resource(resourceArn=repo["repositoryArn"], tags=[{"Key": "env", "Value": "dev"}])
    ecr.untag_resource(resourceArn=repo["repositoryArn"], tagKeys=["team"])
    assert ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as raised:
        ecr.create_repository(repositoryName="app")
    assert _code(raised) == "RepositoryAlreadyExistsException"
    ecr.delete_repository(repositoryName="app")
    with pytest.raises(ClientError) as raised:
        ecr.describe_repositories(repositoryNames=["app"])
    assert _code(raised) == "RepositoryNotFoundException"


def test_secretsmanager_secret_by_name_or_arn(aws: Harness) -> None:
    secrets = aws.client("secretsmanager")
    created = secrets.create_secret(Name="db-password", Description="first")
    assert created["ARN"].startswith(f"arn:aws:secretsmanager:us-east-1:{aws.account}:")
    assert secrets.describe_secret(SecretId=created["ARN"])["Name"] == "db-password"
    secrets.update_secret(SecretId="db-password", Description="second")
    assert secrets.describe_secret(SecretId="db-password")["Description"] == "second"
    assert [item["Name"] for item in secrets.list_secrets()["SecretList"]] == ["db-password"]
    # Secrets Manager is hand-written now: a plain delete keeps the secret for its recovery
    # window (DescribeSecret still answers), so this deletes without recovery.
    secrets.delete_secret(SecretId="db-password", ForceDeleteWithoutRecovery=True)
    with pytest.raises(ClientError) as raised:
        secrets.describe_secret(SecretId="db-password")
    assert _code(raised) == "ResourceNotFoundException"


def test_logs_groups_and_streams(aws: Harness) -> None:
    logs = aws.client("logs")
    with pytest.raises(ClientError) as raised:
        logs.create_log_stream(logGroupName="nope", logStreamName="s")
    assert _code(raised) == "ResourceNotFoundException"
    logs.create_log_group(logGroupName="/app/web")
    logs.create_log_group(logGroupName="/app/worker")
    logs.create_log_stream(logGroupName="/app/web", logStreamName="one")
    logs.create_log_stream(logGroupName="/app/web", logStreamName="two")
    logs.create_log_stream(logGroupName="/app/worker", logStreamName="three")
    streams = logs.describe_log_streams(logGroupName="/app/web")["logStreams"]
    assert [stream["logStreamName"] for stream in streams] == ["one", "two"]
    groups = logs.describe_log_groups(logGroupNamePrefix="/app/w")["logGroups"]
    assert [group["logGroupName"] for group in groups] == ["/app/web", "/app/worker"]
    logs.delete_log_stream(logGroupName="/app/web", logStreamName="one")
    streams = logs.describe_log_streams(logGroupName="/app/web")["logStreams"]
    assert [stream["logStreamName"] for stream in streams] == ["two"]
    with pytest.raises(ClientError) as raised:
        logs.create_log_group(logGroupName="/app/web")
    assert _code(raised) == "ResourceAlreadyExistsException"
    # CloudWatch Logs is hand-written now (services/logs): events are served too.
    assert logs.get_log_events(logGroupName="/app/web", logStreamName="two")["events"] == []


def test_apigateway_rest_api_and_resources(aws: Harness) -> None:
    api = aws.client("apigateway")
    rest = api.create_rest_api(name="shop", description="v1")
    assert rest["name"] == "shop" and rest["id"]
    assert api.get_rest_api(restApiId=rest["id"])["description"] == "v1"
    child = api.create_resource(restApiId=rest["id"], parentId="root", pathPart="items")
    assert api.get_resource(restApiId=rest["id"], resourceId=child["id"])["pathPart"] == "items"
    assert [item["id"] for item in api.get_resources(restApiId=rest["id"])["items"]] == [child["id"]]
    with pytest.raises(ClientError) as raised:
        api.create_resource(restApiId="nope", parentId="root", pathPart="x")
    assert _code(raised) == "NotFoundException"
    with pytest.raises(ClientError) as raised:  # refused while it has resources (the model's ConflictException)
        api.delete_rest_api(restApiId=rest["id"])
    assert _code(raised) == "ConflictException"
    api.delete_resource(restApiId=rest["id"], resourceId=child["id"])
    api.delete_rest_api(restApiId=rest["id"])
    with pytest.raises(ClientError) as raised:
        api.get_rest_api(restApiId=rest["id"])
    assert _code(raised) == "NotFoundException"


def test_engine_state_view_snapshot_restore_merge_and_notifications(aws: Harness) -> None:
    glue = aws.client("glue")
    service = aws.emulator.service("glue")
    assert isinstance(service, GenericService)
    changes: list[str] = []
    with service.notifier.subscribe(lambda change: changes.append(change.operation)):
        glue.create_database(DatabaseInput={"Name": "a"})
        glue.create_table(DatabaseName="a", TableInput={"Name": "t"})
        glue.get_table(DatabaseName="a", Name="t")
    assert changes == ["CreateDatabase", "CreateTable"]
    view = service.snapshot(aws.account, aws.region)
    document = view.model_dump(mode="json")
    assert [(item["family"], item["identifiers"]) for item in document["resources"]] == [
        ("Database", {"Name": "a"}), ("Table", {"Name": "t"})]
    table = document["resources"][1]
    assert table["parent"] == document["resources"][0]["uid"] and table["created"]

    with pytest.raises(ClientError) as raised:  # the model has a conflict error: the table must go first
        glue.delete_database(Name="a")
    assert _code(raised) == "ConcurrentModificationException"
    glue.delete_table(DatabaseName="a", Name="t")
    glue.delete_database(Name="a")
    service.restore(aws.account, aws.region, document)
    assert glue.get_table(DatabaseName="a", Name="t")["Table"]["Name"] == "t"

    glue.create_database(DatabaseInput={"Name": "b"})
    service.restore(aws.account, aws.region, {"resources": []})
    service.merge(aws.account, aws.region, document)
    assert [db["Name"] for db in glue.get_databases()["DatabaseList"]] == ["a"]
    bad = dict(document, resources=[dict(table, parent="nowhere")])
    with pytest.raises(Exception) as raised:
        service.restore(aws.account, aws.region, bad)
    assert getattr(raised.value, "kind", None) == "invalid"
    assert glue.get_table(DatabaseName="a", Name="t")["Table"]["Name"] == "t"


def test_merging_another_emulators_view_keeps_what_exists(aws: Harness) -> None:
    """Resources recorded by two emulators never share an internal key: a merge adds the
    other's, replaces the one both have (same ARN), and removes nothing."""
    from hoarfrost.core.emulator import Emulator
    from hoarfrost.mock import mock_aws

    other = Emulator()
    with mock_aws(other, keep_state=True):
        import boto3

        theirs = boto3.client("ecr", region_name=aws.region)
        theirs.create_repository(repositoryName="theirs")
        theirs.create_repository(repositoryName="both", imageTagMutability="IMMUTABLE")
    view = other.service("ecr").snapshot(aws.account, aws.region)
    ecr = aws.client("ecr")
    ecr.create_repository(repositoryName="ours")
    ecr.create_repository(repositoryName="both")
    aws.emulator.service("ecr").merge(aws.account, aws.region, view.model_dump_json())
    repositories = {r["repositoryName"]: r for r in ecr.describe_repositories()["repositories"]}
    assert sorted(repositories) == ["both", "ours", "theirs"]
    assert repositories["both"]["imageTagMutability"] == "IMMUTABLE"
    ecr.delete_repository(repositoryName="both")
    assert sorted(r["repositoryName"] for r in ecr.describe_repositories()["repositories"]) == ["ours", "theirs"]


def test_tags_by_id_and_in_read_answers(aws: Harness) -> None:
    """Tag operations that name resources by id (EC2's CreateTags takes a list, EFS's
    TagResource a file system id) tag them, and reads show the tags."""
    ec2 = aws.client("ec2")
    first = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    second = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[first, second], Tags=[{"Key": "team", "Value": "data"}])
    described = ec2.describe_vpcs(VpcIds=[first, second])["Vpcs"]
    assert [vpc["Tags"] for vpc in described] == [[{"Key": "team", "Value": "data"}]] * 2
    with pytest.raises(ClientError):
        ec2.create_tags(Resources=["vpc-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])

    efs = aws.client("efs")
    system = efs.create_file_system(CreationToken="token-1")["FileSystemId"]
    efs.tag_resource(ResourceId=system, Tags=[{"Key": "k", "Value": "v"}])
    assert efs.list_tags_for_resource(ResourceId=system)["Tags"] == [{"Key": "k", "Value": "v"}]
    efs.untag_resource(ResourceId=system, TagKeys=["k"])
    assert efs.list_tags_for_resource(ResourceId=system)["Tags"] == []


def test_listing_by_parent_pages_in_creation_order_after_deletes(aws: Harness) -> None:
    glue = aws.client("glue")
    for database in ("left", "right"):
        glue.create_database(DatabaseInput={"Name": database})
    for index in range(7):
        glue.create_table(DatabaseName="left", TableInput={"Name": f"t{index}"})
        glue.create_table(DatabaseName="right", TableInput={"Name": f"r{index}"})
    first = glue.get_tables(DatabaseName="left", MaxResults=3)
    assert [table["Name"] for table in first["TableList"]] == ["t0", "t1", "t2"]
    glue.delete_table(DatabaseName="left", Name="t3")  # just after the page the token points past
    glue.delete_table(DatabaseName="left", Name="t1")  # inside the page already seen
    rest = glue.get_tables(DatabaseName="left", NextToken=first["NextToken"])
    assert [table["Name"] for table in rest["TableList"]] == ["t4", "t5", "t6"]
    glue.update_table(DatabaseName="left", TableInput={"Name": "t0", "Description": "renamed nothing"})
    assert [table["Name"] for table in glue.get_tables(DatabaseName="left")["TableList"]] == \
        ["t0", "t2", "t4", "t5", "t6"]


def test_a_read_of_many_answers_the_named_resources_or_not_found(aws: Harness) -> None:
    # Data Pipeline reads pipelines only through DescribePipelines(pipelineIds=[...]).
    pipelines = aws.client("datapipeline")
    first = pipelines.create_pipeline(name="nightly", uniqueId="u1")["pipelineId"]
    second = pipelines.create_pipeline(name="hourly", uniqueId="u2")["pipelineId"]
    described = pipelines.describe_pipelines(pipelineIds=[second])["pipelineDescriptionList"]
    assert [(item["pipelineId"], item["name"]) for item in described] == [(second, "hourly")]
    pipelines.delete_pipeline(pipelineId=first)
    with pytest.raises(ClientError) as raised:
        pipelines.describe_pipelines(pipelineIds=[first])
    assert _code(raised) == "PipelineNotFoundException" and first in raised.value.response["Error"]["Message"]


def test_versions_the_service_numbers_count_within_their_parent(aws: Harness) -> None:
    appconfig = aws.client("appconfig")
    app = appconfig.create_application(Name="shop")["Id"]
    profiles = [appconfig.create_configuration_profile(ApplicationId=app, Name=name, LocationUri="hosted")["Id"]
                for name in ("flags", "limits")]

    def publish(profile: str, content: bytes) -> int:
        answer = appconfig.create_hosted_configuration_version(
            ApplicationId=app, ConfigurationProfileId=profile, Content=content, ContentType="application/json")
        return int(answer["VersionNumber"])

    assert [publish(profiles[0], b"{}"), publish(profiles[0], b"{}"), publish(profiles[1], b"{}")] == [1, 2, 1]
    second = appconfig.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=profiles[0],
                                                        VersionNumber=2)
    assert second["VersionNumber"] == 2
    appconfig.delete_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=profiles[0],
                                                  VersionNumber=2)
    with pytest.raises(ClientError) as raised:
        appconfig.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=profiles[0],
                                                   VersionNumber=2)
    assert _code(raised) == "ResourceNotFoundException"


def test_a_read_fills_the_nested_summary_that_names_the_resource(aws: Harness) -> None:
    # IoT Things Graph answers GetFlowTemplate with description.summary: the id and ARN that
    # CreateFlowTemplate answered at the top of its own summary.
    things = aws.client("iotthingsgraph")
    summary = things.create_flow_template(definition={"language": "GRAPHQL", "text": "{}"})["summary"]
    described = things.get_flow_template(id=summary["id"])["description"]
    assert described["summary"]["id"] == summary["id"] and described["summary"]["arn"] == summary["arn"]
    assert described["definition"] == {"language": "GRAPHQL", "text": "{}"}


def test_tagging_a_resource_that_lambdas_routes_share_reaches_its_holder(aws: Harness) -> None:
    # lambda-microvms' TagResource reads over HTTP like hand-written Lambda's: the request goes
    # to the service that holds the ARN it names.
    microvms = aws.client("lambda-microvms")
    image = microvms.create_microvm_image(name="base", **_required_extras(microvms, "CreateMicrovmImage", {"name"}))
    arn = image["imageArn"]
    assert ":microvm-image:" in arn
    microvms.tag_resource(Resource=arn, Tags={"team": "a"})
    assert microvms.get_microvm_image(imageIdentifier=arn)["tags"] == {"team": "a"}
    with pytest.raises(ClientError) as raised:  # an ARN nobody holds is still not found
        microvms.tag_resource(Resource=arn.replace("microvm-image:", "function:"), Tags={"team": "a"})
    assert _code(raised) == "ResourceNotFoundException"


def _required_extras(client: object, operation: str, given: set[str]) -> dict[str, object]:
    from hoarfrost.generic.engine.sample import sample_input

    shape = client.meta.service_model.operation_model(operation).input_shape  # type: ignore[attr-defined]
    return sample_input(shape, frozenset(given))

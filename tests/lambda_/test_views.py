"""Lambda's state view: a restored view gives invokable functions; merge keeps what exists;
an invalid view changes nothing."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.blobs import MemoryBlobArchive
from hoarfrost.core.views import StateViewError
from tests.harness import Harness, ServerHarness
from tests.lambda_.conftest import create, python_zip, zip_of


def _populate(lam: Any, sqs: Any) -> None:
    layer = lam.publish_layer_version(LayerName="lib", Content={"ZipFile": zip_of(
        {"python/lib.py": "WORD = 'from layer'\n"})})["LayerVersionArn"]
    create(lam, "f", "def handler(e, c):\n    return 'v1'\n", Tags={"t": "1"},
           Environment={"Variables": {"A": "b"}})
    create(lam, "uses-layer", "import lib\ndef handler(e, c):\n    return lib.WORD\n", Layers=[layer])
    lam.publish_version(FunctionName="f")
    lam.update_function_code(FunctionName="f", ZipFile=python_zip("def handler(e, c):\n    return 'latest'\n"))
    lam.create_alias(FunctionName="f", Name="prod", FunctionVersion="1")
    lam.add_permission(FunctionName="f", StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    lam.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=3)
    url = sqs.create_queue(QueueName="src")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="f", Enabled=False, BatchSize=5)


def test_restored_functions_invoke_in_a_fresh_emulator(aws: Harness) -> None:
    lam = aws.client("lambda")
    _populate(lam, aws.client("sqs"))
    archive = MemoryBlobArchive()
    text = aws.emulator.service("lambda").snapshot_with_blobs(aws.account, aws.region, archive).model_dump_json()
    data = json.loads(text)
    assert [f["name"] for f in data["functions"]] == ["f", "uses-layer"]
    assert len(data["code_packages"]) == 4 and [layer["name"] for layer in data["layers"]] == ["lib"]
    # The zips are blobs the view names (as S3 objects are), not inline base64.
    packages = data["code_packages"]
    assert all(set(p) == {"sha256", "blob", "size"} for p in packages)
    assert sorted(archive.blobs) == sorted(p["blob"] for p in packages)
    assert all(len(archive.blobs[p["blob"]]) == p["size"] for p in packages)
    function = data["functions"][0]
    assert [v["version"] for v in function["versions"]] == ["1"] and function["reserved_concurrency"] == 3
    with hoarfrost.mock_aws() as fresh:
        service = fresh.service("lambda")
        # Without its blobs the view is refused, and nothing changes.
        with pytest.raises(StateViewError) as exc:
            service.restore(aws.account, aws.region, text)
        assert exc.value.kind == "blob"
        client = boto3.client("lambda", region_name="us-east-1")
        assert client.list_functions()["Functions"] == []
        service.restore_with_blobs(aws.account, aws.region, text, archive)
        call = lambda **kw: json.loads(client.invoke(FunctionName="f", **kw)["Payload"].read())
        assert call() == "latest" and call(Qualifier="prod") == "v1"
        assert json.loads(client.invoke(FunctionName="uses-layer")["Payload"].read()) == "from layer"
        assert json.loads(client.get_policy(FunctionName="f")["Policy"])["Statement"][0]["Sid"] == "sns"
        assert client.get_function(FunctionName="f")["Tags"] == {"t": "1"}
        assert client.publish_version(FunctionName="f")["Version"] == "2"
        [mapping] = client.list_event_source_mappings()["EventSourceMappings"]
        assert (mapping["BatchSize"], mapping["State"]) == (5, "Disabled")
        again = json.loads(service.snapshot(aws.account, aws.region).model_dump_json())
        assert len(again["functions"][0]["versions"]) == 2
        # Deleting the functions and the layer releases their blobs.
        for name in ("f", "uses-layer"):
            client.delete_function(FunctionName=name)
        client.delete_layer_version(LayerName="lib", VersionNumber=1)
        assert [k for k in fresh.blobs.keys() if k.startswith("lambda/")] == []


def test_a_view_from_another_account_gets_its_own_blobs(aws: Harness) -> None:
    lam = aws.client("lambda")
    create(lam, "f", "def handler(e, c):\n    return 'copied'\n")
    service = aws.emulator.service("lambda")
    view = service.snapshot(aws.account, aws.region)
    service.restore("111111111111", aws.region, view.model_dump_json())
    lam.delete_function(FunctionName="f")  # the original's blob goes; the copy keeps its own
    [package] = service.snapshot("111111111111", aws.region).code_packages
    assert package.blob.startswith(f"lambda/111111111111/{aws.region}/")
    # A 12-digit access key id is that account's: its copy invokes from its own blob.
    other = aws.client("lambda", aws_access_key_id="111111111111", aws_secret_access_key="x")
    assert json.loads(other.invoke(FunctionName="f")["Payload"].read()) == "copied"


def test_merge_and_invalid_views(aws: Harness) -> None:
    lam = aws.client("lambda")
    _populate(lam, aws.client("sqs"))
    service = aws.emulator.service("lambda")
    view = json.loads(service.snapshot(aws.account, aws.region).model_dump_json())
    other = json.loads(json.dumps(view))
    other["functions"][0]["name"] = "g"
    other["functions"][0]["tags"] = {"copy": "yes"}
    view["functions"][0]["tags"] = {"t": "merged"}
    view["functions"][0]["versions"] = []  # merge removes nothing: version 1 and its alias stay
    view["functions"][0]["aliases"] = []
    service.merge(aws.account, aws.region, {"functions": view["functions"] + other["functions"][:1],
                                            "code_packages": view["code_packages"]})
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["f", "g", "uses-layer"]
    assert lam.list_tags(Resource=lam.get_function(FunctionName="f")["Configuration"]["FunctionArn"])["Tags"] == {
        "t": "merged"}
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="f")["Versions"]] == ["$LATEST", "1"]
    assert json.loads(lam.invoke(FunctionName="g")["Payload"].read()) == "latest"
    lam.update_function_configuration(FunctionName="f", Description="changed")
    assert lam.publish_version(FunctionName="f")["Version"] == "2"

    before = service.snapshot(aws.account, aws.region).model_dump_json()
    missing_code = json.loads(before)
    missing_code["code_packages"] = []
    bad_alias = json.loads(before)
    bad_alias["functions"][0]["aliases"][0]["function_version"] = "42"
    for bad in (missing_code, bad_alias, {"functions": [{"name": "x"}]}):
        with pytest.raises(StateViewError) as exc:
            service.restore(aws.account, aws.region, bad)
        assert exc.value.kind == "invalid"
    assert service.snapshot(aws.account, aws.region).model_dump_json() == before


def test_listeners_hear_mutations_not_reads_or_invokes(aws: Harness) -> None:
    lam = aws.client("lambda")
    heard: list[str] = []
    with aws.emulator.service("lambda").notifier.subscribe(lambda change: heard.append(change.operation)):
        create(lam, "f", "def handler(e, c):\n    return 1\n")
        lam.get_function(FunctionName="f")
        lam.invoke(FunctionName="f")
        lam.tag_resource(Resource=lam.get_function(FunctionName="f")["Configuration"]["FunctionArn"],
                         Tags={"a": "b"})
    assert heard == ["CreateFunction", "TagResource"]


def test_the_http_export_carries_function_code(server: ServerHarness) -> None:
    """The whole-environment document of ``/_hoarfrost/state`` includes the zips the Lambda view
    names, so a reset server gets back functions that run."""
    import requests

    lam = server.client("lambda")
    create(lam, "exported", "def handler(e, c):\n    return 'back'\n")
    document = requests.get(server.http_url("/_hoarfrost/state"), params={"blobs": "1"}).json()
    [view] = [v for v in document["views"] if v["service"] == "lambda"]
    assert view["view"]["code_packages"][0]["blob"] in document["blobs"]
    requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
    assert lam.list_functions()["Functions"] == []
    response = requests.put(server.http_url("/_hoarfrost/state"), json=document)
    assert response.status_code == 200, response.text
    assert json.loads(lam.invoke(FunctionName="exported")["Payload"].read()) == "back"


def test_a_view_with_an_invalid_filter_pattern_changes_nothing(aws: Harness) -> None:
    service = aws.emulator.service("lambda")
    lam = aws.client("lambda")
    create(lam, "kept", "def handler(event, context):\n    return 1\n")
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="kept", Enabled=False,
                                    FilterCriteria={"Filters": [{"Pattern": '{"body": ["x"]}'}]})
    before = service.snapshot(aws.account, aws.region)
    broken = before.model_copy(deep=True)
    broken.event_source_mappings[0].filters = ['{"body": [{"numeric": [">"]}]}']
    with pytest.raises(StateViewError):
        service.restore(aws.account, aws.region, broken)
    assert service.snapshot(aws.account, aws.region) == before

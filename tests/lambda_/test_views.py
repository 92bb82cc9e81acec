"""Lambda's state view: a restored view gives invokable functions; merge keeps what exists;
an invalid view changes nothing."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateViewError
from tests.harness import Harness
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
    text = aws.emulator.service("lambda").snapshot(aws.account, aws.region).model_dump_json()
    data = json.loads(text)
    assert [f["name"] for f in data["functions"]] == ["f", "uses-layer"]
    assert len(data["code_packages"]) == 4 and [layer["name"] for layer in data["layers"]] == ["lib"]
    function = data["functions"][0]
    assert [v["version"] for v in function["versions"]] == ["1"] and function["reserved_concurrency"] == 3
    with hoarfrost.mock_aws() as fresh:
        fresh.service("lambda").restore(aws.account, aws.region, text)
        client = boto3.client("lambda", region_name="us-east-1")
        call = lambda **kw: json.loads(client.invoke(FunctionName="f", **kw)["Payload"].read())
        assert call() == "latest" and call(Qualifier="prod") == "v1"
        assert json.loads(client.invoke(FunctionName="uses-layer")["Payload"].read()) == "from layer"
        assert json.loads(client.get_policy(FunctionName="f")["Policy"])["Statement"][0]["Sid"] == "sns"
        assert client.get_function(FunctionName="f")["Tags"] == {"t": "1"}
        assert client.publish_version(FunctionName="f")["Version"] == "2"
        [mapping] = client.list_event_source_mappings()["EventSourceMappings"]
        assert (mapping["BatchSize"], mapping["State"]) == (5, "Disabled")
        again = json.loads(fresh.service("lambda").snapshot(aws.account, aws.region).model_dump_json())
        assert len(again["functions"][0]["versions"]) == 2


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

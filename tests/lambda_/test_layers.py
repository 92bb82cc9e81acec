"""Layers: published and versioned; an attached layer's code is importable by the function."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import code, create, zip_of

USES_LAYER = "import shared\n\ndef handler(event, context):\n    return shared.greet(event['name'])\n"


def test_layers_are_versioned_and_importable(aws: Harness) -> None:
    lam = aws.client("lambda")
    first = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_of(
        {"python/shared.py": "def greet(name):\n    return 'hello ' + name\n"})}, CompatibleRuntimes=["python3.12"])
    assert first["Version"] == 1 and first["LayerVersionArn"].endswith(":layer:shared:1")
    second = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_of(
        {"python/shared.py": "def greet(name):\n    return 'hi ' + name\n"})}, CompatibleRuntimes=["python3.11"])
    assert second["Version"] == 2
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="shared")["LayerVersions"]] == [2, 1]
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="shared", CompatibleRuntime="python3.12")[
        "LayerVersions"]] == [1]
    assert lam.list_layers()["Layers"][0]["LatestMatchingVersion"]["Version"] == 2
    assert lam.get_layer_version_by_arn(Arn=first["LayerVersionArn"])["Version"] == 1

    create(lam, "greeter", USES_LAYER, Layers=[first["LayerVersionArn"]])
    call = lambda: json.loads(lam.invoke(FunctionName="greeter", Payload=b'{"name": "ann"}')["Payload"].read())
    assert call() == "hello ann"
    config = lam.get_function_configuration(FunctionName="greeter")
    assert config["Layers"] == [{"Arn": first["LayerVersionArn"], "CodeSize": first["Content"]["CodeSize"]}]
    lam.update_function_configuration(FunctionName="greeter", Layers=[second["LayerVersionArn"]])
    assert call() == "hi ann"

    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="greeter", Layers=[first["LayerVersionArn"][:-1] + "9"])
    assert code(exc) == "InvalidParameterValueException"
    lam.add_layer_version_permission(LayerName="shared", VersionNumber=1, StatementId="all",
                                     Action="lambda:GetLayerVersion", Principal="*")
    assert json.loads(lam.get_layer_version_policy(LayerName="shared", VersionNumber=1)["Policy"])["Statement"][0][
        "Sid"] == "all"
    lam.delete_layer_version(LayerName="shared", VersionNumber=1)
    with pytest.raises(ClientError) as exc:
        lam.get_layer_version(LayerName="shared", VersionNumber=1)
    assert code(exc) == "ResourceNotFoundException"
    assert lam.publish_layer_version(LayerName="shared", Content={"ZipFile": zip_of({"x": "y"})})["Version"] == 3

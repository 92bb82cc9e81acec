"""Function URLs: configured through the API, called over HTTP with ``requests`` (server only:
a URL needs a socket)."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import code, create

WEB = '''
import json

def handler(event, context):
    if event["rawPath"] == "/plain":
        return {"plain": True}
    if event["rawPath"] == "/fail":
        raise RuntimeError("broken")
    return {"statusCode": 201, "headers": {"x-from": "lambda"},
            "body": json.dumps({"method": event["requestContext"]["http"]["method"], "path": event["rawPath"],
                                "query": event.get("queryStringParameters"), "body": event.get("body"),
                                "version": event["version"]})}
'''


def test_function_url_invokes_the_function(server: Harness) -> None:
    lam = server.client("lambda")
    create(lam, "web", WEB)
    config = lam.create_function_url_config(FunctionName="web", AuthType="NONE")
    url = config["FunctionUrl"]
    assert url.startswith(server.endpoint_url) and config["AuthType"] == "NONE"
    assert lam.get_function_url_config(FunctionName="web")["FunctionUrl"] == url
    response = requests.post(url + "orders/1?x=y", data=json.dumps({"n": 1}),
                             headers={"content-type": "application/json"}, timeout=10)
    assert response.status_code == 201 and response.headers["x-from"] == "lambda"
    assert response.json() == {"method": "POST", "path": "/orders/1", "query": {"x": "y"}, "body": '{"n": 1}',
                               "version": "2.0"}
    plain = requests.get(url + "plain", timeout=10)
    assert plain.status_code == 200 and plain.json() == {"plain": True}
    assert requests.get(url + "fail", timeout=10).status_code == 502
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="web", AuthType="NONE")
    assert code(exc) == "ResourceConflictException"
    lam.update_function_url_config(FunctionName="web", AuthType="AWS_IAM")
    assert requests.get(url + "plain", timeout=10).status_code == 403
    assert [c["AuthType"] for c in lam.list_function_url_configs(FunctionName="web")["FunctionUrlConfigs"]] == [
        "AWS_IAM"]
    lam.delete_function_url_config(FunctionName="web")
    assert requests.get(url + "plain", timeout=10).status_code == 404


def test_function_url_config_in_process(aws: Harness) -> None:
    lam = aws.client("lambda")
    create(lam, "web", WEB)
    lam.publish_version(FunctionName="web")
    lam.create_alias(FunctionName="web", Name="live", FunctionVersion="1")
    config = lam.create_function_url_config(FunctionName="web", Qualifier="live", AuthType="NONE")
    assert config["FunctionArn"].endswith(":function:web:live")
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="web", Qualifier="1", AuthType="NONE")
    assert code(exc) == "ValidationException"  # the model's Qualifier pattern refuses a version
    with pytest.raises(ClientError) as exc:
        lam.get_function_url_config(FunctionName="web")
    assert code(exc) == "ResourceNotFoundException"

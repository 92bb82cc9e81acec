"""``provided.al2023`` functions: a ``bootstrap`` executable that speaks the Lambda Runtime API
(here a Python script using only urllib, as any custom runtime would)."""

from __future__ import annotations

import base64
import io
import json
import shutil
import zipfile
from typing import Any

import pytest

from tests.harness import Harness
from tests.lambda_.conftest import ROLE

pytestmark = pytest.mark.skipif(shutil.which("python3") is None, reason="the test bootstrap needs python3 on PATH")

BOOTSTRAP = '''#!/usr/bin/env python3
import json, os, sys, urllib.request

api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
if os.environ["_HANDLER"] == "init-fails":
    urllib.request.urlopen(urllib.request.Request(api + "/init/error", method="POST",
        data=json.dumps({"errorMessage": "cannot start", "errorType": "Custom.InitError"}).encode()))
    sys.exit(1)
count = 0
while True:
    with urllib.request.urlopen(api + "/invocation/next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        deadline = int(response.headers["Lambda-Runtime-Deadline-Ms"])
        event = json.loads(response.read())
    count += 1
    print("custom runtime got", event, flush=True)
    if event.get("fail"):
        body, path = {"errorMessage": "asked to fail", "errorType": "Custom.Failure"}, "/error"
    else:
        body, path = {"echo": event, "count": count, "handler": os.environ["_HANDLER"],
                      "has_deadline": deadline > 0}, "/response"
    urllib.request.urlopen(urllib.request.Request(api + "/invocation/" + request_id + path, method="POST",
                                                  data=json.dumps(body).encode())).read()
'''


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        archive.writestr(info, BOOTSTRAP)
    return buffer.getvalue()


def _create(lam: Any, name: str, handler: str) -> None:
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler=handler,
                        Code={"ZipFile": _zip()}, Timeout=10)


def test_a_custom_runtime_serves_invocations_through_the_runtime_api(aws: Harness) -> None:
    lam = aws.client("lambda")
    _create(lam, "custom", "my.handler")
    first = lam.invoke(FunctionName="custom", Payload=b'{"a": 1}', LogType="Tail")
    assert json.loads(first["Payload"].read()) == {"echo": {"a": 1}, "count": 1, "handler": "my.handler",
                                                   "has_deadline": True}
    tail = base64.b64decode(first["LogResult"]).decode()
    assert "custom runtime got {'a': 1}" in tail and "Init Duration" in tail
    second = lam.invoke(FunctionName="custom", Payload=b'{"fail": true}')
    assert second["FunctionError"] == "Unhandled"
    assert json.loads(second["Payload"].read()) == {"errorMessage": "asked to fail", "errorType": "Custom.Failure"}
    third = json.loads(lam.invoke(FunctionName="custom", Payload=b'{"b": 2}')["Payload"].read())
    assert third["count"] == 3  # the same warm process answered all three


def test_a_custom_runtime_init_error(aws: Harness) -> None:
    lam = aws.client("lambda")
    _create(lam, "broken-init", "init-fails")
    response = lam.invoke(FunctionName="broken-init")
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "Custom.InitError" and body["errorMessage"] == "cannot start"

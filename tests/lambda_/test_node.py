"""Node.js functions, run with the machine's ``node`` (skipped, saying so, when there is none)."""

from __future__ import annotations

import base64
import json
import shutil
from typing import Any

import pytest

from tests.harness import Harness
from tests.lambda_.conftest import ROLE, zip_of

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="no `node` on this machine: Node.js "
                                                                     "runtimes cannot run here")

INDEX = """
let count = 0;
exports.handler = async (event, context) => {
  count += 1;
  console.log("node got", JSON.stringify(event));
  return { sum: event.a + event.b, count, name: context.functionName, pid: process.pid,
           remaining: context.getRemainingTimeInMillis() > 0 };
};
exports.callback = (event, context, callback) => callback(null, "via callback");
exports.fails = async () => { throw new TypeError("node broke"); };
"""

ESM = "export const handler = async (event) => ({ esm: true, got: event.x });\n"


def _create(lam: Any, name: str, handler: str, files: dict[str, str]) -> None:
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler=handler,
                        Code={"ZipFile": zip_of(files)}, Timeout=5)


def test_node_functions_run_warm_and_log(aws: Harness) -> None:
    lam = aws.client("lambda")
    _create(lam, "n", "index.handler", {"index.js": INDEX})
    first = lam.invoke(FunctionName="n", Payload=json.dumps({"a": 2, "b": 3}), LogType="Tail")
    body = json.loads(first["Payload"].read())
    assert body["sum"] == 5 and body["count"] == 1 and body["name"] == "n" and body["remaining"] is True
    assert "node got" in base64.b64decode(first["LogResult"]).decode()
    second = json.loads(lam.invoke(FunctionName="n", Payload=b'{"a": 1, "b": 1}')["Payload"].read())
    assert second["count"] == 2 and second["pid"] == body["pid"]
    _create(lam, "cb", "index.callback", {"index.js": INDEX})
    assert json.loads(lam.invoke(FunctionName="cb")["Payload"].read()) == "via callback"
    _create(lam, "bad", "index.fails", {"index.js": INDEX})
    failed = lam.invoke(FunctionName="bad")
    error = json.loads(failed["Payload"].read())
    assert failed["FunctionError"] == "Unhandled"
    assert error["errorType"] == "TypeError" and error["errorMessage"] == "node broke"
    _create(lam, "esm", "index.handler", {"index.mjs": ESM})
    assert json.loads(lam.invoke(FunctionName="esm", Payload=b'{"x": 1}')["Payload"].read()) == {"esm": True, "got": 1}
    _create(lam, "missing", "index.nothing", {"index.js": INDEX})
    error = json.loads(lam.invoke(FunctionName="missing")["Payload"].read())
    assert error["errorType"] == "Runtime.HandlerNotFound"


STREAMING = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  for (const word of event.words) {
    responseStream.write(word);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  responseStream.end();
});
exports.breaks = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("partial");
  throw new Error("stream broke");
});
"""


def test_a_streaming_function_answers_in_the_pieces_it_wrote(aws: Harness) -> None:
    lam = aws.client("lambda")
    _create(lam, "streamer", "index.handler", {"index.js": STREAMING})
    answer = lam.invoke_with_response_stream(FunctionName="streamer", Payload=json.dumps({"words": ["a", "bc", "d"]}),
                                             LogType="Tail")
    events = list(answer["EventStream"])
    assert [e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e] == [b"a", b"bc", b"d"]
    complete = events[-1]["InvokeComplete"]
    assert "ErrorCode" not in complete and "START RequestId" in base64.b64decode(complete["LogResult"]).decode()
    assert answer["StatusCode"] == 200 and answer["ExecutedVersion"] == "$LATEST"
    # A plain Invoke of a streaming function answers everything it wrote at once.
    whole = lam.invoke(FunctionName="streamer", Payload=json.dumps({"words": ["x", "y"]}))
    assert whole["Payload"].read() == b"xy" and "FunctionError" not in whole
    _create(lam, "breaker", "index.breaks", {"index.js": STREAMING})
    events = list(lam.invoke_with_response_stream(FunctionName="breaker")["EventStream"])
    assert events[0] == {"PayloadChunk": {"Payload": b"partial"}}
    complete = events[-1]["InvokeComplete"]
    assert complete["ErrorCode"] == "Unhandled" and json.loads(complete["ErrorDetails"])["errorMessage"] == "stream broke"

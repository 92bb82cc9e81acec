"""hoarfrost's runtime client for Python functions: runs inside a worker process, never inside
hoarfrost. It speaks the Lambda Runtime API at ``AWS_LAMBDA_RUNTIME_API`` as AWS's own runtime
interface client does: the handler is imported once (the init phase; a failure is posted to
``/runtime/init/error``), then ``/invocation/next`` is polled and each event answered at
``/invocation/<id>/response`` or ``/invocation/<id>/error``.

What the function prints goes to stdout, which hoarfrost reads as its log; a record that spans
lines (an error with its traceback) is written with carriage returns inside, as AWS's runtime
does, so it stays one log event.

Only the standard library is used: this file runs with whatever interpreter the runtime names
(the annotations are never evaluated, so any Python 3 a runtime names reads them).
"""

from __future__ import annotations

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

_REQUEST_ID: list[str | None] = [""]


class RuntimeApi:
    """One kept-alive HTTP connection to the Runtime API."""

    def __init__(self, address: str) -> None:
        host, _, prefix = address.partition("/")
        self.host = host
        self.base = ("/" + prefix if prefix else "") + "/2018-06-01/runtime"
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(self.host)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request(method, self.base + path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (http.client.HTTPException, ConnectionError):
                if attempt == 2:
                    raise
                self.connection.close()
                self.connection = self._connect()
        raise AssertionError("unreachable: the second attempt returns or raises")

    def post(self, path: str, document: Any, error_type: str | None = None) -> None:
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        body = document if isinstance(document, bytes) else json.dumps(document).encode("utf-8")
        self.call("POST", path, body, headers)


def _record(text: str) -> None:
    """One log event however many lines it has."""
    sys.stdout.write(text.rstrip("\n").replace("\n", "\r") + "\n")


class _LambdaLogHandler(logging.Handler):
    """The root logger's handler, formatting as AWS's Python runtime does:
    ``[LEVEL]\t<ISO time>Z\t<request id>\t<message>``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            text = f"[{record.levelname}]\t{when}.{int(record.msecs):03d}Z\t{_REQUEST_ID[0]}\t{record.getMessage()}"
            if record.exc_info:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info))
            _record(text)
        except Exception:
            self.handleError(record)


class LambdaContext:
    """What AWS's Python runtime passes as ``context``."""

    def __init__(self, request_id: str | None, deadline_ms: int, invoked_arn: str | None, client_context: Any,
                 identity: Any) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = identity
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        # The Runtime API gives the deadline on this process's own clock.
        return max(int(self._deadline_ms - time.time() * 1000), 0)


def _error(exc: BaseException, error_type: str | None = None, message: str | None = None,
           skip: int = 1) -> dict[str, Any]:
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)[skip:]),
    }


class _InitError(Exception):
    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload["errorMessage"])
        self.payload = payload


def _load(handler: str) -> Callable[[Any, LambdaContext], Any]:
    module_name, _, function_name = handler.rpartition(".")
    if not module_name or not function_name:
        raise _InitError({"errorMessage": f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)",
                          "errorType": "Runtime.MalformedHandlerName", "requestId": "", "stackTrace": []})
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        message = f"Syntax error in module '{module_name}': {exc}"
        raise _InitError(_error(exc, "Runtime.UserCodeSyntaxError", message)) from exc
    except ImportError as exc:
        message = f"Unable to import module '{module_name}': {exc}"
        raise _InitError(_error(exc, "Runtime.ImportModuleError", message)) from exc
    except Exception as exc:
        raise _InitError(_error(exc)) from exc
    function = getattr(module, function_name, None)
    if function is None:
        raise _InitError({"errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
                          "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []})
    handler_function: Callable[[Any, LambdaContext], Any] = function
    return handler_function


def _json_header(value: str | None) -> Any:
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


def _invoke(api: RuntimeApi, function: Callable[[Any, LambdaContext], Any], response: http.client.HTTPResponse,
            body: bytes) -> None:
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    _REQUEST_ID[0] = request_id
    os.environ["_X_AMZN_TRACE_ID"] = response.getheader("Lambda-Runtime-Trace-Id") or ""
    context = LambdaContext(request_id, int(response.getheader("Lambda-Runtime-Deadline-Ms") or 0),
                            response.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                            _json_header(response.getheader("Lambda-Runtime-Client-Context")),
                            _json_header(response.getheader("Lambda-Runtime-Cognito-Identity")))
    try:
        result = function(json.loads(body), context)
    except Exception as exc:
        failure = _error(exc)
        failure["requestId"] = request_id
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        _record(f"[ERROR] {type(exc).__name__}: {exc}\n{trace}")
        api.post(f"/invocation/{request_id}/error", failure, "Unhandled")
        return
    try:
        payload = json.dumps(result).encode("utf-8")
    except (TypeError, ValueError) as exc:
        api.post(f"/invocation/{request_id}/error",
                 {"errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError",
                  "requestId": request_id, "stackTrace": []}, "Runtime.MarshalError")
        return
    api.post(f"/invocation/{request_id}/response", payload)


def main() -> None:
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    logging.getLogger().addHandler(_LambdaLogHandler())
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        function = _load(os.environ["_HANDLER"])
    except _InitError as exc:  # hoarfrost logs it, as AWS does
        api.post("/init/error", exc.payload, exc.payload["errorType"])
        sys.exit(1)
    while True:
        response, body = api.call("GET", "/invocation/next")
        if response.status != 200:
            sys.exit(0)
        _invoke(api, function, response, body)


if __name__ == "__main__":
    main()

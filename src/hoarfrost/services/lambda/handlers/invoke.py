"""Invoke: RequestResponse runs the function in a worker process and answers its result,
Event queues it and answers 202 at once, DryRun only checks that it could run."""

from __future__ import annotations

import base64
import json
from typing import Any

from hoarfrost.core.operations import Reply

from ..errors import errors
from ..invoking import prepare
from ..runtime.executor import event_text
from . import ops
from .common import Ctx, resolve

SYNC_LIMIT = 6 * 1024 * 1024
ASYNC_LIMIT = 256 * 1024


def endpoint_for(ctx: Ctx) -> str:
    """Where the function's own SDK calls go: the configured base URL, the server the request
    came through, or (in-process) the loopback server the emulator opens on demand."""
    configured = ctx.emulator.settings.base_url
    if configured:
        return str(configured).rstrip("/")
    host = ctx.request.host
    if host and not host.endswith("amazonaws.com"):
        return f"http://{host}"
    return str(ctx.emulator.loopback_url())


@ops.operation(mutates=False, blocking=True)
def invoke(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    invocation_type = request.get("InvocationType") or "RequestResponse"
    payload: bytes = request.get("Payload") or b""
    if invocation_type == "Event" and len(payload) > ASYNC_LIMIT:
        raise errors.RequestTooLargeException(
            f"Request must be smaller than {ASYNC_LIMIT} bytes for the InvokeAsync operation")
    if len(payload) > SYNC_LIMIT:
        raise errors.RequestTooLargeException(
            f"Request must be smaller than {SYNC_LIMIT} bytes for the Invoke operation")
    try:
        event = event_text(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}") from None
    client_context = request.get("ClientContext")
    if client_context is not None:
        try:
            client_context = base64.b64decode(client_context, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise errors.InvalidRequestContentException("Client context must be a valid Base64-encoded JSON object.")
    invocation = prepare(ctx.state, function, qualifier, event, ctx.request_id, endpoint_for(ctx), client_context)
    if invocation_type == "DryRun":
        return Reply({}, status=204)
    executor = ctx.service.executor
    if invocation_type == "Event":
        executor.submit(invocation)
        return Reply({}, status=202)
    with ctx.unlocked():
        outcome = executor.invoke(invocation)
    if outcome is None:
        raise errors.TooManyRequestsException("Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
                                              Type="User")
    payload, function_error = outcome.payload, outcome.function_error
    if len(payload) > SYNC_LIMIT:
        payload = json.dumps({"errorMessage": f"Response payload size exceeded maximum allowed payload size "
                                              f"({SYNC_LIMIT + 100} bytes).",
                              "errorType": "Function.ResponseSizeTooLarge"}).encode()
        function_error = "Unhandled"
    output: dict[str, Any] = {"StatusCode": 200, "Payload": payload, "ExecutedVersion": invocation.executed_version}
    if function_error is not None:
        output["FunctionError"] = function_error
    if request.get("LogType") == "Tail":
        output["LogResult"] = outcome.log_tail
    return Reply(output)

"""Invoke: RequestResponse runs the function in a worker process and answers its result,
Event queues it and answers 202 at once, DryRun only checks that it could run.
InvokeWithResponseStream answers the result as an event stream: the pieces a streaming
function (Node's ``awslambda.streamifyResponse``, a custom runtime posting in streaming mode)
wrote, or the whole payload as one piece, then ``InvokeComplete``."""

from __future__ import annotations

import base64
import json
from typing import Any

from hoarfrost.core.operations import Reply

from ..errors import errors
from ..invoking import prepare
from ..runtime.executor import Invocation, event_text
from ..runtime.invocation import Outcome
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


def _invocation(ctx: Ctx, request: dict[str, Any], invocation_type: str) -> Invocation:
    function, qualifier = resolve(ctx, request)
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
            raise errors.InvalidRequestContentException(
                "Client context must be a valid Base64-encoded JSON object.") from None
    return prepare(ctx.state, function, qualifier, event, ctx.request_id, endpoint_for(ctx), client_context)


def _run(ctx: Ctx, invocation: Invocation) -> tuple[Outcome, bytes, str | None]:
    """Run it now, without the lock: (outcome, payload, function error), a response too large
    answered as AWS's Function.ResponseSizeTooLarge error."""
    with ctx.unlocked():
        outcome = ctx.service.executor.invoke(invocation)
    if outcome is None:
        raise errors.TooManyRequestsException(
            "Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded", Type="User")
    payload, function_error = outcome.payload, outcome.function_error
    if len(payload) > SYNC_LIMIT:
        payload = json.dumps({"errorMessage": f"Response payload size exceeded maximum allowed payload size "
                                              f"({SYNC_LIMIT + 100} bytes).",
                              "errorType": "Function.ResponseSizeTooLarge"}).encode()
        function_error = "Unhandled"
        outcome.chunks = None
    return outcome, payload, function_error


@ops.operation(mutates=False, blocking=True)
def invoke(ctx: Ctx, request: dict[str, Any]) -> Reply:
    invocation_type = request.get("InvocationType") or "RequestResponse"
    invocation = _invocation(ctx, request, invocation_type)
    if invocation_type == "DryRun":
        return Reply({}, status=204)
    if invocation_type == "Event":
        ctx.service.executor.submit(invocation)
        return Reply({}, status=202)
    outcome, payload, function_error = _run(ctx, invocation)
    output: dict[str, Any] = {"StatusCode": 200, "Payload": payload, "ExecutedVersion": invocation.executed_version}
    if function_error is not None:
        output["FunctionError"] = function_error
    if request.get("LogType") == "Tail":
        output["LogResult"] = outcome.log_tail
    return Reply(output)


@ops.operation(mutates=False, blocking=True)
def invoke_with_response_stream(ctx: Ctx, request: dict[str, Any]) -> Reply:
    invocation_type = request.get("InvocationType") or "RequestResponse"
    invocation = _invocation(ctx, request, invocation_type)
    if invocation_type == "DryRun":
        return Reply({}, status=204)
    outcome, payload, function_error = _run(ctx, invocation)
    if outcome.chunks is not None:  # what a streaming function wrote, before any error
        pieces = outcome.chunks
    else:
        pieces = [payload] if function_error is None else []
    events: list[dict[str, Any]] = [{"PayloadChunk": {"Payload": piece}} for piece in pieces if piece]
    complete: dict[str, Any] = {}
    if function_error is not None:
        complete["ErrorCode"] = function_error
        complete["ErrorDetails"] = payload.decode("utf-8", "replace")
    if request.get("LogType") == "Tail":
        complete["LogResult"] = outcome.log_tail
    events.append({"InvokeComplete": complete})
    # ResponseStreamContentType is the Content-Type header, which an event stream's is.
    return Reply({"StatusCode": 200, "ExecutedVersion": invocation.executed_version, "EventStream": events})

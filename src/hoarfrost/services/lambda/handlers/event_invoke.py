"""Asynchronous invocation settings per qualifier (retries, maximum event age, destinations),
the old InvokeAsync, and the account's Lambda settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import errors, function_not_found, invalid
from ..invoking import prepare
from ..runtime.executor import event_text
from ..state import LATEST, EventInvokeConfig, Function
from . import ops
from .common import Ctx, resolve
from .invoke import endpoint_for


def _qualifier(ctx: Ctx, function: Function, qualifier: str | None) -> str:
    qualifier = qualifier or LATEST
    if function.config(qualifier) is None and qualifier not in function.aliases:
        raise function_not_found(ctx.state.function_arn(function.name, qualifier))
    return qualifier


def _output(ctx: Ctx, function: Function, config: EventInvokeConfig) -> dict[str, Any]:
    out: dict[str, Any] = {
        "LastModified": dt.datetime.fromtimestamp(config.last_modified, dt.UTC),
        "FunctionArn": ctx.state.function_arn(function.name, config.qualifier),
        "DestinationConfig": {"OnSuccess": {"Destination": config.on_success} if config.on_success else {},
                              "OnFailure": {"Destination": config.on_failure} if config.on_failure else {}},
    }
    if config.maximum_retry_attempts is not None:
        out["MaximumRetryAttempts"] = config.maximum_retry_attempts
    if config.maximum_event_age is not None:
        out["MaximumEventAgeInSeconds"] = config.maximum_event_age
    return out


def _destination(ctx: Ctx, request: dict[str, Any], which: str) -> str | None:
    target = ((request.get("DestinationConfig") or {}).get(which) or {}).get("Destination")
    if target and not ctx.emulator.accepts(target):
        raise invalid(f"The destination ARN {target} is invalid.")
    return target or None


def _apply(ctx: Ctx, request: dict[str, Any], config: EventInvokeConfig) -> None:
    if "MaximumRetryAttempts" in request:
        config.maximum_retry_attempts = request["MaximumRetryAttempts"]
    if "MaximumEventAgeInSeconds" in request:
        config.maximum_event_age = request["MaximumEventAgeInSeconds"]
    if "DestinationConfig" in request:
        config.on_success = _destination(ctx, request, "OnSuccess")
        config.on_failure = _destination(ctx, request, "OnFailure")
    config.last_modified = ctx.clock.time()


def _existing(ctx: Ctx, function: Function, qualifier: str) -> EventInvokeConfig:
    config = function.event_invoke_configs.get(qualifier)
    if config is None:
        raise errors.ResourceNotFoundException(
            f"The function {ctx.state.function_arn(function.name, qualifier)} doesn't have an EventInvokeConfig")
    return config


@ops.operation
def put_function_event_invoke_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    qualifier = _qualifier(ctx, function, qualifier)
    config = EventInvokeConfig(qualifier=qualifier, last_modified=ctx.clock.time())
    _apply(ctx, request, config)
    function.event_invoke_configs[qualifier] = config
    return _output(ctx, function, config)


@ops.operation
def update_function_event_invoke_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    qualifier = _qualifier(ctx, function, qualifier)
    config = function.event_invoke_configs.get(qualifier) or EventInvokeConfig(qualifier, ctx.clock.time())
    _apply(ctx, request, config)
    function.event_invoke_configs[qualifier] = config
    return _output(ctx, function, config)


@ops.operation
def get_function_event_invoke_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    return _output(ctx, function, _existing(ctx, function, _qualifier(ctx, function, qualifier)))


@ops.operation
def delete_function_event_invoke_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    qualifier = _qualifier(ctx, function, qualifier)
    _existing(ctx, function, qualifier)
    del function.event_invoke_configs[qualifier]
    return Reply({}, status=204)


@ops.operation
def list_function_event_invoke_configs(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    qualifiers = sorted(function.event_invoke_configs)
    page = paginate(qualifiers, request.get("Marker"), request.get("MaxItems") or 50,
                    kind=f"lambda:ListFunctionEventInvokeConfigs:{function.name}",
                    error=lambda: invalid("Invalid marker."))
    return {"FunctionEventInvokeConfigs": [_output(ctx, function, function.event_invoke_configs[q])
                                           for q in page.items], **page.token_member("NextMarker")}


@ops.operation(mutates=False)
def invoke_async(ctx: Ctx, request: dict[str, Any]) -> Reply:
    """The deprecated asynchronous Invoke: queued like ``InvocationType=Event``."""
    function, qualifier = resolve(ctx, request)
    body: Any = request.get("InvokeArgs")  # a stream from a client, bytes from a direct call
    data = body.read() if hasattr(body, "read") else (body or b"")
    try:
        event = event_text(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.InvalidRequestContentException(f"Could not parse request body into json: {exc}") from None
    ctx.service.executor.submit(prepare(ctx.state, function, qualifier, event, ctx.request_id, endpoint_for(ctx)))
    return Reply({"Status": 202}, status=202)


@ops.operation
def get_account_settings(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    functions = ctx.state.functions.values()
    return {
        "AccountLimit": {"TotalCodeSize": 80_530_636_800, "CodeSizeUnzipped": 262_144_000,
                         "CodeSizeZipped": 52_428_800, "ConcurrentExecutions": 1000,
                         "UnreservedConcurrentExecutions": 1000 - sum(f.reserved_concurrency or 0 for f in functions)},
        "AccountUsage": {"TotalCodeSize": sum(p.size for p in ctx.state.packages.values()),
                         "FunctionCount": len(ctx.state.functions)},
    }

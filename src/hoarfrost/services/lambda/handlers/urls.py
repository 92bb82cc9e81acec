"""Function URLs: configured here, served by hoarfrost's server under
``/_hoarfrost/lambda/url/<url-id>/`` (see ``function_urls``), invoking the function with the
function-URL event (payload format 2.0)."""

from __future__ import annotations

import random
import string
from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import conflict, errors, function_not_found, invalid
from ..state import LATEST, Function, FunctionUrlConfig
from . import ops
from .common import Ctx, last_modified, resolve

_ALPHABET = string.ascii_lowercase + string.digits


def url_of(ctx: Ctx, url_id: str) -> str:
    """The address a function URL is reached at: hoarfrost's server when the request came
    through one (or ``base_url`` is set), else AWS's form (only reachable once served)."""
    base = ctx.emulator.settings.base_url
    host = ctx.request.host
    if not base and host and not host.endswith("amazonaws.com"):
        base = f"http://{host}"
    if base:
        return f"{base.rstrip('/')}/_hoarfrost/lambda/url/{url_id}/"
    return f"https://{url_id}.lambda-url.{ctx.state.region}.on.aws/"


def _qualifier(ctx: Ctx, function: Function, qualifier: str | None) -> str:
    if qualifier is None or qualifier == LATEST:
        return LATEST
    if qualifier not in function.aliases:
        if qualifier.isdigit():
            raise invalid("Function URL configuration is not supported for a function version.")
        raise function_not_found(ctx.state.function_arn(function.name, qualifier))
    return qualifier


def _output(ctx: Ctx, function: Function, config: FunctionUrlConfig) -> dict[str, Any]:
    out: dict[str, Any] = {
        "FunctionUrl": url_of(ctx, config.url_id),
        "FunctionArn": ctx.state.function_arn(function.name, None if config.qualifier == LATEST else config.qualifier),
        "AuthType": config.auth_type, "CreationTime": config.created, "LastModifiedTime": config.last_modified,
        "InvokeMode": config.invoke_mode,
    }
    if config.cors:
        out["Cors"] = dict(config.cors)
    return out


def _existing(ctx: Ctx, function: Function, qualifier: str) -> FunctionUrlConfig:
    config = function.url_configs.get(qualifier)
    if config is None:
        raise errors.ResourceNotFoundException("The resource you requested does not exist.")
    return config


@ops.operation
def create_function_url_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    qualifier = _qualifier(ctx, function, qualifier)
    if qualifier in function.url_configs:
        raise conflict(f"Failed to create function url config for [functionArn = "
                       f"{ctx.state.function_arn(function.name, None if qualifier == LATEST else qualifier)}]. "
                       "Error message:  FunctionUrlConfig exists for this Lambda function")
    now = last_modified(ctx)
    config = FunctionUrlConfig(qualifier=qualifier, url_id="".join(random.choices(_ALPHABET, k=32)),
                               auth_type=request["AuthType"], created=now, last_modified=now,
                               invoke_mode=request.get("InvokeMode") or "BUFFERED",
                               cors=dict(request.get("Cors") or {}))
    function.url_configs[qualifier] = config
    return Reply(_output(ctx, function, config), status=201)


@ops.operation
def get_function_url_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    return _output(ctx, function, _existing(ctx, function, _qualifier(ctx, function, qualifier)))


@ops.operation
def update_function_url_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    config = _existing(ctx, function, _qualifier(ctx, function, qualifier))
    if "AuthType" in request:
        config.auth_type = request["AuthType"]
    if "Cors" in request:
        config.cors = dict(request["Cors"] or {})
    if "InvokeMode" in request:
        config.invoke_mode = request["InvokeMode"]
    config.last_modified = last_modified(ctx)
    return _output(ctx, function, config)


@ops.operation
def delete_function_url_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    qualifier = _qualifier(ctx, function, qualifier)
    _existing(ctx, function, qualifier)
    del function.url_configs[qualifier]
    return Reply({}, status=204)


@ops.operation
def list_function_url_configs(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    qualifiers = sorted(function.url_configs)
    page = paginate(qualifiers, request.get("Marker"), request.get("MaxItems") or 50,
                    kind=f"lambda:ListFunctionUrlConfigs:{function.name}", error=lambda: invalid("Invalid marker."))
    return {"FunctionUrlConfigs": [_output(ctx, function, function.url_configs[q]) for q in page.items],
            **page.token_member("NextMarker")}

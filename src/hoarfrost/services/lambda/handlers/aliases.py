"""Aliases: names for a version, optionally routing a weighted share of invocations to a
second version."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import conflict, errors, function_not_found, invalid
from ..state import LATEST, Alias, Function
from . import ops
from .common import Ctx, check_revision, new_revision, resolve


def _output(ctx: Ctx, function: Function, alias: Alias) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AliasArn": ctx.state.function_arn(function.name, alias.name), "Name": alias.name,
        "FunctionVersion": alias.function_version, "Description": alias.description, "RevisionId": alias.revision_id,
    }
    if alias.routing:
        out["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.routing)}
    return out


def _check_version(ctx: Ctx, function: Function, version: str) -> None:
    if function.config(version) is None:
        raise function_not_found(ctx.state.function_arn(function.name, version))


def _routing(ctx: Ctx, function: Function, primary: str, config: dict[str, Any] | None) -> dict[str, float]:
    weights = dict((config or {}).get("AdditionalVersionWeights") or {})
    if not weights:
        return {}
    if primary == LATEST or LATEST in weights:
        raise invalid("$LATEST is not supported for an alias pointing to more than 1 version")
    for version in weights:
        _check_version(ctx, function, version)
        if version == primary:
            raise invalid(f"Invalid function version {version}. Function version {version} is already included in "
                          "routing configuration.")
    if sum(weights.values()) > 1.0:
        raise invalid("The sum of the additional version weights cannot exceed 1.0.")
    return {version: float(weight) for version, weight in weights.items()}


def _alias(ctx: Ctx, function: Function, name: str) -> Alias:
    alias = function.aliases.get(name)
    if alias is None:
        raise errors.ResourceNotFoundException(
            f"Cannot find alias arn: {ctx.state.function_arn(function.name, name)}")
    return alias


@ops.operation
def create_alias(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, _ = resolve(ctx, request)
    name, version = request["Name"], request["FunctionVersion"]
    if name in function.aliases:
        raise conflict(f"Alias already exists: {ctx.state.function_arn(function.name, name)}")
    _check_version(ctx, function, version)
    alias = Alias(name=name, function_version=version, revision_id=new_revision(),
                  description=request.get("Description") or "",
                  routing=_routing(ctx, function, version, request.get("RoutingConfig")))
    function.aliases[name] = alias
    return Reply(_output(ctx, function, alias), status=201)


@ops.operation
def get_alias(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    return _output(ctx, function, _alias(ctx, function, request["Name"]))


@ops.operation
def update_alias(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    alias = _alias(ctx, function, request["Name"])
    check_revision(request, alias.revision_id)
    version = request.get("FunctionVersion") or alias.function_version
    _check_version(ctx, function, version)
    routing = (_routing(ctx, function, version, request["RoutingConfig"]) if "RoutingConfig" in request
               else alias.routing)
    alias.function_version = version
    alias.routing = routing
    if "Description" in request:
        alias.description = request["Description"]
    alias.revision_id = new_revision()
    return _output(ctx, function, alias)


@ops.operation
def delete_alias(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, _ = resolve(ctx, request)
    function.aliases.pop(request["Name"], None)
    return Reply({}, status=204)


@ops.operation
def list_aliases(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    version = request.get("FunctionVersion")
    names = [n for n in sorted(function.aliases) if version is None or function.aliases[n].function_version == version]
    page = paginate(names, request.get("Marker"), request.get("MaxItems") or 50,
                    kind=f"lambda:ListAliases:{function.name}", error=lambda: invalid("Invalid marker."))
    return {"Aliases": [_output(ctx, function, function.aliases[n]) for n in page.items],
            **page.token_member("NextMarker")}

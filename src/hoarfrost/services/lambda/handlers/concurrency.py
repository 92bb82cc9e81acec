"""Reserved concurrency: stored per function and enforced by Invoke (an execution over the
reservation is throttled with TooManyRequestsException)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply

from ..errors import errors, function_not_found, invalid
from ..state import LATEST, Function, ProvisionedConcurrency
from . import ops
from .common import Ctx, last_modified, resolve

ACCOUNT_LIMIT = 1000
UNRESERVED_MINIMUM = 100


@ops.operation
def put_function_concurrency(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    wanted = request["ReservedConcurrentExecutions"]
    others = sum(f.reserved_concurrency or 0 for f in ctx.state.functions.values() if f is not function)
    if ACCOUNT_LIMIT - others - wanted < UNRESERVED_MINIMUM:
        raise invalid("Specified ReservedConcurrentExecutions for function decreases account's "
                      f"UnreservedConcurrentExecution below its minimum value of [{UNRESERVED_MINIMUM}].")
    function.reserved_concurrency = wanted
    return {"ReservedConcurrentExecutions": wanted}


@ops.operation
def get_function_concurrency(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    if function.reserved_concurrency is None:
        return {}
    return {"ReservedConcurrentExecutions": function.reserved_concurrency}


@ops.operation
def delete_function_concurrency(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, _ = resolve(ctx, request)
    function.reserved_concurrency = None
    return Reply({}, status=204)


# -- provisioned concurrency (stored: workers here always start on demand) ----------------------
def _provisioned_qualifier(ctx: Ctx, function: Function, qualifier: str | None) -> str:
    if qualifier is None or qualifier == LATEST:
        raise invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    if qualifier not in function.versions and qualifier not in function.aliases:
        raise function_not_found(ctx.state.function_arn(function.name, qualifier))
    return qualifier


def _provisioned_output(config: ProvisionedConcurrency) -> dict[str, Any]:
    ready = config.status == "READY"
    return {"RequestedProvisionedConcurrentExecutions": config.requested,
            "AvailableProvisionedConcurrentExecutions": config.requested if ready else 0,
            "AllocatedProvisionedConcurrentExecutions": config.requested if ready else 0,
            "Status": config.status, "LastModified": config.last_modified}


def _provisioned(ctx: Ctx, function: Function, qualifier: str) -> ProvisionedConcurrency:
    config = function.provisioned.get(qualifier)
    if config is None:
        raise errors.ProvisionedConcurrencyConfigNotFoundException(
            "No Provisioned Concurrency Config found for this function")
    config.status = "READY"  # allocation finishes by the next request, as states do
    return config


@ops.operation
def put_provisioned_concurrency_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    qualifier = _provisioned_qualifier(ctx, function, qualifier)
    wanted = request["ProvisionedConcurrentExecutions"]
    if function.reserved_concurrency is not None and wanted > function.reserved_concurrency:
        raise invalid(f"ProvisionedConcurrentExecutions {wanted} should not be greater than the "
                      f"ReservedConcurrentExecutions {function.reserved_concurrency} of the function.")
    config = ProvisionedConcurrency(qualifier=qualifier, requested=wanted, last_modified=last_modified(ctx))
    function.provisioned[qualifier] = config
    return Reply(_provisioned_output(config), status=202)


@ops.operation
def get_provisioned_concurrency_config(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    return _provisioned_output(_provisioned(ctx, function, _provisioned_qualifier(ctx, function, qualifier)))


@ops.operation
def delete_provisioned_concurrency_config(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    qualifier = _provisioned_qualifier(ctx, function, qualifier)
    _provisioned(ctx, function, qualifier)
    del function.provisioned[qualifier]
    return Reply({}, status=204)


@ops.operation
def list_provisioned_concurrency_configs(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, _ = resolve(ctx, request)
    qualifiers = sorted(function.provisioned)
    page = paginate(qualifiers, request.get("Marker"), request.get("MaxItems") or 50,
                    kind=f"lambda:ListProvisionedConcurrencyConfigs:{function.name}",
                    error=lambda: invalid("Invalid marker."))
    return {"ProvisionedConcurrencyConfigs": [
        dict(_provisioned_output(_provisioned(ctx, function, q)),
             FunctionArn=ctx.state.function_arn(function.name, q)) for q in page.items],
        **page.token_member("NextMarker")}

"""Reserved concurrency: stored per function and enforced by Invoke (an execution over the
reservation is throttled with TooManyRequestsException)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.operations import Reply

from ..errors import invalid
from . import ops
from .common import Ctx, resolve

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

"""A rule's targets: PutTargets / RemoveTargets with per-entry results, ListTargetsByRule."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.events.errors import errors, validation
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.handlers.common import EventsContext, get_rule, page
from hoarfrost.services.events.transform import TransformError, check_path, check_transformer

MAX_TARGETS = 5


def _check(target: dict[str, Any]) -> None:
    """Whole-request validation AWS applies to each target (a ValidationException)."""
    target_id = target["Id"]
    given = [member for member in ("Input", "InputPath", "InputTransformer") if target.get(member) is not None]
    if len(given) > 1:
        raise validation(f"Only one of Input, InputPath, or InputTransformer must be provided for target "
                         f"{target_id}.")
    try:
        if target.get("InputPath") is not None:
            check_path(target["InputPath"])
        if target.get("InputTransformer") is not None:
            check_transformer(target_id, target["InputTransformer"])
    except TransformError as exc:
        raise validation(str(exc)) from None
    arn = try_parse_arn(target["Arn"])
    if arn is not None and arn.service == "sqs" and arn.resource.endswith(".fifo"):
        if not (target.get("SqsParameters") or {}).get("MessageGroupId"):
            raise validation(f"Parameter(s) SqsParameters must be specified for target: {target_id}.")


def _failure(target_id: str, code: str, message: str) -> dict[str, str]:
    return {"TargetId": target_id, "ErrorCode": code, "ErrorMessage": message}


@ops.operation
def put_targets(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    _, rule = get_rule(ctx, request["Rule"], request.get("EventBusName"))
    entries: list[dict[str, Any]] = request["Targets"]
    for target in entries:
        _check(target)
    new_ids = {target["Id"] for target in entries} - set(rule.targets)
    if len(rule.targets) + len(new_ids) > MAX_TARGETS:
        raise errors.LimitExceededException("The requested resource exceeds the maximum number allowed.")
    failed: list[dict[str, str]] = []
    for target in entries:
        arn = try_parse_arn(target["Arn"])
        if arn is None:
            failed.append(_failure(target["Id"], "ValidationException",
                                   f"Parameter {target['Arn']} is not valid. Reason: Provided Arn is not in "
                                   "correct format."))
            continue
        rule.targets[target["Id"]] = dict(target)
    return {"FailedEntryCount": len(failed), "FailedEntries": failed}


@ops.operation
def remove_targets(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    _, rule = get_rule(ctx, request["Rule"], request.get("EventBusName"))
    if rule.managed_by and not request.get("Force"):
        raise errors.ManagedRuleException(
            f"Rule {rule.name} is managed by {rule.managed_by} and its targets can only be removed with Force.")
    for target_id in request["Ids"]:
        rule.targets.pop(target_id, None)
    return {"FailedEntryCount": 0, "FailedEntries": []}


@ops.operation
def list_targets_by_rule(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    _, rule = get_rule(ctx, request["Rule"], request.get("EventBusName"))
    targets = sorted(rule.targets.values(), key=lambda target: target["Id"])
    result = page(ctx, targets, request, "ListTargetsByRule", key=lambda target: target["Id"])
    return {"Targets": result.items, **result.token_member()}

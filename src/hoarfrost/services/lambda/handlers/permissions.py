"""The function's resource policy: AddPermission adds a statement, RemovePermission removes
one, GetPolicy answers the document."""

from __future__ import annotations

import json
from typing import Any

from hoarfrost.core.operations import Reply

from ..errors import conflict, errors, function_not_found
from ..state import Function
from . import ops
from .common import Ctx, check_revision, new_revision, resolve


def _principal(text: str) -> Any:
    if text == "*":
        return "*"
    if text.isdigit() and len(text) == 12:
        return {"AWS": f"arn:aws:iam::{text}:root"}
    if text.startswith("arn:"):
        return {"AWS": text}
    return {"Service": text}


def _resource(ctx: Ctx, function: Function, qualifier: str | None) -> str:
    if qualifier is not None and function.config(qualifier) is None and qualifier not in function.aliases:
        raise function_not_found(ctx.state.function_arn(function.name, qualifier))
    return ctx.state.function_arn(function.name, qualifier)


@ops.operation
def add_permission(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, qualifier = resolve(ctx, request)
    check_revision(request, function.latest.revision_id)
    sid = request["StatementId"]
    if sid in function.statements:
        raise conflict(f"The statement id ({sid}) provided already exists. Please provide a new statement id, or "
                       "remove the existing statement.")
    action = request["Action"]
    statement: dict[str, Any] = {
        "Sid": sid, "Effect": "Allow", "Principal": _principal(request["Principal"]),
        "Action": action if ":" in action or action == "*" else f"lambda:{action}",
        "Resource": _resource(ctx, function, qualifier),
    }
    condition: dict[str, dict[str, str]] = {}
    if request.get("SourceArn"):
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = request["SourceArn"]
    if request.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = request["SourceAccount"]
    if request.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = request["PrincipalOrgID"]
    if request.get("EventSourceToken"):
        condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = request["EventSourceToken"]
    if request.get("FunctionUrlAuthType"):
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = request["FunctionUrlAuthType"]
    if condition:
        statement["Condition"] = condition
    function.statements[sid] = statement
    function.latest.revision_id = new_revision()
    return Reply({"Statement": json.dumps(statement)}, status=201)


@ops.operation
def remove_permission(ctx: Ctx, request: dict[str, Any]) -> Reply:
    function, _ = resolve(ctx, request)
    check_revision(request, function.latest.revision_id)
    sid = request["StatementId"]
    if sid not in function.statements:
        raise errors.ResourceNotFoundException(f"Statement {sid} is not found in resource policy.")
    del function.statements[sid]
    function.latest.revision_id = new_revision()
    return Reply({}, status=204)


@ops.operation
def get_policy(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    function, qualifier = resolve(ctx, request)
    resource = _resource(ctx, function, qualifier)
    statements = [s for s in function.statements.values() if qualifier is None or s["Resource"] == resource]
    if not statements:
        raise errors.ResourceNotFoundException("The resource you requested does not exist.")
    return {"Policy": json.dumps(dict(function.policy_document(), Statement=statements)),
            "RevisionId": function.latest.revision_id}

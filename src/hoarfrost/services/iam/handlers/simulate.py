"""The policy simulator: SimulatePrincipalPolicy (a user's, group's or role's own policies, plus
any given) and SimulateCustomPolicy (only the policies given), answered by the evaluator in
``evaluation.py`` with the statements that matched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.policies import PolicyError, PolicyKind, Requester, access_request
from hoarfrost.core.kit.policy_language import ContextValue
from hoarfrost.services.iam.errors import errors
from hoarfrost.services.iam.evaluation import Evaluation, Source, evaluate, principal_sources, source
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import IamContext, entity, now, page
from hoarfrost.services.iam.state import Group


def _parsed(policy_id: str, policy_type: str, document: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Source:
    try:
        return source(policy_id, policy_type, document, kind)
    except PolicyError as exc:
        raise errors.MalformedPolicyDocumentException(exc.message) from None


def _given(documents: Sequence[str] | None, member: str) -> list[Source]:
    return [_parsed(f"{member}.{index}", "none", text) for index, text in enumerate(documents or (), 1)]


def _context(entries: Sequence[dict[str, Any]] | None) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for entry in entries or ():
        name = entry.get("ContextKeyName")
        if name:
            values = entry.get("ContextKeyValues") or []
            context[name] = values if str(entry.get("ContextKeyType", "")).endswith("List") else values[:1]
    return context


def _results(ctx: IamContext, request: dict[str, Any], requester: Requester, identity: list[Source],
             boundary: list[Source], tags: dict[str, str]) -> dict[str, Any]:
    resource: list[Source] = []
    if request.get("ResourcePolicy"):
        resource.append(_parsed("ResourcePolicy", "resource", request["ResourcePolicy"], PolicyKind.RESOURCE))
    context = _context(request.get("ContextEntries"))
    context.setdefault("aws:CurrentTime", now(ctx))
    for key, value in tags.items():
        context.setdefault(f"aws:PrincipalTag/{key}", value)
    results = []
    for action in request["ActionNames"]:
        for arn in request.get("ResourceArns") or ["*"]:
            evaluation = evaluate(access_request(requester, action, arn, context), identity, boundary, resource)
            results.append(_result(action, arn, evaluation))
    indexed = list(enumerate(results))
    output = page(ctx, request, indexed, lambda pair: pair[0], "EvaluationResults")
    output["EvaluationResults"] = [result for _, result in output["EvaluationResults"]]
    return output


def _result(action: str, resource: str, evaluation: Evaluation) -> dict[str, Any]:
    output: dict[str, Any] = {
        "EvalActionName": action, "EvalResourceName": resource, "EvalDecision": evaluation.decision,
        "MatchedStatements": [{"SourcePolicyId": item.id, "SourcePolicyType": item.type}
                              for item, _ in evaluation.matched],
        "MissingContextValues": [],
    }
    if evaluation.allowed_by_boundary is not None:
        output["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": evaluation.allowed_by_boundary}
    return output


@ops.operation(mutates=False)
def simulate_principal_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    source_arn = request["PolicySourceArn"]
    arn = try_parse_arn(source_arn)
    if arn is None or arn.service != "iam" or arn.resource_type not in ("user", "group", "role"):
        raise errors.InvalidInputException(f"Invalid ARN {source_arn}: PolicySourceArn must name an IAM user, "
                                           "group or role")
    target = entity(ctx, arn.resource_type, arn.resource_id.rsplit("/", 1)[-1])  # type: ignore[arg-type]
    identity, own_boundary = principal_sources(ctx.state, target)
    identity += _given(request.get("PolicyInputList"), "PolicyInputList")
    boundary = _given(request.get("PermissionsBoundaryPolicyInputList"),
                      "PermissionsBoundaryPolicyInputList") or own_boundary
    caller = request.get("CallerArn") or (target.arn if not isinstance(target, Group) else None)
    requester = Requester(account=ctx.scope.account, arn=caller)
    tags = target.tags if not isinstance(target, Group) else {}
    return _results(ctx, request, requester, identity, boundary, tags)


@ops.operation(mutates=False)
def simulate_custom_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    identity = _given(request["PolicyInputList"], "PolicyInputList")
    boundary = _given(request.get("PermissionsBoundaryPolicyInputList"), "PermissionsBoundaryPolicyInputList")
    caller = request.get("CallerArn")
    requester = Requester(account=ctx.scope.account, arn=caller)
    return _results(ctx, request, requester, identity, boundary, {})


# -- context keys ------------------------------------------------------------------------------------------
def _context_keys(sources: list[Source]) -> list[str]:
    """The condition keys the policies use, each once, in the order they appear."""
    keys: dict[str, str] = {}
    for item in sources:
        for statement in item.policy.statements:
            for condition in statement.conditions:
                keys.setdefault(condition.key.lower(), condition.key)
    return list(keys.values())


@ops.operation(mutates=False)
def get_context_keys_for_custom_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"ContextKeyNames": _context_keys(_given(request["PolicyInputList"], "PolicyInputList"))}


@ops.operation(mutates=False)
def get_context_keys_for_principal_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    source_arn = request["PolicySourceArn"]
    arn = try_parse_arn(source_arn)
    if arn is None or arn.service != "iam" or arn.resource_type not in ("user", "group", "role"):
        raise errors.InvalidInputException(f"Invalid ARN {source_arn}: PolicySourceArn must name an IAM user, "
                                           "group or role")
    target = entity(ctx, arn.resource_type, arn.resource_id.rsplit("/", 1)[-1])  # type: ignore[arg-type]
    identity, _ = principal_sources(ctx.state, target)
    identity += _given(request.get("PolicyInputList"), "PolicyInputList")
    return {"ContextKeyNames": _context_keys(identity)}

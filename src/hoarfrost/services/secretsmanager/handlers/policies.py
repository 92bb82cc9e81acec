"""Resource policies on secrets: Get/Put/Delete/ValidateResourcePolicy, parsed and checked by
the kit's policy code; BlockPublicPolicy refuses a policy that grants everyone access."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.policies import Effect, Policy, PolicyError, parse_policy
from hoarfrost.services.secretsmanager.errors import errors
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.handlers.common import SmContext, find, primary

PUBLIC = "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access " \
         "to the secret."


def is_public(policy: Policy) -> bool:
    """Whether an Allow grants any principal at all, unconditionally (broad access)."""
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW or statement.conditions:
            continue
        principal = statement.principal
        if statement.not_principal is not None:
            return True
        if principal is not None and (principal.everyone or "*" in principal.aws):
            return True
    return False


def _parse(text: str) -> Policy:
    try:
        return parse_policy(text)
    except PolicyError as exc:
        raise errors.MalformedPolicyDocumentException(exc.message) from None


@ops.operation
def get_resource_policy(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = find(ctx, request["SecretId"])
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if secret.resource_policy is not None:
        out["ResourcePolicy"] = secret.resource_policy
    return out


@ops.operation
def put_resource_policy(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    text = request["ResourcePolicy"]
    policy = _parse(text)
    if request.get("BlockPublicPolicy") and is_public(policy):
        raise errors.PublicPolicyException(PUBLIC)
    secret.resource_policy = text
    return {"ARN": secret.arn, "Name": secret.name}


@ops.operation
def delete_resource_policy(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    secret.resource_policy = None
    return {"ARN": secret.arn, "Name": secret.name}


def validate_resource_policy(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("SecretId") is not None:
        find(ctx, request["SecretId"])
    try:
        policy = parse_policy(request["ResourcePolicy"])
    except PolicyError as exc:
        return {"PolicyValidationPassed": False,
                "ValidationErrors": [{"CheckName": "POLICY_SYNTAX_CHECK", "ErrorMessage": exc.message}]}
    if is_public(policy):
        return {"PolicyValidationPassed": False,
                "ValidationErrors": [{"CheckName": "BROAD_ACCESS_CHECK", "ErrorMessage": PUBLIC}]}
    return {"PolicyValidationPassed": True, "ValidationErrors": []}


ops.operation(validate_resource_policy, mutates=False)  # a check: it changes nothing

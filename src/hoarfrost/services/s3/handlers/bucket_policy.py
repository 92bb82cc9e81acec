"""Bucket policies: validated in the policy language by the kit, worded as S3 words its
MalformedPolicy errors, and read for GetBucketPolicyStatus.

hoarfrost stores bucket policies and answers with them; it does not enforce them on requests
(every request is the owner's, as with ACLs).
"""

from __future__ import annotations

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.policies import (
    Effect,
    Policy,
    PolicyError,
    Problem,
    parse_policy,
)
from hoarfrost.core.kit.policy_language import Pattern
from hoarfrost.services.s3.errors import errors

_MESSAGES = {
    Problem.JSON: "Policies must be valid JSON and the first byte must be '{'",
    Problem.ACTION: "Policy has invalid action",
    Problem.RESOURCE: "Policy has invalid resource",
    Problem.PRINCIPAL: "Invalid principal in policy",
}


def _s3_message(error: PolicyError) -> str:
    if error.problem is Problem.MISSING:
        return f"Missing required field {error.field}"
    return _MESSAGES.get(error.problem, error.message)


def _in_bucket(resource: str, bucket: str) -> bool:
    """An S3 ARN of the bucket or of keys in it (the bucket part may hold wildcards)."""
    if resource == "*":
        return True
    arn = try_parse_arn(resource)
    if arn is None or arn.service != "s3" or arn.region or arn.account:
        return False
    return Pattern(arn.resource.split("/", 1)[0]).matches(bucket, {})


def check_bucket_policy(text: str, bucket: str) -> Policy:
    """The parsed policy, or S3's MalformedPolicy: a document the policy language refuses, an
    action of another service, or a resource outside this bucket."""
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        raise errors.MalformedPolicy(_s3_message(exc)) from exc
    for statement in policy.statements:
        for action in statement.actions + statement.not_actions:
            if action != "*" and action.split(":", 1)[0].lower() != "s3":
                raise errors.MalformedPolicy("Policy has invalid action")
        for resource in statement.resources + statement.not_resources:
            if not _in_bucket(resource, bucket):
                raise errors.MalformedPolicy("Policy has invalid resource")
    return policy


def is_public(text: str) -> bool:
    """S3's simplified rule: public when a statement allows everyone without any condition."""
    try:
        policy = parse_policy(text)
    except PolicyError:
        return False
    for statement in policy.statements:
        principal = statement.principal
        everyone = principal is not None and (principal.everyone or "*" in principal.aws)
        if statement.effect is Effect.ALLOW and everyone and not statement.conditions:
            return True
    return False

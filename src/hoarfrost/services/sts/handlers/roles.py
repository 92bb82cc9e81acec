"""Assuming roles: AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, AssumeRoot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoarfrost.core.accounts import root_arn
from hoarfrost.core.errors import ValidationError
from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.services.sts import limits, tokens
from hoarfrost.services.sts.errors import errors
from hoarfrost.services.sts.state import (
    SamlProviderArn,
    new_session,
    principal_account,
    stable_id,
)

if TYPE_CHECKING:
    pass
from hoarfrost.services.sts.handlers import ops
from hoarfrost.services.sts.handlers.common import (
    ROOT_TASK_POLICIES,
    WELL_KNOWN_OIDC,
    StsContext,
    assume_role_session,
    assumed_role_user,
    calling_session,
    check_mfa,
    check_role_chaining,
    invalid_arn,
    issue,
    role_arn,
    session_policy,
    source_identity,
    token_stats,
)


@ops.operation
def assume_role(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    role = role_arn(request["RoleArn"])
    caller = calling_session(ctx)
    check_mfa(request)
    check_role_chaining(caller, request)
    inherited = caller.transitive_tags() if caller is not None else {}
    tags = limits.session_tags(request.get("Tags"), request.get("TransitiveTagKeys"), inherited)
    policy_arns, packed = session_policy(request, tags)
    transitive = list(request.get("TransitiveTagKeys") or ())
    session = assume_role_session(
        ctx, "AssumeRole", role, request["RoleSessionName"], request, {**inherited, **tags},
        transitive_tag_keys=[*transitive, *inherited], policy_arns=policy_arns,
        external_id=request.get("ExternalId"),
        source_identity=source_identity(caller, request.get("SourceIdentity")),
    )
    output: dict[str, Any] = {
        "Credentials": session.credentials(),
        "AssumedRoleUser": assumed_role_user(session),
        **packed,
        **token_stats(session),
    }
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return output


@ops.operation
def assume_role_with_web_identity(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    role = role_arn(request["RoleArn"])
    token = request["WebIdentityToken"]
    provider_id = request.get("ProviderId")
    claims: dict[str, Any] = {}
    if provider_id:  # an OAuth 2.0 access token (Amazon, Facebook): opaque, so its hash is the subject
        subject, provider, audience = stable_id("", token)[:21], provider_id, None
    else:
        claims = tokens.jwt_claims(token, ctx.clock.now())
        subject, audience = str(claims["sub"]), tokens.first_audience(claims)
        host = tokens.issuer_host(str(claims["iss"]))
        provider = (host if host in WELL_KNOWN_OIDC
                    else build_arn("iam", "", role.account, f"oidc-provider/{host}", role.partition))
    aws_tags = claims.get("https://aws.amazon.com/tags")
    aws_tags = aws_tags if isinstance(aws_tags, dict) else {}
    claimed = aws_tags.get("principal_tags")
    principal_tags = {str(key): str(value[0] if isinstance(value, list) and value else value)
                      for key, value in (claimed.items() if isinstance(claimed, dict) else ())}
    if not isinstance(aws_tags.get("transitive_tag_keys", []), list):
        raise errors.InvalidIdentityTokenException("The 'transitive_tag_keys' claim must be a list")
    tags = limits.session_tags([{"Key": k, "Value": v} for k, v in principal_tags.items()],
                               aws_tags.get("transitive_tag_keys"))
    policy_arns, packed = session_policy(request, tags)
    session = assume_role_session(
        ctx, "AssumeRoleWithWebIdentity", role, request["RoleSessionName"], request, tags,
        transitive_tag_keys=list(aws_tags.get("transitive_tag_keys") or ()), policy_arns=policy_arns,
        subject=subject, provider=provider, audience=audience,
        source_identity=claims.get("https://aws.amazon.com/source_identity"),
    )
    output: dict[str, Any] = {
        "Credentials": session.credentials(),
        "SubjectFromWebIdentityToken": subject,
        "AssumedRoleUser": assumed_role_user(session),
        **packed,
        "Provider": provider,
        **token_stats(session),
    }
    if audience is not None:
        output["Audience"] = audience
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return output


@ops.operation
def assume_role_with_saml(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    role = role_arn(request["RoleArn"])
    provider = SamlProviderArn.parse(request["PrincipalArn"])
    if provider is None:
        raise invalid_arn(request["PrincipalArn"])
    assertion = tokens.parse_saml(request["SAMLAssertion"], ctx.clock.now())
    session_name = assertion.attribute("RoleSessionName")
    if not session_name:
        raise errors.InvalidIdentityTokenException("RoleSessionName is required in AuthnResponse")
    if not 2 <= len(session_name) <= 64 or not all(c.isalnum() or c in "_+=,.@-" for c in session_name):
        raise errors.InvalidIdentityTokenException(f"Invalid RoleSessionName in AuthnResponse: {session_name!r}")
    if not assertion.subject:
        raise errors.InvalidIdentityTokenException("Subject (NameID) is required in AuthnResponse")
    duration = request.get("DurationSeconds")
    if duration is None and (assertion.attribute("SessionDuration") or "").isdigit():
        duration = min(max(int(assertion.attribute("SessionDuration") or 0), 900), 43200)
    tags = limits.session_tags([{"Key": k, "Value": v} for k, v in assertion.principal_tags().items()],
                               assertion.transitive_tag_keys())
    policy_arns, packed = session_policy(request, tags)
    session = assume_role_session(
        ctx, "AssumeRoleWithSAML", role, session_name, {**request, "DurationSeconds": duration}, tags,
        transitive_tag_keys=assertion.transitive_tag_keys(), policy_arns=policy_arns,
        subject=assertion.subject, provider=assertion.issuer, audience=assertion.audience,
        source_identity=assertion.attribute("SourceIdentity"),
    )
    output: dict[str, Any] = {
        "Credentials": session.credentials(),
        "AssumedRoleUser": assumed_role_user(session),
        **packed,
        "Subject": assertion.subject,
        "SubjectType": assertion.subject_type,
        "Issuer": assertion.issuer,
        "Audience": assertion.audience,
        "NameQualifier": assertion.name_qualifier(provider.account, provider.name),
        **token_stats(session),
    }
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return {key: value for key, value in output.items() if value is not None}


_ROOT_TASK_FOLDER = "policy/root-task/"


def _is_root_task_policy(text: str) -> bool:
    """``arn:<partition>:iam::aws:policy/root-task/<name>``, one of the AWS managed root-task policies."""
    policy = try_parse_arn(text)
    return (policy is not None and (policy.service, policy.region, policy.account) == ("iam", "", "aws")
            and policy.resource.startswith(_ROOT_TASK_FOLDER)
            and policy.resource[len(_ROOT_TASK_FOLDER):] in ROOT_TASK_POLICIES)


@ops.operation
def assume_root(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    target = request["TargetPrincipal"]
    account = target if target.isdigit() and len(target) == 12 else principal_account(target)
    if account is None:
        raise ValidationError(f"TargetPrincipal {target!r} is not an account ID or an account principal ARN")
    task_policy = (request.get("TaskPolicyArn") or {}).get("arn") or ""
    if not _is_root_task_policy(task_policy):
        raise ValidationError(f"TaskPolicyArn {task_policy!r} is not one of the root-task policies: "
                              f"{', '.join(sorted(ROOT_TASK_POLICIES))}")
    caller = calling_session(ctx)
    session = issue(ctx, new_session(
        now=ctx.clock.now(),
        operation="AssumeRoot", duration=request.get("DurationSeconds", 900), account=account,
        arn=root_arn(account, ctx.region), user_id=account, policy_arns=[task_policy],
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
        source_identity=caller.source_identity if caller is not None else None,
    ))
    output: dict[str, Any] = {"Credentials": session.credentials(), **token_stats(session)}
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return output

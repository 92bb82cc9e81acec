"""Temporary credentials and tokens for the caller: GetSessionToken, GetFederationToken,
GetScopedCredentials, GetDelegatedAccessToken, GetWebIdentityToken."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from hoarfrost.core.errors import ValidationError
from hoarfrost.core.kit.arn import build_arn, partition_for
from hoarfrost.services.sts import limits, tokens
from hoarfrost.services.sts.errors import errors
from hoarfrost.services.sts.state import (
    RoleArn,
    new_session,
    principal_account,
    stable_id,
)

if TYPE_CHECKING:
    pass
from hoarfrost.services.sts.handlers import ops
from hoarfrost.services.sts.handlers.common import (
    MAX_SCOPED_POLICIES,
    StsContext,
    caller_identity,
    calling_session,
    check_mfa,
    issue,
    session_policy,
    token_stats,
)


@ops.operation(mutates=True)
def get_delegated_access_token(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    """Trade-in tokens come from ``tokens.trade_in_token(principal_arn, expires_at)`` (see there)."""
    document = tokens.decode_document(request["TradeInToken"]) or {}
    principal = document.get("principal")
    account = principal_account(principal) if isinstance(principal, str) else None
    expires = document.get("exp")
    if not isinstance(principal, str) or account is None or not isinstance(expires, (int, float)):
        raise ValidationError("The trade-in token is not valid")
    if expires <= ctx.clock.time():
        raise errors.ExpiredTradeInTokenException("The trade-in token has expired")
    role = RoleArn.parse(principal)
    if role is not None:
        arn, user_id = role.assumed_role_arn("delegated-access"), f"{ctx.state.role_id(role.arn)}:delegated-access"
    else:
        arn, user_id = principal, stable_id("AIDA", principal)
    session = issue(ctx, new_session(
        now=ctx.clock.now(),
        operation="GetDelegatedAccessToken", duration=max(1, int(expires - ctx.clock.time())), account=account,
        arn=arn, user_id=user_id, role_arn=role.arn if role is not None else None,
    ))
    return {"Credentials": session.credentials(), "AssumedPrincipal": principal}


@ops.operation(mutates=True)
def get_federation_token(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    if calling_session(ctx) is not None:
        raise errors.AccessDenied("Cannot call GetFederationToken with session credentials")
    name = request["Name"]
    tags = limits.session_tags(request.get("Tags"), None)
    policy_arns, packed = session_policy(request, tags)
    account = ctx.account
    session = issue(ctx, new_session(
        now=ctx.clock.now(),
        operation="GetFederationToken", duration=request.get("DurationSeconds") or 43200, account=account,
        arn=build_arn("sts", "", account, f"federated-user/{name}", partition_for(ctx.region)),
        user_id=f"{account}:{name}",
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
        role_session_name=name, tags=tags, policy=request.get("Policy"), policy_arns=policy_arns,
    ))
    return {
        "Credentials": session.credentials(),
        "FederatedUser": {"FederatedUserId": session.user_id, "Arn": session.arn},
        **packed,
        **token_stats(session),
    }


@ops.operation(mutates=True)
def get_scoped_credentials(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    caller = calling_session(ctx)
    if caller is None:
        raise errors.InvalidSubjectCredentialsException(
            "GetScopedCredentials must be called with temporary security credentials")
    policy, duration = request.get("Policy"), request.get("DurationSeconds")
    if policy is None and duration is None:
        raise ValidationError("At least one of Policy or DurationSeconds must be specified")
    limits.parse_policy(policy)
    if policy is not None and caller.scoped_policies >= MAX_SCOPED_POLICIES:
        raise errors.AccessDenied(f"The calling session already has {MAX_SCOPED_POLICIES} scope-down policies")
    remaining = int(caller.expires_at - ctx.clock.time())
    if duration is not None and duration > remaining:
        raise errors.InsufficientSessionLifetimeException(
            f"The requested DurationSeconds ({duration}) exceeds the remaining lifetime of the calling session "
            f"({remaining} seconds)"
        )
    session = issue(ctx, new_session(
        now=ctx.clock.now(),
        operation="GetScopedCredentials", duration=duration or remaining, account=caller.account, arn=caller.arn,
        user_id=caller.user_id, minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
        role_arn=caller.role_arn, role_session_name=caller.role_session_name,
        source_identity=caller.source_identity, tags=dict(caller.tags),
        transitive_tag_keys=list(caller.transitive_tag_keys), policy=policy or caller.policy,
        policy_arns=list(caller.policy_arns), scoped_policies=caller.scoped_policies + (policy is not None),
    ))
    output: dict[str, Any] = {
        "Credentials": session.credentials(),
        "SessionInfo": {"ScopedSessionId": session.user_id, "Arn": session.arn},
        "ScopedPoliciesCount": session.scoped_policies,
        **token_stats(session),
    }
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return output


@ops.operation(mutates=True)
def get_session_token(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    """The new credentials stand for the caller itself (root or user), in the caller's account."""
    if calling_session(ctx) is not None:
        raise errors.AccessDenied("Cannot call GetSessionToken with session credentials")
    check_mfa(request)
    identity = caller_identity(ctx)
    session = issue(ctx, new_session(
        now=ctx.clock.now(),
        operation="GetSessionToken", duration=request.get("DurationSeconds") or 43200, account=identity.account,
        arn=identity.arn, user_id=identity.user_id,
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
    ))
    return {"Credentials": session.credentials(), **token_stats(session)}


@ops.operation
def get_web_identity_token(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    """A JWT for the caller, signed with this emulator's key (``StsService.jwks()`` verifies it)."""
    algorithm = request["SigningAlgorithm"]
    if algorithm not in ("RS256", "ES384"):
        raise ValidationError(f"1 validation error detected: Value '{algorithm}' at 'signingAlgorithm' failed to "
                              "satisfy constraint: Member must satisfy enum value set: [RS256, ES384]")
    if request.get("SubjectMode") == "OriginIdentity":
        raise ValidationError("SubjectMode OriginIdentity requires a trusted identity propagation context on the "
                              "calling session")
    if request.get("Scope") is not None:
        raise ValidationError("Scope can be specified only when SubjectMode is OriginIdentity")
    caller = calling_session(ctx)
    identity = caller_identity(ctx)
    now = int(ctx.clock.time())
    expires = now + (request.get("DurationSeconds") or 300)
    if caller is not None and expires > caller.expires_at:
        raise errors.SessionDurationEscalationException("The token would outlive the calling session's credentials")
    audience = request["Audience"]
    aws_claims: dict[str, Any] = {"aws_account": identity.account, "source_region": ctx.region,
                                  "principal_id": caller.role_arn if caller and caller.role_arn else identity.arn}
    tags = limits.session_tags(request.get("Tags"), None)
    if tags:
        aws_claims["request_tags"] = tags
    claims = {
        "iss": f"https://{stable_id('', identity.account).lower()}.tokens.sts.global.api.aws",
        "sub": identity.arn,
        "aud": audience[0] if len(audience) == 1 else audience,
        "iat": now, "nbf": now, "exp": expires,
        "jti": stable_id("", f"{identity.arn}/{now}/{time.perf_counter_ns()}").lower(),
        "https://sts.amazonaws.com/": aws_claims,
    }
    service = ctx.service
    return {"WebIdentityToken": service.signer.sign(claims, algorithm),
            "Expiration": dt.datetime.fromtimestamp(expires, dt.UTC)}

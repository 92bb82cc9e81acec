"""STS operations, one function each, named after the operation.

Lengths, ranges and patterns the model declares (DurationSeconds 900..43200 for AssumeRole,
RoleSessionName ``[\\w+=,.@-]*`` of 2..64, ...) are checked by the generic validator before a
handler runs; handlers check what the model cannot say (ARN shapes, policy JSON, packed size,
tag rules, role chaining) and then issue credentials.

Issued credentials live in the caller's scope (the account and region of the request that
issued them); their *principal* may be in another account (the role's). A request signed with
an issued key is attributed to that principal's account by every service. Expired keys: STS
operations signed with one answer ``ExpiredToken``; other services still attribute them to
their account (hoarfrost does not enforce authentication).

Not modelled (no IAM behind STS yet): role existence and trust policies, a role's
MaxSessionDuration (any 900..43200 is accepted), and the root-user restrictions (root may not
call AssumeRole or AssumeRoot on AWS; hoarfrost's default caller *is* the account root, so
refusing would make the default useless).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import TYPE_CHECKING, Any

from hoarfrost.core.accounts import Identity, root_arn
from hoarfrost.core.kit.arn import build_arn, partition_for, try_parse_arn
from hoarfrost.core.operations import OperationRegistry, RequestContext
from hoarfrost.services.sts import limits, tokens
from hoarfrost.services.sts.errors import (
    AccessDenied,
    ExpiredToken,
    ExpiredTradeInToken,
    InsufficientSessionLifetime,
    InvalidAuthorizationMessage,
    InvalidClientTokenId,
    InvalidIdentityToken,
    InvalidSubjectCredentials,
    SessionDurationEscalation,
    ValidationError,
)
from hoarfrost.services.sts.state import (
    MAX_SESSION_TOKEN_SIZE,
    RoleArn,
    SamlProviderArn,
    Session,
    new_session,
    principal_account,
    stable_id,
)

if TYPE_CHECKING:
    from hoarfrost.services.sts.service import StsService

ops = OperationRegistry("sts")

ROLE_CHAINING_LIMIT = 3600
MAX_SCOPED_POLICIES = 3
ROOT_TASK_POLICIES = frozenset({
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy",
})
_ROOT_TASK_FOLDER = "policy/root-task/"
WELL_KNOWN_OIDC = frozenset({"accounts.google.com", "graph.facebook.com", "www.amazon.com",
                             "cognito-identity.amazonaws.com"})


# -- shared steps ------------------------------------------------------------------------------
def calling_session(ctx: RequestContext) -> Session | None:
    """The issued session that signed this request, if any. Like STS, a temporary key needs its
    own session token (``InvalidClientTokenId`` otherwise) and must not have expired
    (``ExpiredToken``)."""
    service: StsService = ctx.service  # type: ignore[assignment]
    session = service.session_for(ctx.access_key)
    if session is not None:
        token = ctx.request.headers.get("x-amz-security-token") or ctx.request.query_param("X-Amz-Security-Token")
        if token != session.session_token:
            raise InvalidClientTokenId("The security token included in the request is invalid.")
        if session.expired():
            raise ExpiredToken()
    return session


def caller_identity(ctx: RequestContext) -> Identity:
    """Who signed the request: an STS session, a key another issuer knows (IAM users), else the
    root of the request's account (already resolved by the pipeline, so not looked up again)."""
    session = calling_session(ctx)
    if session is not None:
        return session.identity
    identity = ctx.emulator.accounts.issued_identity(ctx.access_key)
    if identity is not None:
        return identity
    service: StsService = ctx.service  # type: ignore[assignment]
    return service.root_identity(ctx.account, ctx.region)


def role_arn(arn: str) -> RoleArn:
    role = RoleArn.parse(arn)
    if role is None:
        raise ValidationError("Request ARN is invalid")
    return role


def check_mfa(request: dict[str, Any]) -> None:
    if bool(request.get("SerialNumber")) != bool(request.get("TokenCode")):
        raise AccessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time "
                           "pass code.")


def check_role_chaining(caller: Session | None, request: dict[str, Any]) -> None:
    duration = request.get("DurationSeconds")
    if caller is not None and caller.role_arn and duration is not None and duration > ROLE_CHAINING_LIMIT:
        raise ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
                              "role chaining.")


def source_identity(caller: Session | None, requested: str | None) -> str | None:
    """Once set, a source identity follows every chained session and cannot change."""
    inherited = caller.source_identity if caller is not None else None
    if inherited is not None and requested is not None and requested != inherited:
        raise AccessDenied(f"Cannot set SourceIdentity {requested!r}: the calling session's source identity is "
                           f"{inherited!r} and cannot be changed")
    return requested if requested is not None else inherited


def session_policy(request: dict[str, Any], tags: dict[str, str]) -> tuple[list[str], int]:
    """Validate the session policy, policy ARNs and tags together: (policy ARNs, PackedPolicySize)."""
    document = limits.parse_policy(request.get("Policy"))
    arns = limits.policy_arn_list(request.get("PolicyArns"))
    return arns, limits.packed_policy_size(document, arns, tags)


def issue(ctx: RequestContext, session: Session) -> Session:
    service: StsService = ctx.service  # type: ignore[assignment]
    service.record(ctx.account, ctx.region, ctx.state, session)
    return session


def token_stats(session: Session) -> dict[str, int]:
    size = len(session.session_token)
    return {"SessionTokenSize": size,
            "SessionTokenUtilization": min(100, -(-100 * size // MAX_SESSION_TOKEN_SIZE))}


def assume_role_session(ctx: RequestContext, operation: str, role: RoleArn, session_name: str,
                        request: dict[str, Any], tags: dict[str, str], **attributes: Any) -> Session:
    """Credentials for ``assumed-role/<role name>/<session name>`` in the role's account."""
    role_id = ctx.state.role_id(role.arn)
    return issue(ctx, new_session(
        operation=operation, duration=request.get("DurationSeconds") or 3600, account=role.account,
        arn=role.assumed_role_arn(session_name), user_id=f"{role_id}:{session_name}",
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
        role_arn=role.arn, role_session_name=session_name, tags=tags, policy=request.get("Policy"),
        **attributes,
    ))


def assumed_role_user(session: Session) -> dict[str, str]:
    return {"AssumedRoleId": session.user_id, "Arn": session.arn}


# -- operations ----------------------------------------------------------------------------------
@ops.operation
def assume_role(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    role = role_arn(request["RoleArn"])
    caller = calling_session(ctx)
    check_mfa(request)
    check_role_chaining(caller, request)
    inherited = caller.transitive_tags() if caller is not None else {}
    tags = limits.session_tags(request.get("Tags"), request.get("TransitiveTagKeys"), inherited)
    policy_arns, packed_size = session_policy(request, tags)
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
        "PackedPolicySize": packed_size,
        **token_stats(session),
    }
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return output


@ops.operation
def assume_role_with_web_identity(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    role = role_arn(request["RoleArn"])
    token = request["WebIdentityToken"]
    provider_id = request.get("ProviderId")
    claims: dict[str, Any] = {}
    if provider_id:  # an OAuth 2.0 access token (Amazon, Facebook): opaque, so its hash is the subject
        subject, provider, audience = stable_id("", token)[:21], provider_id, None
    else:
        claims = tokens.jwt_claims(token)
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
        raise InvalidIdentityToken("The 'transitive_tag_keys' claim must be a list")
    tags = limits.session_tags([{"Key": k, "Value": v} for k, v in principal_tags.items()],
                               aws_tags.get("transitive_tag_keys"))
    policy_arns, packed_size = session_policy(request, tags)
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
        "PackedPolicySize": packed_size,
        "Provider": provider,
        **token_stats(session),
    }
    if audience is not None:
        output["Audience"] = audience
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return output


@ops.operation
def assume_role_with_saml(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    role = role_arn(request["RoleArn"])
    provider = SamlProviderArn.parse(request["PrincipalArn"])
    if provider is None:
        raise ValidationError("Request ARN is invalid")
    assertion = tokens.parse_saml(request["SAMLAssertion"])
    session_name = assertion.attribute("RoleSessionName")
    if not session_name:
        raise InvalidIdentityToken("RoleSessionName is required in AuthnResponse")
    if not 2 <= len(session_name) <= 64 or not all(c.isalnum() or c in "_+=,.@-" for c in session_name):
        raise InvalidIdentityToken(f"Invalid RoleSessionName in AuthnResponse: {session_name!r}")
    if not assertion.subject:
        raise InvalidIdentityToken("Subject (NameID) is required in AuthnResponse")
    duration = request.get("DurationSeconds")
    if duration is None and (assertion.attribute("SessionDuration") or "").isdigit():
        duration = min(max(int(assertion.attribute("SessionDuration") or 0), 900), 43200)
    tags = limits.session_tags([{"Key": k, "Value": v} for k, v in assertion.principal_tags().items()],
                               assertion.transitive_tag_keys())
    policy_arns, packed_size = session_policy(request, tags)
    session = assume_role_session(
        ctx, "AssumeRoleWithSAML", role, session_name, {**request, "DurationSeconds": duration}, tags,
        transitive_tag_keys=assertion.transitive_tag_keys(), policy_arns=policy_arns,
        subject=assertion.subject, provider=assertion.issuer, audience=assertion.audience,
        source_identity=assertion.attribute("SourceIdentity"),
    )
    output: dict[str, Any] = {
        "Credentials": session.credentials(),
        "AssumedRoleUser": assumed_role_user(session),
        "PackedPolicySize": packed_size,
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


def _is_root_task_policy(text: str) -> bool:
    """``arn:<partition>:iam::aws:policy/root-task/<name>``, one of the AWS managed root-task policies."""
    policy = try_parse_arn(text)
    return (policy is not None and (policy.service, policy.region, policy.account) == ("iam", "", "aws")
            and policy.resource.startswith(_ROOT_TASK_FOLDER)
            and policy.resource[len(_ROOT_TASK_FOLDER):] in ROOT_TASK_POLICIES)


@ops.operation
def assume_root(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
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
        operation="AssumeRoot", duration=request.get("DurationSeconds", 900), account=account,
        arn=root_arn(account, ctx.region), user_id=account, policy_arns=[task_policy],
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
        source_identity=caller.source_identity if caller is not None else None,
    ))
    output: dict[str, Any] = {"Credentials": session.credentials(), **token_stats(session)}
    if session.source_identity is not None:
        output["SourceIdentity"] = session.source_identity
    return output


@ops.operation(mutates=False)
def decode_authorization_message(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """hoarfrost's encoded messages are base64url JSON (``tokens.encode_document``); AWS's own
    are encrypted and cannot be decoded outside AWS."""
    calling_session(ctx)
    document = tokens.decode_document(request["EncodedMessage"])
    if document is None:
        raise InvalidAuthorizationMessage("The encoded authorization message is invalid or was not issued by "
                                          "this emulator")
    return {"DecodedMessage": json.dumps(document)}


@ops.operation
def get_access_key_info(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    calling_session(ctx)
    return {"Account": ctx.emulator.accounts.account_for(request["AccessKeyId"])}


@ops.operation
def get_caller_identity(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    identity = caller_identity(ctx)
    return {"UserId": identity.user_id, "Account": identity.account, "Arn": identity.arn}


@ops.operation(mutates=True)
def get_delegated_access_token(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """Trade-in tokens come from ``tokens.trade_in_token(principal_arn)`` (see there)."""
    document = tokens.decode_document(request["TradeInToken"]) or {}
    principal = document.get("principal")
    account = principal_account(principal) if isinstance(principal, str) else None
    expires = document.get("exp")
    if account is None or not isinstance(expires, (int, float)):
        raise ValidationError("The trade-in token is not valid")
    if expires <= time.time():
        raise ExpiredTradeInToken("The trade-in token has expired")
    role = RoleArn.parse(principal)
    if role is not None:
        arn, user_id = role.assumed_role_arn("delegated-access"), f"{ctx.state.role_id(role.arn)}:delegated-access"
    else:
        arn, user_id = principal, stable_id("AIDA", principal)
    session = issue(ctx, new_session(
        operation="GetDelegatedAccessToken", duration=max(1, int(expires - time.time())), account=account,
        arn=arn, user_id=user_id, role_arn=role.arn if role is not None else None,
    ))
    return {"Credentials": session.credentials(), "AssumedPrincipal": principal}


@ops.operation(mutates=True)
def get_federation_token(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    if calling_session(ctx) is not None:
        raise AccessDenied("Cannot call GetFederationToken with session credentials")
    name = request["Name"]
    tags = limits.session_tags(request.get("Tags"), None)
    policy_arns, packed_size = session_policy(request, tags)
    account = ctx.account
    session = issue(ctx, new_session(
        operation="GetFederationToken", duration=request.get("DurationSeconds") or 43200, account=account,
        arn=build_arn("sts", "", account, f"federated-user/{name}", partition_for(ctx.region)),
        user_id=f"{account}:{name}",
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
        role_session_name=name, tags=tags, policy=request.get("Policy"), policy_arns=policy_arns,
    ))
    return {
        "Credentials": session.credentials(),
        "FederatedUser": {"FederatedUserId": session.user_id, "Arn": session.arn},
        "PackedPolicySize": packed_size,
        **token_stats(session),
    }


@ops.operation(mutates=True)
def get_scoped_credentials(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    caller = calling_session(ctx)
    if caller is None:
        raise InvalidSubjectCredentials("GetScopedCredentials must be called with temporary security credentials")
    policy, duration = request.get("Policy"), request.get("DurationSeconds")
    if policy is None and duration is None:
        raise ValidationError("At least one of Policy or DurationSeconds must be specified")
    limits.parse_policy(policy)
    if policy is not None and caller.scoped_policies >= MAX_SCOPED_POLICIES:
        raise AccessDenied(f"The calling session already has {MAX_SCOPED_POLICIES} scope-down policies")
    remaining = int(caller.expires_at - time.time())
    if duration is not None and duration > remaining:
        raise InsufficientSessionLifetime(
            f"The requested DurationSeconds ({duration}) exceeds the remaining lifetime of the calling session "
            f"({remaining} seconds)"
        )
    session = issue(ctx, new_session(
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
def get_session_token(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """The new credentials stand for the caller itself (root or user), in the caller's account."""
    if calling_session(ctx) is not None:
        raise AccessDenied("Cannot call GetSessionToken with session credentials")
    check_mfa(request)
    identity = caller_identity(ctx)
    session = issue(ctx, new_session(
        operation="GetSessionToken", duration=request.get("DurationSeconds") or 43200, account=identity.account,
        arn=identity.arn, user_id=identity.user_id,
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
    ))
    return {"Credentials": session.credentials(), **token_stats(session)}


@ops.operation
def get_web_identity_token(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
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
    now = int(time.time())
    expires = now + (request.get("DurationSeconds") or 300)
    if caller is not None and expires > caller.expires_at:
        raise SessionDurationEscalation("The token would outlive the calling session's credentials")
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
    service: StsService = ctx.service  # type: ignore[assignment]
    return {"WebIdentityToken": service.signer.sign(claims, algorithm),
            "Expiration": dt.datetime.fromtimestamp(expires, dt.timezone.utc)}

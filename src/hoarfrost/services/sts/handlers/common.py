"""What STS's handlers share: who is calling, role ARNs, session checks and issuing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoarfrost.core.accounts import Identity
from hoarfrost.core.errors import ValidationError
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.policies import (
    Decision,
    PolicyError,
    PolicyKind,
    Requester,
    access_request,
    parse_policy,
)
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.sts import limits
from hoarfrost.services.sts.errors import errors
from hoarfrost.services.sts.state import (
    MAX_SESSION_TOKEN_SIZE,
    RoleArn,
    Session,
    StsBackend,
    new_session,
)

if TYPE_CHECKING:
    from hoarfrost.services.sts.service import StsService  # noqa: F401  (named in StsContext)


# Handlers see STS's own backend and service, so they need no casts.
StsContext = RequestContext[StsBackend, "StsService"]


ROLE_CHAINING_LIMIT = 3600
MAX_SCOPED_POLICIES = 3
ROOT_TASK_POLICIES = frozenset({
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy",
})
WELL_KNOWN_OIDC = frozenset({"accounts.google.com", "graph.facebook.com", "www.amazon.com",
                             "cognito-identity.amazonaws.com"})


# -- shared steps ------------------------------------------------------------------------------
def calling_session(ctx: StsContext) -> Session | None:
    """The issued session that signed this request, if any. Like STS, a temporary key needs its
    own session token (``InvalidClientTokenId`` otherwise) and must not have expired
    (``ExpiredToken``)."""
    service = ctx.service
    session = service.session_for(ctx.access_key)
    if session is not None:
        token = ctx.request.headers.get("x-amz-security-token") or ctx.request.query_param("X-Amz-Security-Token")
        if token != session.session_token:
            raise errors.InvalidClientTokenId("The security token included in the request is invalid.")
        if session.expired(ctx.clock.time()):
            raise errors.ExpiredToken()
    return session


def caller_identity(ctx: StsContext) -> Identity:
    """Who signed the request: an STS session, a key another issuer knows (IAM users), else the
    root of the request's account (already resolved by the pipeline, so not looked up again)."""
    session = calling_session(ctx)
    if session is not None:
        return session.identity
    identity = ctx.emulator.accounts.issued_identity(ctx.access_key)
    if identity is not None:
        return identity
    service = ctx.service
    return service.root_identity(ctx.account, ctx.region)


def invalid_arn(arn: str) -> ValidationError:
    """STS's answer for an ARN it cannot use: ``<arn> is invalid`` when the text is not an ARN
    at all, ``Request ARN is invalid`` when it is an ARN of the wrong kind."""
    if try_parse_arn(arn) is None:
        return ValidationError(f"{arn} is invalid")
    return ValidationError("Request ARN is invalid")


def role_arn(arn: str) -> RoleArn:
    role = RoleArn.parse(arn)
    if role is None:
        raise invalid_arn(arn)
    return role


def check_mfa(request: dict[str, Any]) -> None:
    if bool(request.get("SerialNumber")) != bool(request.get("TokenCode")):
        raise errors.AccessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time "
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
        raise ValidationError("The source identity is already set for this assume role session")
    return requested if requested is not None else inherited


def session_policy(request: dict[str, Any], tags: dict[str, str]) -> tuple[list[str], dict[str, int]]:
    """Validate the session policy, policy ARNs and tags together: (policy ARNs, the
    ``PackedPolicySize`` member), the member only when a policy or tags were passed, as STS
    answers it."""
    document = limits.parse_policy(request.get("Policy"))
    arns = limits.policy_arn_list(request.get("PolicyArns"))
    size = limits.packed_policy_size(document, arns, tags)
    return arns, ({"PackedPolicySize": size} if document is not None or arns or tags else {})


def issue(ctx: StsContext, session: Session) -> Session:
    service = ctx.service
    service.record(ctx.account, ctx.region, ctx.state, session)
    return session


def token_stats(session: Session) -> dict[str, int]:
    size = len(session.session_token)
    return {"SessionTokenSize": size,
            "SessionTokenUtilization": min(100, -(-100 * size // MAX_SESSION_TOKEN_SIZE))}


def assume_role_session(ctx: StsContext, operation: str, role: RoleArn, session_name: str,
                        request: dict[str, Any], tags: dict[str, str], **attributes: Any) -> Session:
    """Credentials for ``assumed-role/<role name>/<session name>`` in the role's account.

    When IAM holds roles for that account (the ``RoleDirectory`` port), the role must be one of
    them: its id names the session, its MaxSessionDuration bounds DurationSeconds, and IAM
    records the use (RoleLastUsed). Otherwise any role ARN is accepted with a stable id."""
    role_id = ctx.state.role_id(role.arn)
    directory = ctx.emulator.accounts.roles
    enforce = ctx.emulator.settings.enforce_iam
    if enforce or (directory is not None and directory.has_roles(role.account)):
        known = directory.role(role.arn) if directory is not None else None
        requester, context = trust_requester(ctx, operation, request, attributes)
        if known is None or (enforce and not trusts(known.trust_policy, requester, f"sts:{operation}", role.arn,
                                                    context)):
            if operation == "AssumeRole":
                raise errors.AccessDenied(f"User: {requester.arn} is not authorized to perform: sts:{operation} on "
                                          f"resource: {role.arn}")
            raise errors.AccessDenied(f"Not authorized to perform sts:{operation}")
        duration = request.get("DurationSeconds")
        if duration is not None and duration > known.max_session_duration:
            raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        role_id = known.role_id
        region, used = ctx.region, directory.role_used if directory is not None else None
        if used is not None:
            ctx.after_commit(lambda: used(role.arn, region))
    return issue(ctx, new_session(
        now=ctx.clock.now(),
        operation=operation, duration=request.get("DurationSeconds") or 3600, account=role.account,
        arn=role.assumed_role_arn(session_name), user_id=f"{role_id}:{session_name}",
        minimum_token_size=request.get("MinimumSessionTokenSize") or 0,
        role_arn=role.arn, role_session_name=session_name, tags=tags, policy=request.get("Policy"),
        **attributes,
    ))


def trust_requester(ctx: StsContext, operation: str, request: dict[str, Any],
                    attributes: dict[str, Any]) -> tuple[Requester, dict[str, Any]]:
    """Who asks to assume the role, as its trust policy sees them, and the condition keys AWS
    sets for that kind of caller (the token's ``<issuer>:aud`` / ``:sub``, ``SAML:aud``...)."""
    if operation == "AssumeRoleWithWebIdentity":
        provider = str(attributes.get("provider") or "")
        host = provider.split("oidc-provider/", 1)[-1]
        context = {f"{host}:sub": attributes.get("subject") or "", f"{host}:aud": attributes.get("audience") or "",
                   "sts:RoleSessionName": request.get("RoleSessionName") or ""}
        return Requester(federated=provider), context
    if operation == "AssumeRoleWithSAML":
        context = {"SAML:aud": attributes.get("audience") or "", "SAML:sub": attributes.get("subject") or "",
                   "SAML:iss": attributes.get("provider") or ""}
        return Requester(federated=request.get("PrincipalArn")), context
    caller = caller_identity(ctx)
    return Requester(account=caller.account, arn=caller.arn), {"sts:RoleSessionName": request.get("RoleSessionName")
                                                               or "", "sts:ExternalId": request.get("ExternalId")
                                                               or ()}


def trusts(trust_policy: str, requester: Requester, action: str, role_arn: str, context: dict[str, Any]) -> bool:
    """Whether the role's trust policy lets ``requester`` assume it (enforcement only)."""
    try:
        policy = parse_policy(trust_policy, PolicyKind.TRUST)
    except PolicyError:
        return False
    return policy.evaluate(access_request(requester, action, role_arn, context)) is Decision.ALLOW


def assumed_role_user(session: Session) -> dict[str, str]:
    return {"AssumedRoleId": session.user_id, "Arn": session.arn}


# -- operations ----------------------------------------------------------------------------------

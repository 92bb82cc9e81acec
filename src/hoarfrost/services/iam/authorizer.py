"""IAM's answer to the pipeline's enforcement question (``core.authorization.Authorizer``):
may this IAM user or assumed role perform this action on this resource?

Read without the account's lock (a request of another service must not wait for IAM's): the
look-ups are dictionary reads of records that handlers replace whole or mutate in place. What a
caller's requests share (its principal, parsed policies sorted by action, session policies and
the condition keys it implies) is kept per caller and rebuilt when the account's IAM revision
moves (every mutating IAM handler and merge bumps it) or its backend is replaced, so a request
costs the evaluation of the few statements about its action, and no parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hoarfrost.core.accounts import Identity
from hoarfrost.core.kit.arn import global_region, try_parse_arn
from hoarfrost.core.kit.policies import (
    AccessRequest,
    PolicyError,
    PolicyKind,
    Requester,
    access_request,
    parse_policy,
)
from hoarfrost.core.kit.policy_language import normalise_context
from hoarfrost.services.iam.evaluation import Source, evaluate, managed_source, principal_sources
from hoarfrost.services.iam.state import IamBackend, Role, User, folded

if TYPE_CHECKING:
    from hoarfrost.services.iam.service import IamService


# An empty policy: what a session's scope-down policies amount to when none of them resolves.
_NOTHING = parse_policy('{"Version": "2012-10-17", "Statement": []}', PolicyKind.IDENTITY, statements_required=False)


class PrincipalPolicies:
    """One principal's parsed policies, and per action only the statements that concern it
    (most requests of a workload repeat a few actions, so evaluation checks a statement or two
    instead of every statement of every policy)."""

    __slots__ = ("identity", "boundary", "tags", "_by_action")

    def __init__(self, identity: list[Source], boundary: list[Source], tags: dict[str, str]) -> None:
        self.identity, self.boundary, self.tags = identity, boundary, tags
        self._by_action: dict[str, tuple[list[Source], list[Source]]] = {}

    def for_action(self, action: str) -> tuple[list[Source], list[Source]]:
        found = self._by_action.get(action)
        if found is None:
            found = self._by_action[action] = (_concerning(self.identity, action), _concerning(self.boundary, action))
        return found


def _concerning(sources: list[Source], action: str) -> list[Source]:
    """``sources`` with only their statements about ``action``; a policy left without any is
    kept (empty), so a permissions boundary that says nothing about the action still bounds."""
    return [Source(source.id, source.type,
                   replace(source.policy, statements=tuple(s for s in source.policy.statements if s.concerns(action))))
            for source in sources]


class _Caller:
    """What the authorizer keeps per caller (an ``Identity``: a user's key, a role session with
    its session policies) while the account's IAM does not change: the principal, its policies,
    its session policies and the condition keys it implies, already normalised."""

    __slots__ = ("backend", "revision", "principal", "policies", "session", "requester", "keys")

    def __init__(self, backend: IamBackend, revision: int, principal: User | Role, policies: PrincipalPolicies,
                 session: list[Source], requester: Requester, keys: Mapping[str, tuple[str, ...]]) -> None:
        self.backend, self.revision, self.principal = backend, revision, principal
        self.policies, self.session, self.requester, self.keys = policies, session, requester, keys


# Callers remembered at most; past it the memory starts over (role sessions come and go).
MAX_CALLERS = 4096


class IamAuthorizer:
    def __init__(self, service: IamService) -> None:
        self._service = service
        self._callers: dict[Identity, _Caller] = {}
        self._global_regions: dict[str, str] = {}

    def _backend(self, identity: Identity, region: str) -> IamBackend | None:
        where = self._global_regions.get(region)
        if where is None:
            where = self._global_regions[region] = global_region("iam", region)
        scope = self._service.backends.existing(identity.account, where)
        return scope.backend if scope is not None else None

    def _caller(self, identity: Identity, region: str) -> _Caller | None:
        """The caller's cached facts, rebuilt when the account's IAM changed (a handler bumped
        its revision) or its backend was replaced (restore, reset); None for a caller IAM does
        not know (no such user or role)."""
        backend = self._backend(identity, region)
        if backend is None:
            return None
        cached = self._callers.get(identity)
        if cached is not None and cached.backend is backend and cached.revision == backend.revision:
            return cached
        revision = backend.revision  # read first: a change made while this entry is built outdates it
        principal = self._principal(backend, identity)
        if principal is None:
            return None
        policies = self._policies(backend, principal)
        requester = Requester(account=identity.account, arn=identity.arn)
        keys = access_request(requester, "", "*", policies.tags).context
        if len(self._callers) >= MAX_CALLERS:
            self._callers.clear()
        found = self._callers[identity] = _Caller(backend, revision, principal, policies,
                                                  self._session_policies(backend, identity), requester, keys)
        return found

    @staticmethod
    def _principal(backend: IamBackend, identity: Identity) -> User | Role | None:
        arn = try_parse_arn(identity.arn)
        if arn is None:
            return None
        if arn.service == "iam" and arn.resource_type == "user":
            return backend.users.get(folded(arn.resource_id.rsplit("/", 1)[-1]))
        if arn.service == "sts" and arn.resource_type == "assumed-role":
            return backend.roles.get(folded(arn.resource_id.split("/", 1)[0]))
        return None

    @staticmethod
    def _policies(backend: IamBackend, principal: User | Role) -> PrincipalPolicies:
        """The principal's parsed policies and tag keys, cached until the account's IAM changes."""
        key = ("user", principal.user_name) if isinstance(principal, User) else ("role", principal.role_name)
        cached = backend.authorization_cache.get(key)
        if cached is not None and cached[0] == backend.revision:
            return cached[1]  # type: ignore[return-value]
        revision = backend.revision
        identity_policies, boundary = principal_sources(backend, principal)
        tags = {f"aws:PrincipalTag/{name}": value for name, value in principal.tags.items()}
        found = PrincipalPolicies(identity_policies, boundary, tags)
        backend.authorization_cache[key] = (revision, found)
        return found

    @staticmethod
    def _entity_arn(backend: IamBackend, resource: str) -> str:
        """An IAM entity named by the request without its path, as its full ARN (path included),
        which is what policies match."""
        if ":iam::" not in resource:
            return resource
        arn = try_parse_arn(resource)
        if arn is None or arn.service != "iam" or arn.account != backend.account:
            return resource
        name = arn.resource_id.rsplit("/", 1)[-1]
        tables: dict[str, Any] = {"user": backend.users, "role": backend.roles, "group": backend.groups,
                                  "instance-profile": backend.instance_profiles}
        entity = tables.get(arn.resource_type, {}).get(folded(name))
        return entity.arn if entity is not None else resource

    @staticmethod
    def _session_policies(backend: IamBackend, identity: Identity) -> list[Source]:
        """AssumeRole's Policy and PolicyArns, which scope the session down."""
        found: list[Source] = []
        if identity.session_policy:
            try:
                found.append(Source("SessionPolicy", "session", parse_policy(identity.session_policy,
                                                                            PolicyKind.IDENTITY)))
            except PolicyError:
                pass
        for arn in identity.session_policy_arns:
            managed = managed_source(backend, arn)
            if managed is not None:
                found.append(Source(managed.id, "session", managed.policy))
        if (identity.session_policy or identity.session_policy_arns) and not found:
            found.append(Source("SessionPolicy", "session", replace(_NOTHING, statements=())))
        return found

    def _resource_policy(self, resource: str) -> list[Source]:
        """The bucket, queue or topic policy of ``resource`` (through the ports), if any."""
        if not resource.startswith("arn:"):
            return []
        text = self._service.emulator.ports.resource_policy(resource.split(":", 3)[2], resource)
        if not text:
            return []
        try:
            return [Source("ResourcePolicy", "resource", parse_policy(text, PolicyKind.RESOURCE))]
        except PolicyError:
            return []

    def authorize(self, identity: Identity, action: str, resource: str, context: Mapping[str, Any]) -> str | None:
        caller = self._caller(identity, str(context.get("aws:RequestedRegion") or "us-east-1"))
        if caller is None:
            return f"because no identity-based policy allows the {action} action"
        backend = caller.backend
        identity_policies, boundary = caller.policies.for_action(action)
        keys = dict(caller.keys)
        keys.update(normalise_context(context))
        resource = self._entity_arn(backend, resource)
        request = AccessRequest(caller.requester, action, resource, keys)
        session = caller.session
        owner = resource.split(":", 5)[4] if resource.startswith("arn:") and resource.count(":") >= 5 else ""
        service = resource.split(":", 3)[2] if resource.startswith("arn:") else ""
        resource_policies = self._resource_policy(resource)
        # A key without a policy does not exist: the identity decides, the handler answers NotFound.
        required = bool(resource_policies) and self._service.emulator.ports.resource_policy_required(service)
        cross_account = bool(owner) and owner != identity.account
        evaluation = evaluate(request, identity_policies, boundary, resource_policies, session,
                              cross_account=cross_account, resource_required=required)
        if evaluation.decision == "allowed":
            return None
        if evaluation.decision == "explicitDeny":
            kinds = {"resource" if source.type == "resource" else "session" if source.type == "session"
                     else "boundary" if source in boundary else "identity" for source, _ in evaluation.matched}
            where = next(text for kind, text in (
                ("resource", "a resource-based policy"), ("identity", "an identity-based policy"),
                ("boundary", "a permissions boundary"), ("session", "a session policy")) if kind in kinds)
            return f"with an explicit deny in {where}"
        identity_allows = any(statement.applies(request) for source in identity_policies
                              for statement in source.policy.statements if statement.effect.value == "Allow")
        if (required or cross_account) and identity_allows and evaluation.allowed_by_boundary is not False:
            return f"because no resource-based policy allows the {action} action"
        if identity_allows and evaluation.allowed_by_boundary is False:
            return f"because no permissions boundary allows the {action} action"
        if identity_allows and session:
            return f"because no session policy allows the {action} action"
        return f"because no identity-based policy allows the {action} action"

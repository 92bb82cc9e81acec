"""IAM's answer to the pipeline's enforcement question (``core.authorization.Authorizer``):
may this IAM user or assumed role perform this action on this resource?

Read without the account's lock (a request of another service must not wait for IAM's): the
look-ups are dictionary reads of records that handlers replace whole or mutate in place, and
parsed policies come from the kit's cache keyed by document text, so a request costs the
evaluation of the principal's statements and no parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hoarfrost.core.accounts import Identity
from hoarfrost.core.kit.arn import global_region, try_parse_arn
from hoarfrost.core.kit.policies import Requester, access_request
from hoarfrost.services.iam.evaluation import evaluate, principal_sources
from hoarfrost.services.iam.state import Role, User, folded

if TYPE_CHECKING:
    from hoarfrost.services.iam.service import IamService


class IamAuthorizer:
    def __init__(self, service: IamService) -> None:
        self._service = service

    def _principal(self, identity: Identity, region: str) -> tuple[Any, User | Role | None]:
        arn = try_parse_arn(identity.arn)
        scope = self._service.backends.existing(identity.account, global_region("iam", region))
        if arn is None or scope is None:
            return None, None
        backend = scope.backend
        if arn.service == "iam" and arn.resource_type == "user":
            return backend, backend.users.get(folded(arn.resource_id.rsplit("/", 1)[-1]))
        if arn.service == "sts" and arn.resource_type == "assumed-role":
            return backend, backend.roles.get(folded(arn.resource_id.split("/", 1)[0]))
        return backend, None

    def authorize(self, identity: Identity, action: str, resource: str, context: Mapping[str, Any]) -> str | None:
        region = str(context.get("aws:RequestedRegion") or "us-east-1")
        backend, principal = self._principal(identity, region)
        if principal is None:
            return f"because no identity-based policy allows the {action} action"
        identity_policies, boundary = principal_sources(backend, principal)
        keys = dict(context)
        for key, value in principal.tags.items():
            keys[f"aws:PrincipalTag/{key}"] = value
        request = access_request(Requester(account=identity.account, arn=identity.arn), action, resource, keys)
        evaluation = evaluate(request, identity_policies, boundary)
        if evaluation.decision == "allowed":
            return None
        if evaluation.decision == "explicitDeny":
            in_boundary = any(source in boundary for source, _ in evaluation.matched)
            return "with an explicit deny in a permissions boundary" if in_boundary else \
                "with an explicit deny in an identity-based policy"
        if evaluation.allowed_by_boundary is False and any(
                statement.applies(request) for source in identity_policies for statement in source.policy.statements):
            return f"because no permissions boundary allows the {action} action"
        return f"because no identity-based policy allows the {action} action"

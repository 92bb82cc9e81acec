"""Evaluating a principal's policies the way IAM does within one account, with the kit's
policy language (``core.kit.policies``) doing the matching.

The decision for one (action, resource): an explicit Deny in any policy that applies wins;
otherwise the request is allowed when an identity-based policy (or the resource policy)
allows it *and* the permissions boundary, if there is one, allows it too; otherwise it is an
implicit deny. The simulator answers with this and with the statements that matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hoarfrost.core.kit.policies import AccessRequest, Effect, Policy, PolicyKind, parse_policy
from hoarfrost.services.iam.managed import aws_policy
from hoarfrost.services.iam.state import Group, IamBackend, Role, User


@dataclass(frozen=True, slots=True)
class Source:
    """One policy taking part: its id (a policy name or ``PolicyInputList.1``), its type as the
    simulator reports it (``user``, ``aws-managed``, ``resource``...), and the parsed policy."""

    id: str
    type: str
    policy: Policy


@dataclass(slots=True)
class Evaluation:
    decision: str  # allowed | explicitDeny | implicitDeny
    matched: list[tuple[Source, int]] = field(default_factory=list)  # (source, statement index)
    allowed_by_boundary: bool | None = None  # None: no boundary


def source(policy_id: str, policy_type: str, document: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Source:
    return Source(policy_id, policy_type, parse_policy(document, kind))


def _matches(sources: Iterable[Source], request: AccessRequest) -> tuple[list[tuple[Source, int]],
                                                                            list[tuple[Source, int]]]:
    """(allowing, denying) statements of ``sources`` that apply to ``request``."""
    allows: list[tuple[Source, int]] = []
    denies: list[tuple[Source, int]] = []
    for item in sources:
        for index, statement in enumerate(item.policy.statements):
            if statement.applies(request):
                (denies if statement.effect is Effect.DENY else allows).append((item, index))
    return allows, denies


def evaluate(request: AccessRequest, identity: Sequence[Source], boundary: Sequence[Source] = (),
             resource: Sequence[Source] = (), session: Sequence[Source] = (), *,
             cross_account: bool = False, resource_required: bool = False) -> Evaluation:
    """``session``: a role session's scope-down policies, which bound it like a boundary does.
    ``cross_account``: the resource belongs to another account than the caller, so its policy
    and the caller's own policies must both allow. ``resource_required``: the resource policy is
    the primary control (a KMS key policy): identity policies count only where it delegates to
    the account.

    A resource-policy statement naming the caller itself (its ARN, its role, everyone) allows
    on its own in the caller's account; one naming only the account (its id or root ARN)
    delegates to IAM, so the caller's identity policies must allow too."""
    allows, denies = _matches([*identity, *resource], request)
    bounded: bool | None = None
    boundary_denies: list[tuple[Source, int]] = []
    if boundary:
        boundary_allows, boundary_denies = _matches(boundary, request)
        bounded = bool(boundary_allows) and not boundary_denies
    session_denies: list[tuple[Source, int]] = []
    scoped = True
    if session:
        session_allows, session_denies = _matches(session, request)
        scoped = bool(session_allows)
    if denies or boundary_denies or session_denies:
        return Evaluation("explicitDeny", denies + boundary_denies + session_denies, bounded)
    identity_allows = [match for match in allows if match[0].type != "resource"]
    resource_allows = [match for match in allows if match[0].type == "resource"]
    # In one account a resource policy naming the principal allows on its own, an identity
    # allow needs the boundary; across accounts both are needed; a session is further limited to
    # what its session policies allow.
    identity_ok = bool(identity_allows) and bounded is not False
    direct = any(item.policy.statements[index].names(request.requester) for item, index in resource_allows)
    if cross_account:
        allowed = bool(resource_allows) and identity_ok
    elif resource_required:
        allowed = direct or (bool(resource_allows) and identity_ok)
    else:
        allowed = direct or identity_ok
    if scoped and allowed:
        return Evaluation("allowed", allows, bounded)
    return Evaluation("implicitDeny", [], bounded)


# -- a principal's policies, from IAM's state ----------------------------------------------------------
def managed_source(backend: IamBackend, arn: str) -> Source | None:
    """A managed policy (customer or AWS) as a source, None when there is no such policy."""
    policy = backend.policies.get(arn)
    if policy is not None:
        return Source(policy.policy_name, "user-managed", parse_policy(policy.default_document, PolicyKind.IDENTITY))
    found = aws_policy(arn)
    if found is None:
        return None
    return Source(found.policy_name, "aws-managed", parse_policy(found.document, PolicyKind.IDENTITY))


def entity_sources(backend: IamBackend, target: User | Group | Role, kind: str) -> list[Source]:
    """``target``'s own inline and attached managed policies (not its groups')."""
    found = [Source(name, kind, parse_policy(document, PolicyKind.IDENTITY))
             for name, document in target.inline_policies.items()]
    for arn in target.attached:
        managed = managed_source(backend, arn)
        if managed is not None:
            found.append(managed)
    return found


def principal_sources(backend: IamBackend, target: User | Group | Role) -> tuple[list[Source], list[Source]]:
    """(identity policies, permissions boundary) of a user (with its groups'), group or role."""
    kind = "user" if isinstance(target, User) else "group" if isinstance(target, Group) else "role"
    identity = entity_sources(backend, target, kind)
    if isinstance(target, User):
        for group in backend.groups_of(target.user_name):
            identity += entity_sources(backend, group, "group")
    boundary: list[Source] = []
    if not isinstance(target, Group) and target.permissions_boundary:
        managed = managed_source(backend, target.permissions_boundary)
        if managed is not None:
            boundary.append(managed)
    return identity, boundary

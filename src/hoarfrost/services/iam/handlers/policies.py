"""Managed policies: customer policies with their versions (at most five, one default), AWS
managed policies (read-only, from ``managed.py``), attaching either to users, groups and roles,
and the listings of who has what attached."""

from __future__ import annotations

import fnmatch
from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.policies import Effect, PolicyError, PolicyKind, parse_policy
from hoarfrost.services.iam.errors import errors
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    add_tags,
    attachable,
    check_document,
    customer_policy,
    encoded,
    entity,
    now,
    page,
    policy_document,
    remove_tags,
    request_tags,
    tags_page,
    under,
)
from hoarfrost.services.iam.managed import PUBLISHED, AwsPolicy, aws_policies, aws_policy
from hoarfrost.services.iam.state import (
    MAX_POLICY_VERSIONS,
    EntityKind,
    Group,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
    attach,
    detach,
    entity_name,
    folded,
    new_id,
)

MANAGED_POLICY_SIZE = 6144
MAX_ATTACHED = 10  # the default PoliciesPerUser / PoliciesPerGroup / PoliciesPerRole quota


def _document(text: str) -> str:
    check_document(text, limit=MANAGED_POLICY_SIZE)
    return text


def _counts(ctx: IamContext, arn: str) -> dict[str, int]:
    backend = ctx.state
    boundaries = sum(1 for table in (backend.users, backend.roles) for item in table.values()
                     if item.permissions_boundary == arn)
    return {"AttachmentCount": len(backend.attachments.get(arn, ())), "PermissionsBoundaryUsageCount": boundaries}


def policy_output(ctx: IamContext, policy: ManagedPolicy | AwsPolicy, *, listing: bool = False) -> dict[str, Any]:
    """The Policy shape of a customer or AWS managed policy."""
    if isinstance(policy, AwsPolicy):
        arn = policy.arn(ctx.state.partition)
        output: dict[str, Any] = {
            "PolicyName": policy.policy_name, "PolicyId": policy.policy_id, "Arn": arn, "Path": policy.path,
            "DefaultVersionId": policy.default_version_id, **_counts(ctx, arn), "IsAttachable": True,
            "CreateDate": PUBLISHED, "UpdateDate": PUBLISHED,
        }
        if not listing:
            output["Description"] = policy.description
        return output
    output = {
        "PolicyName": policy.policy_name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
        "DefaultVersionId": policy.default_version_id, **_counts(ctx, policy.arn), "IsAttachable": True,
        "CreateDate": policy.create_date, "UpdateDate": policy.update_date,
    }
    if policy.description is not None and not listing:
        output["Description"] = policy.description
    if policy.tags and not listing:
        output["Tags"] = [{"Key": key, "Value": value} for key, value in policy.tags.items()]
    return output


def _any_policy(ctx: IamContext, arn: str) -> ManagedPolicy | AwsPolicy:
    found = aws_policy(arn)
    if found is not None and found.arn(ctx.state.partition) == arn:
        return found
    return customer_policy(ctx, arn)


def _version_output(version: PolicyVersion, default: str, *, document: bool) -> dict[str, Any]:
    output: dict[str, Any] = {"VersionId": version.version_id, "IsDefaultVersion": version.version_id == default,
                              "CreateDate": version.create_date}
    if document:
        output["Document"] = encoded(version.document)
    return output


@ops.operation
def create_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name, path = request["PolicyName"], request.get("Path") or "/"
    backend = ctx.state
    arn = backend.arn(f"policy{path}{name}")
    if arn in backend.policies or any(folded(p.policy_name) == folded(name) for p in backend.policies.values()):
        raise errors.EntityAlreadyExistsException(f"A policy called {name} already exists. Duplicate names are not "
                                                  "allowed.")
    document = _document(request["PolicyDocument"])
    moment = now(ctx)
    created = ManagedPolicy(policy_name=name, policy_id=new_id("policy"), path=path, arn=arn,
                            description=request.get("Description"), create_date=moment, update_date=moment,
                            versions={"v1": PolicyVersion(version_id="v1", document=document, create_date=moment)},
                            tags=request_tags(request))
    backend.policies[arn] = created
    return {"Policy": policy_output(ctx, created)}


@ops.operation
def get_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": policy_output(ctx, _any_policy(ctx, request["PolicyArn"]))}


@ops.operation
def list_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    scope = request.get("Scope") or "All"
    prefix = request.get("PathPrefix")
    usage = request.get("PolicyUsageFilter")
    backend = ctx.state
    candidates: list[ManagedPolicy | AwsPolicy] = []
    if scope in ("All", "AWS"):
        candidates.extend(aws_policies())
    if scope in ("All", "Local"):
        candidates.extend(backend.policies.values())
    items: list[dict[str, Any]] = []
    for policy in candidates:
        output = policy_output(ctx, policy, listing=True)
        if not under(output["Path"], prefix):
            continue
        if request.get("OnlyAttached"):
            used = {"PermissionsPolicy": output["AttachmentCount"],
                    "PermissionsBoundary": output["PermissionsBoundaryUsageCount"]}
            if not (used[usage] if usage in used else any(used.values())):
                continue
        items.append(output)
    return page(ctx, request, items, lambda item: (folded(item["PolicyName"]), item["Arn"]), "Policies")


@ops.operation
def delete_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    arn = request["PolicyArn"]
    if aws_policy(arn) is not None:
        raise errors.InvalidInputException(f"Cannot delete AWS managed policy {arn}.")
    policy = customer_policy(ctx, arn)
    if ctx.state.attachments.get(arn):
        raise errors.DeleteConflictException("Cannot delete a policy attached to entities.")
    if len(policy.versions) > 1:
        raise errors.DeleteConflictException(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy.")
    del ctx.state.policies[arn]


@ops.operation
def tag_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(customer_policy(ctx, request["PolicyArn"]).tags, request)


@ops.operation
def untag_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(customer_policy(ctx, request["PolicyArn"]).tags, request["TagKeys"])


@ops.operation
def list_policy_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _any_policy(ctx, request["PolicyArn"])
    return tags_page(ctx, request, found.tags if isinstance(found, ManagedPolicy) else {})


# -- versions --------------------------------------------------------------------------------------
def _versions(ctx: IamContext, arn: str) -> tuple[dict[str, PolicyVersion], str]:
    found = _any_policy(ctx, arn)
    if isinstance(found, AwsPolicy):
        only = PolicyVersion(version_id=found.default_version_id, document=found.document, create_date=PUBLISHED)
        return {only.version_id: only}, found.default_version_id
    return found.versions, found.default_version_id


def _no_version(arn: str, version_id: str) -> Exception:
    return errors.NoSuchEntityException(f"Policy {arn} version {version_id} does not exist or is not attachable.")


@ops.operation
def create_policy_version(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["PolicyArn"]
    if aws_policy(arn) is not None:
        raise errors.InvalidInputException(f"Cannot create a version of AWS managed policy {arn}.")
    policy = customer_policy(ctx, arn)
    if len(policy.versions) >= MAX_POLICY_VERSIONS:
        raise errors.LimitExceededException(
            f"A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you create a new version, you "
            "must delete an existing version.")
    document = _document(request["PolicyDocument"])
    moment = now(ctx)
    version = PolicyVersion(version_id=f"v{policy.next_version}", document=document, create_date=moment)
    policy.next_version += 1
    policy.versions[version.version_id] = version
    if request.get("SetAsDefault"):
        policy.default_version_id = version.version_id
    policy.update_date = moment
    return {"PolicyVersion": _version_output(version, policy.default_version_id, document=False)}


@ops.operation
def get_policy_version(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    arn, version_id = request["PolicyArn"], request["VersionId"]
    versions, default = _versions(ctx, arn)
    version = versions.get(version_id)
    if version is None:
        raise _no_version(arn, version_id)
    return {"PolicyVersion": _version_output(version, default, document=True)}


@ops.operation
def list_policy_versions(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    versions, default = _versions(ctx, request["PolicyArn"])
    items = [_version_output(version, default, document=False) for version in versions.values()]
    # Newest first, as IAM lists them.
    return page(ctx, request, items, lambda item: -int(item["VersionId"][1:]), "Versions")


@ops.operation
def delete_policy_version(ctx: IamContext, request: dict[str, Any]) -> None:
    arn, version_id = request["PolicyArn"], request["VersionId"]
    policy = customer_policy(ctx, arn)
    if version_id not in policy.versions:
        raise _no_version(arn, version_id)
    if version_id == policy.default_version_id:
        raise errors.DeleteConflictException("Cannot delete the default version of a policy.")
    del policy.versions[version_id]


@ops.operation
def set_default_policy_version(ctx: IamContext, request: dict[str, Any]) -> None:
    arn, version_id = request["PolicyArn"], request["VersionId"]
    policy = customer_policy(ctx, arn)
    if version_id not in policy.versions:
        raise _no_version(arn, version_id)
    policy.default_version_id = version_id
    policy.update_date = now(ctx)


# -- attaching ---------------------------------------------------------------------------------------
_QUOTAS = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}
_NAME_MEMBERS: dict[EntityKind, str] = {"user": "UserName", "group": "GroupName", "role": "RoleName"}


def _attach(ctx: IamContext, kind: EntityKind, request: dict[str, Any]) -> None:
    target = entity(ctx, kind, request[_NAME_MEMBERS[kind]])
    arn = attachable(ctx, request["PolicyArn"])
    if isinstance(target, Role) and target.linked_service is not None:
        raise errors.UnmodifiableEntityException(
            f"Cannot perform the operation on the protected role '{target.role_name}' - this role is only "
            "modifiable by AWS")
    if arn not in target.attached and len(target.attached) >= MAX_ATTACHED:
        raise errors.LimitExceededException(f"Cannot exceed quota for {_QUOTAS[kind]}: {MAX_ATTACHED}")
    attach(ctx.state, kind, target, arn)


def _detach(ctx: IamContext, kind: EntityKind, request: dict[str, Any]) -> None:
    target = entity(ctx, kind, request[_NAME_MEMBERS[kind]])
    arn = request["PolicyArn"]
    if arn not in target.attached:
        raise errors.NoSuchEntityException(f"Policy {arn} was not found.")
    detach(ctx.state, kind, target, arn)


def _attached(ctx: IamContext, kind: EntityKind, request: dict[str, Any]) -> dict[str, Any]:
    target = entity(ctx, kind, request[_NAME_MEMBERS[kind]])
    prefix = request.get("PathPrefix")
    items = []
    for arn in target.attached:
        resource = arn.split(":", 5)[5]  # policy/<path><name>
        path, _, name = resource[len("policy"):].rpartition("/")
        if under(path + "/", prefix):
            items.append({"PolicyName": name, "PolicyArn": arn})
    return page(ctx, request, items, lambda item: (folded(item["PolicyName"]), item["PolicyArn"]),
                "AttachedPolicies")


@ops.operation
def attach_user_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _attach(ctx, "user", request)


@ops.operation
def attach_group_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _attach(ctx, "group", request)


@ops.operation
def attach_role_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _attach(ctx, "role", request)


@ops.operation
def detach_user_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _detach(ctx, "user", request)


@ops.operation
def detach_group_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _detach(ctx, "group", request)


@ops.operation
def detach_role_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _detach(ctx, "role", request)


@ops.operation
def list_attached_user_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _attached(ctx, "user", request)


@ops.operation
def list_attached_group_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _attached(ctx, "group", request)


@ops.operation
def list_attached_role_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _attached(ctx, "role", request)


@ops.operation
def list_entities_for_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["PolicyArn"]
    _any_policy(ctx, arn)
    wanted = request.get("EntityFilter")
    prefix = request.get("PathPrefix")
    backend = ctx.state
    found: list[tuple[EntityKind, User | Group | Role]] = []
    for kind, key in backend.attachments.get(arn, ()):
        target = backend.entity(kind, key)
        if target is not None and under(target.path, prefix):
            found.append((kind, target))
    if request.get("PolicyUsageFilter") == "PermissionsBoundary":
        found = [("user", item) for item in backend.users.values() if item.permissions_boundary == arn]
        found += [("role", item) for item in backend.roles.values() if item.permissions_boundary == arn]
    if wanted in ("User", "Group", "Role"):
        found = [(kind, target) for kind, target in found if kind == wanted.lower()]
    elif wanted is not None and (wanted == "AWSManagedPolicy") != (aws_policy(arn) is not None):
        found = []  # LocalManagedPolicy / AWSManagedPolicy: the policy's own kind must match
    output = page(ctx, request, found, lambda pair: (pair[0], folded(entity_name(pair[1]))), "Entities")
    members = {"user": ("PolicyUsers", "UserName", "UserId"), "group": ("PolicyGroups", "GroupName", "GroupId"),
               "role": ("PolicyRoles", "RoleName", "RoleId")}
    result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    for kind, target in output.pop("Entities"):
        member, name_member, id_member = members[kind]
        result[member].append({name_member: entity_name(target), id_member: _entity_id(target)})
    result.update(output)
    return result


def _entity_id(target: User | Group | Role) -> str:
    if isinstance(target, User):
        return target.user_id
    if isinstance(target, Group):
        return target.group_id
    return target.role_id


# -- which policies grant a service -----------------------------------------------------------------------
def _grants(document: str, namespace: str) -> bool:
    """Whether an Allow statement of the policy names an action of ``namespace``."""
    try:
        policy = parse_policy(document, PolicyKind.IDENTITY)
    except PolicyError:
        return False
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW:
            continue
        if statement.not_actions:
            if f"{namespace}:*" not in (action.lower() for action in statement.not_actions):
                return True
        elif any(action == "*" or fnmatch.fnmatchcase(namespace, action.split(":", 1)[0].lower())
                 for action in statement.actions):
            return True
    return False


@ops.operation(mutates=False)
def list_policies_granting_service_access(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = try_parse_arn(request["Arn"])
    if arn is None or arn.service != "iam" or arn.resource_type not in ("user", "group", "role"):
        raise errors.InvalidInputException(f"Invalid ARN {request['Arn']}: it must name an IAM user, group or role")
    kind: EntityKind = arn.resource_type  # type: ignore[assignment]
    target = entity(ctx, kind, arn.resource_id.rsplit("/", 1)[-1])
    holders: list[tuple[EntityKind, User | Group | Role]] = [(kind, target)]
    if isinstance(target, User):
        holders += [("group", group) for group in ctx.state.groups_of(target.user_name)]
    answer = []
    for namespace in request["ServiceNamespaces"]:
        granting: list[dict[str, Any]] = []
        for holder_kind, holder in holders:
            for name, document in holder.inline_policies.items():
                if _grants(document, namespace.lower()):
                    granting.append({"PolicyName": name, "PolicyType": "INLINE", "EntityType": holder_kind.upper(),
                                     "EntityName": entity_name(holder)})
            for policy_arn in holder.attached:
                attached = policy_document(ctx, policy_arn)
                if attached is not None and _grants(attached, namespace.lower()):
                    granting.append({"PolicyName": policy_arn.rsplit("/", 1)[-1], "PolicyType": "MANAGED",
                                     "PolicyArn": policy_arn})
        answer.append({"ServiceNamespace": namespace, "Policies": granting})
    return {"PoliciesGrantingServiceAccess": answer, "IsTruncated": False}

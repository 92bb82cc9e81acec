"""Roles: create / get / list / update / delete, trust policies, tags, permissions boundaries,
and service-linked roles.

Every change that STS cares about (a role created or deleted, its trust policy or
MaxSessionDuration changed) is written through to the service's role index, which STS reads
through the ``RoleDirectory`` port."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hoarfrost.core.kit.policies import PolicyKind
from hoarfrost.services.iam.errors import already_exists, delete_conflict, errors
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    add_tags,
    boundary_policy,
    check_document,
    now,
    page,
    remove_tags,
    rendered,
    request_tags,
    role,
    role_output,
    tags_page,
    under,
)
from hoarfrost.services.iam.state import Role, detach, folded, new_id

TRUST_POLICY_SIZE = 2048  # the default ACLSizePerRole quota


def _too_big(limit: int) -> Exception:
    return errors.LimitExceededException(f"Cannot exceed quota for ACLSizePerRole: {limit}")


def _trust_policy(document: str) -> str:
    check_document(document, PolicyKind.TRUST, limit=TRUST_POLICY_SIZE, too_big=_too_big)
    return document


def _protected(found: Role) -> None:
    if found.linked_service is not None:
        raise errors.UnmodifiableEntityException(
            f"Cannot perform the operation on the protected role '{found.role_name}' - this role is only modifiable "
            "by AWS")


def _index(ctx: IamContext, found: Role) -> None:
    ctx.service.index_role(ctx.scope.account, found)


@ops.operation
def create_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name, path = request["RoleName"], request.get("Path") or "/"
    backend = ctx.state
    if folded(name) in backend.roles:
        raise already_exists("role", name)
    created = Role(
        role_name=name, role_id=new_id("role"), path=path, arn=backend.arn(f"role{path}{name}"),
        create_date=now(ctx), assume_role_policy_document=_trust_policy(request["AssumeRolePolicyDocument"]),
        description=request.get("Description"), max_session_duration=request.get("MaxSessionDuration") or 3600,
        permissions_boundary=boundary_policy(ctx, request.get("PermissionsBoundary")), tags=request_tags(request),
    )
    backend.roles[folded(name)] = created
    _index(ctx, created)
    output = role_output(created, full=True)
    output.pop("RoleLastUsed")
    return {"Role": output}


@ops.operation
def get_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Role": role_output(role(ctx, request["RoleName"]), full=True)}


@ops.operation
def list_roles(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix")
    items = [item for item in ctx.state.roles.values() if under(item.path, prefix)]
    return rendered(page(ctx, request, items, lambda item: folded(item.role_name), "Roles"), "Roles", role_output)


@ops.operation
def update_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = role(ctx, request["RoleName"])
    if "Description" in request:
        found.description = request["Description"]
    if request.get("MaxSessionDuration") is not None:
        found.max_session_duration = request["MaxSessionDuration"]
    _index(ctx, found)
    return {}


@ops.operation
def update_role_description(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = role(ctx, request["RoleName"])
    found.description = request["Description"]
    return {"Role": role_output(found, full=True)}


@ops.operation
def update_assume_role_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    found = role(ctx, request["RoleName"])
    _protected(found)
    found.assume_role_policy_document = _trust_policy(request["PolicyDocument"])
    _index(ctx, found)


def _remove(ctx: IamContext, found: Role) -> None:
    backend = ctx.state
    if any(folded(found.role_name) in map(folded, p.roles) for p in backend.instance_profiles.values()):
        raise delete_conflict("remove roles from instance profile")
    if found.inline_policies:
        raise delete_conflict("delete policies")
    if found.attached:
        raise delete_conflict("detach all policies")
    del backend.roles[folded(found.role_name)]
    ctx.service.forget_role(ctx.scope.account, found)


@ops.operation
def delete_role(ctx: IamContext, request: dict[str, Any]) -> None:
    found = role(ctx, request["RoleName"])
    _protected(found)
    _remove(ctx, found)


@ops.operation
def tag_role(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(role(ctx, request["RoleName"]).tags, request)


@ops.operation
def untag_role(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(role(ctx, request["RoleName"]).tags, request["TagKeys"])


@ops.operation
def list_role_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return tags_page(ctx, request, role(ctx, request["RoleName"]).tags)


@ops.operation
def put_role_permissions_boundary(ctx: IamContext, request: dict[str, Any]) -> None:
    found = role(ctx, request["RoleName"])
    _protected(found)
    found.permissions_boundary = boundary_policy(ctx, request["PermissionsBoundary"])


@ops.operation
def delete_role_permissions_boundary(ctx: IamContext, request: dict[str, Any]) -> None:
    found = role(ctx, request["RoleName"])
    _protected(found)
    found.permissions_boundary = None


# -- service-linked roles ----------------------------------------------------------------------------
# Role names AWS gives some services' linked roles; others follow AWSServiceRoleFor<Prefix>.
_LINKED_NAMES = {
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "rds.amazonaws.com": "AWSServiceRoleForRDS",
    "eks.amazonaws.com": "AWSServiceRoleForAmazonEKS",
    "elasticbeanstalk.amazonaws.com": "AWSServiceRoleForElasticBeanstalk",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "organizations.amazonaws.com": "AWSServiceRoleForOrganizations",
    "config.amazonaws.com": "AWSServiceRoleForConfig",
    "lambda.amazonaws.com": "AWSServiceRoleForLambda",
    "dynamodb.application-autoscaling.amazonaws.com": "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
}


def _linked_name(service: str) -> str:
    known = _LINKED_NAMES.get(service)
    if known is not None:
        return known
    prefix = service.split(".", 1)[0]
    return "AWSServiceRoleFor" + "".join(part[:1].upper() + part[1:] for part in prefix.split("-"))


@ops.operation
def create_service_linked_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    service = request["AWSServiceName"]
    if not service.endswith(".amazonaws.com") or service.count(".") < 2:
        raise errors.InvalidInputException(f"Service role name {service} is not valid: expected "
                                           "<service>.amazonaws.com")
    name = _linked_name(service)
    if request.get("CustomSuffix"):
        name += "_" + request["CustomSuffix"]
    backend = ctx.state
    if folded(name) in backend.roles:
        raise errors.InvalidInputException(f"Service role name {name} has been taken in this account, please try a "
                                           "different suffix.")
    path = f"/aws-service-role/{service}/"
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}]})
    created = Role(role_name=name, role_id=new_id("role"), path=path, arn=backend.arn(f"role{path}{name}"),
                   create_date=now(ctx), assume_role_policy_document=trust,
                   description=request.get("Description"), linked_service=service)
    backend.roles[folded(name)] = created
    _index(ctx, created)
    output = role_output(created, full=True)
    output.pop("RoleLastUsed")
    return {"Role": output}


@ops.operation
def delete_service_linked_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    """The role is removed at once; the deletion task it answers has SUCCEEDED."""
    found = role(ctx, request["RoleName"])
    if found.linked_service is None:
        raise errors.InvalidInputException(f"Role {found.role_name} is not a service-linked role.")
    found.inline_policies.clear()
    for arn in list(found.attached):
        detach(ctx.state, "role", found, arn)
    _remove(ctx, found)
    task = f"task/aws-service-role/{found.linked_service}/{found.role_name}/{uuid.uuid4()}"
    ctx.state.deletion_tasks[task] = "SUCCEEDED"
    return {"DeletionTaskId": task}


@ops.operation
def get_service_linked_role_deletion_status(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    status = ctx.state.deletion_tasks.get(request["DeletionTaskId"])
    if status is None:
        raise errors.NoSuchEntityException(f"Deletion task {request['DeletionTaskId']} cannot be found.")
    return {"Status": status}

"""Inline policies embedded in a user, group or role: put / get / delete / list."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.iam.errors import errors, no_such_inline_policy
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import IamContext, check_document, encoded, entity, page
from hoarfrost.services.iam.state import EntityKind, Role, entity_name

# The aggregate inline policy size each kind of entity may hold (characters, whitespace aside).
_SIZES: dict[EntityKind, int] = {"user": 2048, "group": 5120, "role": 10240}
_NAME_MEMBERS: dict[EntityKind, str] = {"user": "UserName", "group": "GroupName", "role": "RoleName"}


def _put(ctx: IamContext, kind: EntityKind, request: dict[str, Any]) -> None:
    target = entity(ctx, kind, request[_NAME_MEMBERS[kind]])
    if isinstance(target, Role) and target.linked_service is not None:
        raise errors.UnmodifiableEntityException(
            f"Cannot perform the operation on the protected role '{target.role_name}' - this role is only "
            "modifiable by AWS")
    limit = _SIZES[kind]

    def too_big(_: int) -> Exception:
        return errors.LimitExceededException(f"Maximum policy size of {limit} bytes exceeded for {kind} "
                                             f"{entity_name(target)}")

    document = request["PolicyDocument"]
    check_document(document, limit=limit, too_big=too_big)
    target.inline_policies[request["PolicyName"]] = document


def _get(ctx: IamContext, kind: EntityKind, request: dict[str, Any]) -> dict[str, Any]:
    target = entity(ctx, kind, request[_NAME_MEMBERS[kind]])
    name = request["PolicyName"]
    document = target.inline_policies.get(name)
    if document is None:
        raise no_such_inline_policy(kind, name)
    return {_NAME_MEMBERS[kind]: entity_name(target), "PolicyName": name, "PolicyDocument": encoded(document)}


def _delete(ctx: IamContext, kind: EntityKind, request: dict[str, Any]) -> None:
    target = entity(ctx, kind, request[_NAME_MEMBERS[kind]])
    if target.inline_policies.pop(request["PolicyName"], None) is None:
        raise no_such_inline_policy(kind, request["PolicyName"])


def _list(ctx: IamContext, kind: EntityKind, request: dict[str, Any]) -> dict[str, Any]:
    target = entity(ctx, kind, request[_NAME_MEMBERS[kind]])
    return page(ctx, request, list(target.inline_policies), lambda name: name, "PolicyNames")


@ops.operation
def put_user_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _put(ctx, "user", request)


@ops.operation
def put_group_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _put(ctx, "group", request)


@ops.operation
def put_role_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _put(ctx, "role", request)


@ops.operation
def get_user_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _get(ctx, "user", request)


@ops.operation
def get_group_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _get(ctx, "group", request)


@ops.operation
def get_role_policy(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _get(ctx, "role", request)


@ops.operation
def delete_user_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _delete(ctx, "user", request)


@ops.operation
def delete_group_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _delete(ctx, "group", request)


@ops.operation
def delete_role_policy(ctx: IamContext, request: dict[str, Any]) -> None:
    _delete(ctx, "role", request)


@ops.operation
def list_user_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _list(ctx, "user", request)


@ops.operation
def list_group_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _list(ctx, "group", request)


@ops.operation
def list_role_policies(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return _list(ctx, "role", request)

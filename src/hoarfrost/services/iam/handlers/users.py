"""Users: create / get / list / update (rename, move) / delete, tags, permissions boundaries."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.iam.errors import already_exists, delete_conflict
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    add_tags,
    boundary_policy,
    now,
    page,
    remove_tags,
    rendered,
    request_tags,
    tags_page,
    under,
    user,
    user_output,
)
from hoarfrost.services.iam.state import User, folded, new_id


@ops.operation
def create_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name, path = request["UserName"], request.get("Path") or "/"
    backend = ctx.state
    if folded(name) in backend.users:
        raise already_exists("user", name)
    tags = request_tags(request)
    created = User(user_name=name, user_id=new_id("user"), path=path, arn=backend.arn(f"user{path}{name}"),
                   create_date=now(ctx), tags=tags,
                   permissions_boundary=boundary_policy(ctx, request.get("PermissionsBoundary")))
    backend.users[folded(name)] = created
    return {"User": user_output(created, full=True)}


@ops.operation
def get_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    """Without UserName: the caller (an IAM user, or the account's root)."""
    name = request.get("UserName")
    if name is None:
        identity = ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region)
        arn = try_parse_arn(identity.arn)
        if arn is None or arn.resource_type != "user":
            return {"User": {"UserId": identity.account, "Arn": identity.arn, "CreateDate": now(ctx)}}
        name = arn.resource_id.rsplit("/", 1)[-1]
    return {"User": user_output(user(ctx, name), full=True)}


@ops.operation
def list_users(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix")
    items = [item for item in ctx.state.users.values() if under(item.path, prefix)]
    return rendered(page(ctx, request, items, lambda item: folded(item.user_name), "Users"), "Users", user_output)


@ops.operation
def update_user(ctx: IamContext, request: dict[str, Any]) -> None:
    backend = ctx.state
    found = user(ctx, request["UserName"])
    new_name = request.get("NewUserName") or found.user_name
    new_path = request.get("NewPath") or found.path
    old_key, new_key = folded(found.user_name), folded(new_name)
    if new_key != old_key and new_key in backend.users:
        raise already_exists("user", new_name)
    found.user_name, found.path = new_name, new_path
    found.arn = backend.arn(f"user{new_path}{new_name}")
    if new_key != old_key:
        del backend.users[old_key]
        backend.users[new_key] = found
        for group in backend.groups.values():
            group.members = [new_name if folded(member) == old_key else member for member in group.members]
        for device in backend.mfa_devices.values():
            if device.user_name is not None and folded(device.user_name) == old_key:
                device.user_name = new_name
        for arn in found.attached:
            entities = backend.attachments.get(arn, set())
            entities.discard(("user", old_key))
            entities.add(("user", new_key))
    ctx.service.index_user_keys((ctx.scope.account, ctx.scope.region), found)


@ops.operation
def delete_user(ctx: IamContext, request: dict[str, Any]) -> None:
    backend = ctx.state
    found = user(ctx, request["UserName"])
    if found.access_keys:
        raise delete_conflict("delete access keys")
    if found.login_profile is not None:
        raise delete_conflict("delete login profile")
    if found.inline_policies:
        raise delete_conflict("delete policies")
    if found.attached:
        raise delete_conflict("detach all policies")
    if found.mfa_devices:
        raise delete_conflict("delete MFA devices")
    if found.signing_certificates:
        raise delete_conflict("delete signing certificates")
    if found.ssh_public_keys:
        raise delete_conflict("delete SSH public keys")
    if found.service_specific_credentials:
        raise delete_conflict("delete service-specific credentials")
    if backend.groups_of(found.user_name):
        raise delete_conflict("remove user from all groups")
    del backend.users[folded(found.user_name)]


@ops.operation
def tag_user(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(user(ctx, request["UserName"]).tags, request)


@ops.operation
def untag_user(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(user(ctx, request["UserName"]).tags, request["TagKeys"])


@ops.operation
def list_user_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return tags_page(ctx, request, user(ctx, request["UserName"]).tags)


@ops.operation
def put_user_permissions_boundary(ctx: IamContext, request: dict[str, Any]) -> None:
    found = user(ctx, request["UserName"])
    found.permissions_boundary = boundary_policy(ctx, request["PermissionsBoundary"])


@ops.operation
def delete_user_permissions_boundary(ctx: IamContext, request: dict[str, Any]) -> None:
    user(ctx, request["UserName"]).permissions_boundary = None

"""Groups and their members: create / get / list / update / delete, add and remove users."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.iam.errors import already_exists, delete_conflict, no_such_entity
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    group,
    group_output,
    now,
    page,
    rendered,
    under,
    user,
    user_output,
)
from hoarfrost.services.iam.state import Group, folded, new_id


@ops.operation
def create_group(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name, path = request["GroupName"], request.get("Path") or "/"
    backend = ctx.state
    if folded(name) in backend.groups:
        raise already_exists("group", name)
    created = Group(group_name=name, group_id=new_id("group"), path=path, arn=backend.arn(f"group{path}{name}"),
                    create_date=now(ctx))
    backend.groups[folded(name)] = created
    return {"Group": group_output(created)}


@ops.operation
def get_group(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    """The group and a page of its members."""
    found = group(ctx, request["GroupName"])
    members = [ctx.state.users[folded(name)] for name in found.members]
    output = rendered(page(ctx, request, members, lambda item: folded(item.user_name), "Users"), "Users", user_output)
    output["Group"] = group_output(found)
    return output


@ops.operation
def list_groups(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix")
    items = [item for item in ctx.state.groups.values() if under(item.path, prefix)]
    return rendered(page(ctx, request, items, lambda item: folded(item.group_name), "Groups"), "Groups",
                    group_output)


@ops.operation
def list_groups_for_user(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    found = user(ctx, request["UserName"])
    items = ctx.state.groups_of(found.user_name)
    return rendered(page(ctx, request, items, lambda item: folded(item.group_name), "Groups"), "Groups",
                    group_output)


@ops.operation
def update_group(ctx: IamContext, request: dict[str, Any]) -> None:
    backend = ctx.state
    found = group(ctx, request["GroupName"])
    new_name = request.get("NewGroupName") or found.group_name
    new_path = request.get("NewPath") or found.path
    old_key, new_key = folded(found.group_name), folded(new_name)
    if new_key != old_key and new_key in backend.groups:
        raise already_exists("group", new_name)
    found.group_name, found.path = new_name, new_path
    found.arn = backend.arn(f"group{new_path}{new_name}")
    if new_key != old_key:
        del backend.groups[old_key]
        backend.groups[new_key] = found
        for arn in found.attached:
            entities = backend.attachments.get(arn, set())
            entities.discard(("group", old_key))
            entities.add(("group", new_key))


@ops.operation
def delete_group(ctx: IamContext, request: dict[str, Any]) -> None:
    found = group(ctx, request["GroupName"])
    if found.members:
        raise delete_conflict("remove users from group")
    if found.inline_policies:
        raise delete_conflict("delete policies")
    if found.attached:
        raise delete_conflict("detach all policies")
    del ctx.state.groups[folded(found.group_name)]


@ops.operation
def add_user_to_group(ctx: IamContext, request: dict[str, Any]) -> None:
    found = group(ctx, request["GroupName"])
    member = user(ctx, request["UserName"])
    if all(folded(name) != folded(member.user_name) for name in found.members):
        found.members.append(member.user_name)


@ops.operation
def remove_user_from_group(ctx: IamContext, request: dict[str, Any]) -> None:
    found = group(ctx, request["GroupName"])
    member = user(ctx, request["UserName"])
    kept = [name for name in found.members if folded(name) != folded(member.user_name)]
    if len(kept) == len(found.members):
        raise no_such_entity("user", member.user_name)
    found.members = kept

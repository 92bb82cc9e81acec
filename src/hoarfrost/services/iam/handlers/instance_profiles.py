"""Instance profiles: the container that hands one role to EC2 instances."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.iam.errors import delete_conflict, errors, no_such_entity, quota
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import (
    IamContext,
    add_tags,
    instance_profile,
    instance_profile_output,
    now,
    page,
    remove_tags,
    rendered,
    request_tags,
    role,
    tags_page,
    under,
)
from hoarfrost.services.iam.state import InstanceProfile, folded, new_id


@ops.operation
def create_instance_profile(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    name, path = request["InstanceProfileName"], request.get("Path") or "/"
    backend = ctx.state
    if folded(name) in backend.instance_profiles:
        raise errors.EntityAlreadyExistsException(f"Instance Profile {name} already exists.")
    created = InstanceProfile(instance_profile_name=name, instance_profile_id=new_id("instance_profile"), path=path,
                              arn=backend.arn(f"instance-profile{path}{name}"), create_date=now(ctx),
                              tags=request_tags(request))
    backend.instance_profiles[folded(name)] = created
    return {"InstanceProfile": instance_profile_output(ctx, created)}


@ops.operation
def get_instance_profile(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"InstanceProfile": instance_profile_output(ctx, instance_profile(ctx, request["InstanceProfileName"]))}


@ops.operation
def list_instance_profiles(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("PathPrefix")
    items = [item for item in ctx.state.instance_profiles.values() if under(item.path, prefix)]
    output = page(ctx, request, items, lambda item: folded(item.instance_profile_name), "InstanceProfiles")
    return rendered(output, "InstanceProfiles", lambda item: instance_profile_output(ctx, item))


@ops.operation
def list_instance_profiles_for_role(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    key = folded(role(ctx, request["RoleName"]).role_name)
    items = [item for item in ctx.state.instance_profiles.values() if key in map(folded, item.roles)]
    output = page(ctx, request, items, lambda item: folded(item.instance_profile_name), "InstanceProfiles")
    return rendered(output, "InstanceProfiles", lambda item: instance_profile_output(ctx, item))


@ops.operation
def add_role_to_instance_profile(ctx: IamContext, request: dict[str, Any]) -> None:
    profile = instance_profile(ctx, request["InstanceProfileName"])
    added = role(ctx, request["RoleName"])
    if profile.roles:
        raise quota("InstanceSessionsPerInstanceProfile", 1)
    profile.roles.append(added.role_name)


@ops.operation
def remove_role_from_instance_profile(ctx: IamContext, request: dict[str, Any]) -> None:
    profile = instance_profile(ctx, request["InstanceProfileName"])
    removed = role(ctx, request["RoleName"])
    kept = [name for name in profile.roles if folded(name) != folded(removed.role_name)]
    if len(kept) == len(profile.roles):
        raise no_such_entity("role", removed.role_name)
    profile.roles = kept


@ops.operation
def delete_instance_profile(ctx: IamContext, request: dict[str, Any]) -> None:
    profile = instance_profile(ctx, request["InstanceProfileName"])
    if profile.roles:
        raise delete_conflict("remove roles from instance profile")
    del ctx.state.instance_profiles[folded(profile.instance_profile_name)]


@ops.operation
def tag_instance_profile(ctx: IamContext, request: dict[str, Any]) -> None:
    add_tags(instance_profile(ctx, request["InstanceProfileName"]).tags, request)


@ops.operation
def untag_instance_profile(ctx: IamContext, request: dict[str, Any]) -> None:
    remove_tags(instance_profile(ctx, request["InstanceProfileName"]).tags, request["TagKeys"])


@ops.operation
def list_instance_profile_tags(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    return tags_page(ctx, request, instance_profile(ctx, request["InstanceProfileName"]).tags)

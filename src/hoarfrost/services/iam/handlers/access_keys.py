"""Access keys: long-term ``AKIA`` keys that work. A key created here is registered with the
emulator's account map (through the service's key index), so a client signing with it is its
user in every service; Inactive and deleted keys are refused by the pipeline."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.iam.errors import errors, quota
from hoarfrost.services.iam.handlers import ops
from hoarfrost.services.iam.handlers.common import IamContext, now, page, request_user
from hoarfrost.services.iam.state import MAX_ACCESS_KEYS, AccessKey, User, new_id, new_secret


def _owner(ctx: IamContext, request: dict[str, Any]) -> User:
    """The named user, else the caller (a request signed with a user's key); hoarfrost issues
    no access keys for an account's root."""
    return request_user(ctx, request)


def _key(ctx: IamContext, owner: User, key_id: str) -> AccessKey:
    found = owner.access_keys.get(key_id)
    if found is None:
        raise errors.NoSuchEntityException(f"The Access Key with id {key_id} cannot be found.")
    return found


@ops.operation
def create_access_key(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    owner = _owner(ctx, request)
    if len(owner.access_keys) >= MAX_ACCESS_KEYS:
        raise quota("AccessKeysPerUser", MAX_ACCESS_KEYS)
    key = AccessKey(access_key_id=new_id("access_key"), secret_access_key=new_secret(), create_date=now(ctx))
    owner.access_keys[key.access_key_id] = key
    ctx.service.index_user_keys((ctx.scope.account, ctx.scope.region), owner)
    return {"AccessKey": {"UserName": owner.user_name, "AccessKeyId": key.access_key_id, "Status": key.status,
                          "SecretAccessKey": key.secret_access_key, "CreateDate": key.create_date}}


@ops.operation
def update_access_key(ctx: IamContext, request: dict[str, Any]) -> None:
    owner = _owner(ctx, request)
    _key(ctx, owner, request["AccessKeyId"]).status = request["Status"]
    ctx.service.index_user_keys((ctx.scope.account, ctx.scope.region), owner)


@ops.operation
def delete_access_key(ctx: IamContext, request: dict[str, Any]) -> None:
    owner = _owner(ctx, request)
    key = _key(ctx, owner, request["AccessKeyId"])
    del owner.access_keys[key.access_key_id]
    ctx.state.deleted_access_keys.add(key.access_key_id)
    ctx.service.forget_key((ctx.scope.account, ctx.scope.region), key.access_key_id)


@ops.operation
def list_access_keys(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    owner = _owner(ctx, request)
    items: list[dict[str, Any]] = [{"UserName": owner.user_name, "AccessKeyId": key.access_key_id,
                                    "Status": key.status, "CreateDate": key.create_date}
                                   for key in owner.access_keys.values()]
    return page(ctx, request, items, lambda item: (item["CreateDate"].isoformat(), item["AccessKeyId"]),
                "AccessKeyMetadata")


@ops.operation
def get_access_key_last_used(ctx: IamContext, request: dict[str, Any]) -> dict[str, Any]:
    key_id = request["AccessKeyId"]
    for owner in ctx.state.users.values():
        key = owner.access_keys.get(key_id)
        if key is not None:
            used: dict[str, Any] = {"ServiceName": key.last_used_service or "N/A",
                                    "Region": key.last_used_region or "N/A"}
            if key.last_used_date is not None:
                used["LastUsedDate"] = key.last_used_date
            return {"UserName": owner.user_name, "AccessKeyLastUsed": used}
    raise errors.NoSuchEntityException(f"The Access Key with id {key_id} cannot be found.")

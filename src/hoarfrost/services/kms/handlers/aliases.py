"""Aliases: friendly names for keys (``alias/<name>``), and the ``alias/aws/<service>`` names
of AWS managed keys, which KMS creates on first use and callers may not change."""

from __future__ import annotations

import re
from typing import Any

from hoarfrost.services.kms import specs
from hoarfrost.services.kms.errors import alias_not_found, errors, invalid_state, validation
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import ALIAS_PREFIX, MANAGED_PREFIX, KmsContext, backend, key
from hoarfrost.services.kms.handlers.keys import page, paged
from hoarfrost.services.kms.state import PENDING_DELETIONS, Alias, Key

_NAME = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")


def _check_name(name: str) -> None:
    if not name.startswith(ALIAS_PREFIX):
        raise errors.InvalidAliasNameException('Alias must start with the prefix "alias/". Please see '
                                               "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
    if not _NAME.match(name):
        raise errors.InvalidAliasNameException(f"Alias name {name} must satisfy regular expression pattern: "
                                               "^[a-zA-Z0-9:/_-]+$")
    if name.startswith(MANAGED_PREFIX):
        raise errors.InvalidAliasNameException(f"Alias {name} cannot begin with the reserved prefix {MANAGED_PREFIX}")


def _target(ctx: KmsContext, key_id: str) -> Key:
    found = key(ctx, key_id)
    if found.key_state in PENDING_DELETIONS:
        raise invalid_state(found.arn, found.key_state)
    if found.key_manager == "AWS":
        raise errors.UnsupportedOperationException(f"{found.arn} is an AWS managed key: it cannot have an alias.")
    return found


def _kind(found: Key) -> tuple[str, str]:
    spec = specs.SPECS[found.key_spec]
    return ("symmetric" if spec.symmetric else "hmac" if spec.hmac else "asymmetric"), found.key_usage


@ops.operation
def create_alias(ctx: KmsContext, request: dict[str, Any]) -> None:
    name = request["AliasName"]
    _check_name(name)
    state = backend(ctx)
    if name in state.aliases:
        raise errors.AlreadyExistsException(f"An alias with the name {state.alias_arn(name)} already exists")
    target = _target(ctx, request["TargetKeyId"])
    now = ctx.clock.time()
    state.aliases[name] = Alias(name=name, target_key_id=target.key_id, created=now, updated=now)


@ops.operation
def update_alias(ctx: KmsContext, request: dict[str, Any]) -> None:
    name = request["AliasName"]
    state = backend(ctx)
    alias = state.aliases.get(name)
    if alias is None:
        raise alias_not_found(state.alias_arn(name))
    if name.startswith(MANAGED_PREFIX):
        raise errors.InvalidAliasNameException(f"Alias {name} is reserved for an AWS managed key.")
    target = _target(ctx, request["TargetKeyId"])
    current = state.keys.get(alias.target_key_id)
    if current is not None and _kind(current) != _kind(target):
        raise validation(f"{target.arn} is not the same key type and key usage as the alias's current target key.")
    alias.target_key_id, alias.updated = target.key_id, ctx.clock.time()


@ops.operation
def delete_alias(ctx: KmsContext, request: dict[str, Any]) -> None:
    name = request["AliasName"]
    state = backend(ctx)
    if name not in state.aliases:
        raise alias_not_found(state.alias_arn(name))
    if name.startswith(MANAGED_PREFIX):
        raise errors.InvalidAliasNameException(f"Alias {name} is reserved for an AWS managed key.")
    del state.aliases[name]


@ops.operation
def list_aliases(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    names = sorted(state.aliases)
    if request.get("KeyId"):
        wanted = key(ctx, request["KeyId"]).key_id
        names = [name for name in names if state.aliases[name].target_key_id == wanted]
    result = page(ctx, names, request, "ListAliases", sort_key=str)
    entries = []
    for name in result.items:
        alias = state.aliases[name]
        entries.append({"AliasName": name, "AliasArn": state.alias_arn(name), "TargetKeyId": alias.target_key_id,
                        "CreationDate": alias.created, "LastUpdatedDate": alias.updated})
    return paged(result, "Aliases", entries)

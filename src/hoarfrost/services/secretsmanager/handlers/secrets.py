"""Secrets themselves: CreateSecret, DescribeSecret, UpdateSecret, ListSecrets, DeleteSecret
(with its recovery window by the emulator's clock) and RestoreSecret."""

from __future__ import annotations

import re
import secrets as random
import string
from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.secretsmanager.errors import errors, invalid_parameter, marked_for_deletion
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.handlers.common import (
    SmContext,
    add_version,
    backend,
    check_value,
    describe,
    find,
    new_version_id,
    primary,
)
from hoarfrost.services.secretsmanager.handlers.replication import add_replicas, sync_replicas
from hoarfrost.services.secretsmanager.handlers.tags import TAG_RULES
from hoarfrost.services.secretsmanager.state import CURRENT, DAY, DEFAULT_RECOVERY_DAYS, Secret

_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]+")
_SUFFIX_ALPHABET = string.ascii_letters + string.digits
LIST_MAX = 100


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise invalid_parameter("Invalid name. Must be a valid name containing alphanumeric characters, "
                                "or any of the following: -/_+=.@!")


@ops.operation
def create_secret(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["Name"]
    _check_name(name)
    string_value, binary = request.get("SecretString"), request.get("SecretBinary")
    check_value(string_value, binary)
    token = request.get("ClientRequestToken")
    state = backend(ctx)
    existing = state.secrets.get(name)
    if existing is not None:
        if existing.deleted is not None:
            raise errors.InvalidRequestException(
                "You can't create this secret because a secret with this name is already scheduled for deletion.")
        version = existing.versions.get(token) if token is not None else None
        if version is None:
            raise errors.ResourceExistsException(f"The operation failed because the secret {name} already exists.")
        if not version.same_value(string_value, binary):
            raise errors.ResourceExistsException(
                "You can't modify an existing version, you can only create a new version.")
        ctx.mark_unchanged()
        return {"ARN": existing.arn, "Name": name, "VersionId": version.version_id}
    tags = tagkit.check(tagkit.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
    now = ctx.clock.time()
    secret = Secret(name=name, suffix="".join(random.choice(_SUFFIX_ALPHABET) for _ in range(6)),
                    created=now, last_changed=now, description=request.get("Description"),
                    kms_key_id=request.get("KmsKeyId"), type=request.get("Type"), tags=tags)
    output: dict[str, Any] = {}
    if string_value is not None or binary is not None:
        version_id = new_version_id(token)
        add_version(secret, version_id, string_value, binary, [CURRENT], now)
        output["VersionId"] = version_id
    state.add(secret)
    if request.get("AddReplicaRegions"):
        output["ReplicationStatus"] = add_replicas(ctx, secret, request["AddReplicaRegions"],
                                                   bool(request.get("ForceOverwriteReplicaSecret")))
    return {"ARN": secret.arn, "Name": name, **output}


@ops.operation
def describe_secret(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    # A secret scheduled for deletion is still described (with its DeletedDate).
    return describe(find(ctx, request["SecretId"]), ctx.scope.region)


@ops.operation
def update_secret(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    string_value, binary = request.get("SecretString"), request.get("SecretBinary")
    check_value(string_value, binary)
    now = ctx.clock.time()
    output: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if request.get("Description") is not None:
        secret.description = request["Description"]
    if request.get("KmsKeyId") is not None:
        secret.kms_key_id = request["KmsKeyId"]
    if request.get("Type") is not None:
        secret.type = request["Type"]
    if string_value is not None or binary is not None:
        version_id = new_version_id(request.get("ClientRequestToken"))
        add_version(secret, version_id, string_value, binary, [CURRENT], now)
        output["VersionId"] = version_id
    secret.last_changed = now
    sync_replicas(ctx, secret)
    return output


def _matches(secret: Secret, key: str, value: str, region: str) -> bool:
    """One filter value against one secret (a prefix, as AWS matches)."""
    if key == "name":
        return secret.name.startswith(value)
    if key == "description":
        return (secret.description or "").lower().startswith(value.lower())
    if key == "tag-key":
        return any(tag.startswith(value) for tag in secret.tags)
    if key == "tag-value":
        return any(tag.startswith(value) for tag in secret.tags.values())
    if key == "primary-region":
        return (secret.primary_region or region).startswith(value)
    if key == "owning-service":
        return (secret.owning_service or "").startswith(value)
    # all: every word against name, description, tag keys and values, case-insensitively
    fields = [secret.name, secret.description or "", *secret.tags, *secret.tags.values()]
    words = value.lower().split()
    return all(any(word in field.lower() for field in fields) for word in words)


def filtered(secrets: list[Secret], filters: list[dict[str, Any]], region: str) -> list[Secret]:
    """Secrets passing every filter: a filter passes when any positive value matches (or it
    has none) and no ``!value`` does."""
    for item in filters:
        key = item.get("Key")
        values = item.get("Values") or []
        if key is None or not values:
            raise invalid_parameter("Invalid filter: a filter needs a Key and at least one value.")
        positive = [v for v in values if not v.startswith("!")]
        negative = [v[1:] for v in values if v.startswith("!")]
        secrets = [s for s in secrets
                   if (not positive or any(_matches(s, key, v, region) for v in positive))
                   and not any(_matches(s, key, v, region) for v in negative)]
    return secrets


_SORT_KEYS = {
    "created-date": lambda s: (s.created, s.name),
    "last-changed-date": lambda s: (s.last_changed, s.name),
    "last-accessed-date": lambda s: (s.last_accessed or 0.0, s.name),
    "name": lambda s: (s.name,),
}


@ops.operation
def list_secrets(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    secrets = [s for s in state.secrets.values() if request.get("IncludePlannedDeletion") or s.deleted is None]
    secrets = filtered(secrets, request.get("Filters") or [], ctx.scope.region)
    secrets.sort(key=_SORT_KEYS[request.get("SortBy") or "created-date"],
                 reverse=request.get("SortOrder") == "desc")
    limit = request.get("MaxResults") or LIST_MAX
    page = paginate(secrets, request.get("NextToken"), limit, kind="secretsmanager:ListSecrets",
                    error=lambda: errors.InvalidNextTokenException("The NextToken value is invalid."))
    return {"SecretList": [describe(s, ctx.scope.region, list_entry=True) for s in page.items],
            **page.token_member()}


@ops.operation
def delete_secret(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = find(ctx, request["SecretId"])
    force = bool(request.get("ForceDeleteWithoutRecovery"))
    window = request.get("RecoveryWindowInDays")
    if force and window is not None:
        raise invalid_parameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
    if window is not None and not 7 <= window <= 30:
        raise invalid_parameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
    if secret.is_replica:
        raise errors.InvalidRequestException(
            "Operation not permitted on a replica secret. Call must be made in primary secret's region.")
    if secret.replicas:
        raise errors.InvalidRequestException(
            "You can't delete secret " + secret.name + " that still has replica regions [" +
            ", ".join(r.region for r in secret.replicas) + "]")
    now = ctx.clock.time()
    state = backend(ctx)
    if force:
        state.remove(secret.name)
        return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": now}
    if secret.deleted is not None:
        raise marked_for_deletion()
    secret.deleted = now
    secret.deletion_due = now + (window or DEFAULT_RECOVERY_DAYS) * DAY
    state.pending[secret.name] = secret.deletion_due
    return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": secret.deletion_due}


@ops.operation
def restore_secret(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = find(ctx, request["SecretId"])
    secret.deleted = secret.deletion_due = None
    backend(ctx).pending.pop(secret.name, None)
    return {"ARN": secret.arn, "Name": secret.name}

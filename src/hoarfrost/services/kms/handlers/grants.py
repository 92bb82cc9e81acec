"""Grants: permissions on one key for one principal, with constraints on the encryption
context, retired by the retiring principal or revoked by the key's owner. A grant's token
works in GrantTokens at once; a grant also lets another account use the key."""

from __future__ import annotations

import base64
import os
import re
from typing import Any

from hoarfrost.core.kit.arn import partition_for
from hoarfrost.services.kms import specs
from hoarfrost.services.kms.errors import errors, validation
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import (
    KmsContext,
    authorize,
    backend,
    dry_run,
    grant_tokens,
    key,
    usable,
)
from hoarfrost.services.kms.handlers.keys import page, paged
from hoarfrost.services.kms.state import Grant, Key

MAX_GRANTS_PER_KEY = 50_000
_PRINCIPAL = re.compile(r"^(arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+|\d{12}|[a-z0-9.-]+\.amazonaws\.com)$")


def _principal(value: str | None, member: str) -> str | None:
    if value is not None and not _PRINCIPAL.match(value):
        raise errors.InvalidArnException(f"{member} {value} is not a valid principal.")
    return value


def _entry(found: Key, grant: Grant) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "KeyId": found.arn, "GrantId": grant.grant_id, "CreationDate": grant.created,
        "IssuingAccount": grant.issuing_account, "Operations": list(grant.operations),
    }
    for member, value in (("Name", grant.name), ("GranteePrincipal", grant.grantee_principal),
                          ("GranteeServicePrincipal", grant.grantee_service_principal),
                          ("RetiringPrincipal", grant.retiring_principal),
                          ("RetiringServicePrincipal", grant.retiring_service_principal)):
        if value:
            entry[member] = value
    if grant.constraints:
        entry["Constraints"] = {name: dict(pairs) for name, pairs in grant.constraints.items()}
    return entry


@ops.operation
def create_grant(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    grant_tokens(ctx, request)
    usable(ctx, found, "CreateGrant")
    grantee = _principal(request.get("GranteePrincipal"), "GranteePrincipal")
    grantee_service = request.get("GranteeServicePrincipal")
    if not grantee and not grantee_service:
        raise validation("GranteePrincipal or GranteeServicePrincipal must be specified.")
    operations = list(dict.fromkeys(request["Operations"]))
    if not operations:
        raise validation("Operations must contain at least one grant operation.")
    invalid = [name for name in operations if name not in specs.grant_operations(found.key_spec, found.key_usage)]
    if invalid:
        raise validation(f"Grant operations {', '.join(invalid)} are not valid for a {found.key_spec} KMS key "
                         f"with key usage {found.key_usage}.")
    constraints = {name: dict(pairs) for name, pairs in (request.get("Constraints") or {}).items() if pairs is not None}
    if "EncryptionContextSubset" in constraints and "EncryptionContextEquals" in constraints:
        raise validation("Grant constraints may have EncryptionContextSubset or EncryptionContextEquals, not both.")
    grant = Grant(
        grant_id=os.urandom(32).hex(), token=base64.b64encode(os.urandom(96)).decode("ascii"),
        grantee_principal=grantee, grantee_service_principal=grantee_service,
        retiring_principal=_principal(request.get("RetiringPrincipal"), "RetiringPrincipal"),
        retiring_service_principal=request.get("RetiringServicePrincipal"),
        operations=operations, constraints=constraints, name=request.get("Name"),
        issuing_account=f"arn:{partition_for(ctx.region)}:iam::{ctx.account}:root", created=ctx.clock.time(),
    )
    if grant.name:
        for existing in found.grants.values():
            if existing.name == grant.name and _same(existing, grant):
                dry_run(request)
                return {"GrantId": existing.grant_id, "GrantToken": existing.token}
    if len(found.grants) >= MAX_GRANTS_PER_KEY:
        raise errors.LimitExceededException(f"Grants per key limit of {MAX_GRANTS_PER_KEY} exceeded.")
    dry_run(request)
    ctx.state.add_grant(found, grant)
    return {"GrantId": grant.grant_id, "GrantToken": grant.token}


def _same(one: Grant, other: Grant) -> bool:
    """CreateGrant with a name and the same parameters answers the existing grant (idempotent)."""
    fields = ("grantee_principal", "grantee_service_principal", "retiring_principal", "retiring_service_principal",
              "constraints")
    return all(getattr(one, name) == getattr(other, name) for name in fields) and \
        sorted(one.operations) == sorted(other.operations)


@ops.operation
def list_grants(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    authorize(ctx, found, "ListGrants")
    grants = list(found.grants.values())
    if request.get("GrantId"):
        grants = [grant for grant in grants if grant.grant_id == request["GrantId"]]
    if request.get("GranteePrincipal"):
        grants = [grant for grant in grants if grant.grantee_principal == request["GranteePrincipal"]]
    if request.get("GranteeServicePrincipal"):
        grants = [grant for grant in grants if grant.grantee_service_principal == request["GranteeServicePrincipal"]]
    result = page(ctx, grants, request, "ListGrants")
    return paged(result, "Grants", [_entry(found, grant) for grant in result.items])


@ops.operation
def list_retirable_grants(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    principal = request.get("RetiringPrincipal")
    service = request.get("RetiringServicePrincipal")
    if not principal and not service:
        raise validation("RetiringPrincipal or RetiringServicePrincipal must be specified.")
    state = backend(ctx)
    found = [(owner, grant) for owner in state.keys.values() for grant in owner.grants.values()
             if (principal and grant.retiring_principal == principal)
             or (service and grant.retiring_service_principal == service)]
    result = page(ctx, found, request, "ListRetirableGrants")
    return paged(result, "Grants", [_entry(owner, grant) for owner, grant in result.items])


def _grant(ctx: KmsContext, key_id: str, grant_id: str, operation: str) -> tuple[Key, Grant]:
    found = key(ctx, key_id)
    authorize(ctx, found, operation)
    grant = found.grants.get(grant_id)
    if grant is None:
        raise errors.NotFoundException(f"Grant ID {grant_id} not found")
    return found, grant


@ops.operation
def retire_grant(ctx: KmsContext, request: dict[str, Any]) -> None:
    state = backend(ctx)
    token, grant_id, key_id = request.get("GrantToken"), request.get("GrantId"), request.get("KeyId")
    if token:
        where = state.grant_tokens.get(token)
        if where is None:
            raise errors.InvalidGrantTokenException("Invalid grant token.")
        found, grant = state.keys[where[0]], state.keys[where[0]].grants[where[1]]
    elif grant_id and key_id:
        found, grant = _grant(ctx, key_id, grant_id, "RetireGrant")
    else:
        raise validation("Either GrantToken, or both KeyId and GrantId, must be specified.")
    dry_run(request)
    state.remove_grant(found, grant.grant_id)


@ops.operation
def revoke_grant(ctx: KmsContext, request: dict[str, Any]) -> None:
    found, grant = _grant(ctx, request["KeyId"], request["GrantId"], "RevokeGrant")
    dry_run(request)
    ctx.state.remove_grant(found, grant.grant_id)

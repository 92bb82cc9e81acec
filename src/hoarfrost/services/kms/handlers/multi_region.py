"""Multi-Region keys: ReplicateKey makes a copy of a primary key in another region that shares
its key id and material (so either decrypts what the other encrypted), and
UpdatePrimaryRegion swaps the primary's role with one of its replicas. Every copy knows the
primary's region and the replicas' regions; ``KmsService.sync_replicas`` keeps them alike."""

from __future__ import annotations

import copy
from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import partition_for
from hoarfrost.services.kms.errors import errors, invalid_state
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import KmsContext, key, key_metadata
from hoarfrost.services.kms.handlers.keys import TAG_RULES, checked_policy
from hoarfrost.services.kms.state import (
    ENABLED,
    PENDING_DELETIONS,
    PENDING_IMPORT,
    Key,
    default_key_policy,
    key_arn,
)


def _primary(ctx: KmsContext, key_id: str) -> Key:
    found = key(ctx, key_id)
    if not found.multi_region:
        raise errors.UnsupportedOperationException(f"{found.arn} is not a multi-Region key.")
    if found.primary_region != ctx.state.region:
        raise errors.UnsupportedOperationException(f"{found.arn} is not a multi-Region primary key.")
    if found.key_state in PENDING_DELETIONS:
        raise invalid_state(found.arn, found.key_state)
    return found


@ops.operation
def replicate_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    primary = _primary(ctx, request["KeyId"])
    region: str = request["ReplicaRegion"]
    if region == ctx.state.region or region in primary.replica_regions:
        raise errors.AlreadyExistsException(f"{key_arn(region, ctx.state.account, primary.key_id)} already exists.")
    account, home = ctx.state.account, ctx.state.region
    tags = tagging.check(tagging.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
    replica = Key(
        key_id=primary.key_id, key_spec=primary.key_spec, key_usage=primary.key_usage, origin=primary.origin,
        description=request["Description"] if request.get("Description") is not None else primary.description,
        created=ctx.clock.time(), key_state=ENABLED if primary.materials else PENDING_IMPORT,
        materials=copy.deepcopy(primary.materials), current_material=primary.current_material,
        multi_region=True, primary_region=home, replica_regions=[*primary.replica_regions, region], tags=tags,
        imported_fingerprint=primary.imported_fingerprint, expiration_model=primary.expiration_model,
    )
    replica.arn = key_arn(region, account, replica.key_id)
    policy = request.get("Policy")
    replica.policy = (checked_policy(ctx, policy, replica.arn, bool(request.get("BypassPolicyLockoutSafetyCheck")))
                      if policy else default_key_policy(account, partition_for(region)))
    with ctx.in_scope(account, region) as scope:
        if replica.key_id in scope.backend.keys:
            raise errors.AlreadyExistsException(f"{replica.arn} already exists.")
        scope.backend.add_key(replica)
        metadata = key_metadata(replica, account)
    ctx.mark_changed()
    primary = ctx.state.keys[replica.key_id]  # looked up again: the own lock was released meanwhile
    primary.replica_regions = replica.replica_regions
    key_id = replica.key_id
    ctx.after_commit(lambda: ctx.service.sync_replicas(account, home, key_id))
    return {"ReplicaKeyMetadata": metadata, "ReplicaPolicy": replica.policy,
            "ReplicaTags": tagging.to_list(tags, TAG_RULES)}


@ops.operation
def update_primary_region(ctx: KmsContext, request: dict[str, Any]) -> None:
    primary = _primary(ctx, request["KeyId"])
    region: str = request["PrimaryRegion"]
    if region == ctx.state.region:
        return
    if region not in primary.replica_regions:
        raise errors.NotFoundException(f"{key_arn(region, ctx.state.account, primary.key_id)} does not exist.")
    home = ctx.state.region
    primary.primary_region = region
    primary.replica_regions = [where for where in primary.replica_regions if where != region] + [home]
    account, key_id = ctx.state.account, primary.key_id
    ctx.after_commit(lambda: ctx.service.sync_replicas(account, home, key_id))

"""Replicas in other regions: ReplicateSecretToRegions (and CreateSecret's AddReplicaRegions),
RemoveRegionsFromReplication, StopReplicationToReplica, and keeping replicas in step.

A replica is a read-only copy of its primary in another region of the same account, with the
same name and suffix (its ARN differs only in the region). Creating one works in the replica's
scope at once (``ctx.in_scope``) because the answer says whether it succeeded; later changes of
the primary reach its replicas after the request's lock is released (``ctx.after_commit``)."""

from __future__ import annotations

import copy
from typing import Any

from hoarfrost.services.secretsmanager.errors import errors, invalid_parameter
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.handlers.common import SmContext, live, primary, replication_status
from hoarfrost.services.secretsmanager.state import ReplicaStatus, Secret


def _replica_of(secret: Secret, primary_region: str, kms_key_id: str | None) -> Secret:
    replica = copy.deepcopy(secret)
    replica.replicas = []
    replica.primary_region = primary_region
    replica.kms_key_id = kms_key_id
    replica.last_accessed = None
    return replica


def add_replicas(ctx: SmContext, secret: Secret, specs: list[dict[str, Any]], force: bool) -> list[dict[str, Any]]:
    """Create replicas of ``secret`` in the regions ``specs`` name; the secret's whole
    ReplicationStatus afterwards. A region where another secret has the name fails unless
    ``force`` overwrites it."""
    own, name, account = ctx.scope.region, secret.name, ctx.scope.account
    known = {replica.region for replica in secret.replicas}
    planned: list[tuple[str, str | None, Secret]] = []
    for spec in specs:
        region = spec.get("Region")
        if not region or region == own:
            raise invalid_parameter("Invalid replica region.")
        if region in known:
            continue
        known.add(region)
        planned.append((region, spec.get("KmsKeyId"), _replica_of(secret, own, spec.get("KmsKeyId"))))
    now = ctx.clock.time()
    statuses: list[ReplicaStatus] = []
    for region, kms_key_id, replica in planned:
        with ctx.in_scope(account, region) as scope:
            target = scope.backend
            target.purge(now)
            existing = target.secrets.get(name)
            if existing is not None and not force and existing.primary_region != own:
                statuses.append(ReplicaStatus(region, kms_key_id, "Failed",
                                              f"Replication failed: Secret name {name} already exists in region "
                                              f"{region}."))
                continue
            target.add(replica)
            statuses.append(ReplicaStatus(region, kms_key_id))
    ctx.mark_changed()
    current = ctx.state.secrets.get(name)  # found again: the lock was let go meanwhile
    if current is None:
        return []
    current.replicas.extend(statuses)
    return replication_status(current)


def sync_replicas(ctx: SmContext, secret: Secret) -> None:
    """After this request, write ``secret``'s new state over each of its replicas."""
    own, account = ctx.scope.region, ctx.scope.account
    copies = [(replica.region, _replica_of(secret, own, replica.kms_key_id))
              for replica in secret.replicas if replica.status == "InSync"]
    if not copies:
        return
    service, operation = ctx.service, ctx.operation

    def write() -> None:
        for region, replica in copies:
            scope = service.backends.scope(account, region)
            with scope.lock:
                existing = scope.backend.secrets.get(replica.name)
                if existing is None or existing.primary_region != own:
                    continue  # promoted or removed meanwhile
                replica.last_accessed = existing.last_accessed
                scope.backend.add(replica)
            service.notify_state_changed(account, region, operation)

    ctx.after_commit(write)


@ops.operation
def replicate_secret_to_regions(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    arn = secret.arn
    statuses = add_replicas(ctx, secret, request["AddReplicaRegions"], bool(request.get("ForceOverwriteReplicaSecret")))
    return {"ARN": arn, "ReplicationStatus": statuses}


@ops.operation
def remove_regions_from_replication(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    name, own, account = secret.name, ctx.scope.region, ctx.scope.account
    regions = list(dict.fromkeys(request["RemoveReplicaRegions"]))
    replicated = {replica.region for replica in secret.replicas}
    for region in regions:
        if region not in replicated:
            raise invalid_parameter(f"Region {region} is not a replica region of this secret.")
    secret.replicas = [replica for replica in secret.replicas if replica.region not in regions]
    arn = secret.arn
    for region in regions:
        with ctx.in_scope(account, region) as scope:
            existing = scope.backend.secrets.get(name)
            if existing is not None and existing.primary_region == own:
                scope.backend.remove(name)
    ctx.mark_changed()
    current = ctx.state.secrets.get(name)
    return {"ARN": arn, "ReplicationStatus": replication_status(current) if current is not None else []}


@ops.operation
def stop_replication_to_replica(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = live(ctx, request["SecretId"])
    if secret.primary_region is None:
        raise errors.InvalidRequestException("This secret is not a replica secret.")
    primary_region, name, account, region = secret.primary_region, secret.name, ctx.scope.account, ctx.scope.region
    secret.primary_region = None  # a standalone secret from now on
    arn = secret.arn
    with ctx.in_scope(account, primary_region) as scope:
        original = scope.backend.secrets.get(name)
        if original is not None:
            original.replicas = [replica for replica in original.replicas if replica.region != region]
    ctx.mark_changed()
    return {"ARN": arn}

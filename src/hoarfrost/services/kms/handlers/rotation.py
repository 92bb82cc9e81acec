"""Key rotation: automatic rotation every RotationPeriodInDays by the emulator's clock,
RotateKeyOnDemand, and the list of rotations. Every generation of material keeps decrypting
what it encrypted; a multi-Region primary's new material reaches its replicas."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.kms import specs
from hoarfrost.services.kms.errors import errors, invalid_state, unsupported_origin
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import KmsContext, authorize, key, usable
from hoarfrost.services.kms.handlers.keys import page, paged
from hoarfrost.services.kms.state import DAY, DEFAULT_ROTATION_DAYS, PENDING_DELETIONS, Key

MAX_ON_DEMAND_ROTATIONS = 25


def _rotatable(ctx: KmsContext, request: dict[str, Any], operation: str, *, in_use: bool = True) -> Key:
    found = key(ctx, request["KeyId"])
    if in_use:
        usable(ctx, found, operation)
    else:
        authorize(ctx, found, operation)
        if found.key_state in PENDING_DELETIONS:
            raise invalid_state(found.arn, found.key_state)
    if found.key_spec != specs.SYMMETRIC_DEFAULT:
        raise errors.UnsupportedOperationException(
            f"{found.arn} key spec is {found.key_spec}: only symmetric encryption KMS keys rotate.")
    if found.origin != "AWS_KMS":
        raise unsupported_origin(found.arn, found.origin)
    if found.multi_region and found.primary_region != ctx.state.region:
        raise errors.UnsupportedOperationException(
            f"{found.arn} is a multi-Region replica key: rotation is managed on its primary key.")
    return found


@ops.operation
def enable_key_rotation(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = _rotatable(ctx, request, "EnableKeyRotation")
    period = request.get("RotationPeriodInDays") or found.rotation_period_days or DEFAULT_ROTATION_DAYS
    if not found.rotation_enabled or period != found.rotation_period_days:
        found.next_rotation = ctx.clock.time() + period * DAY
    found.rotation_enabled, found.rotation_period_days = True, period
    ctx.state.schedule(found)


@ops.operation
def disable_key_rotation(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = _rotatable(ctx, request, "DisableKeyRotation")
    if found.key_manager == "AWS":
        raise errors.UnsupportedOperationException(f"{found.arn} is an AWS managed key: its rotation cannot change.")
    found.rotation_enabled, found.next_rotation = False, None


@ops.operation
def get_key_rotation_status(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _rotatable(ctx, request, "GetKeyRotationStatus", in_use=False)
    out: dict[str, Any] = {"KeyRotationEnabled": found.rotation_enabled, "KeyId": found.arn}
    if found.rotation_enabled:
        out["RotationPeriodInDays"] = found.rotation_period_days
        out["NextRotationDate"] = found.next_rotation
    if found.on_demand_rotation_started is not None:
        out["OnDemandRotationStartDate"] = found.on_demand_rotation_started
    return out


@ops.operation
def rotate_key_on_demand(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = _rotatable(ctx, request, "RotateKeyOnDemand")
    done = sum(1 for material in found.materials.values() if material.rotation_type == "ON_DEMAND")
    if done >= MAX_ON_DEMAND_ROTATIONS:
        raise errors.LimitExceededException(
            f"{found.arn} has reached the limit of {MAX_ON_DEMAND_ROTATIONS} on-demand rotations.")
    now = ctx.clock.time()
    found.rotate(now, "ON_DEMAND")
    found.on_demand_rotation_started = now
    if found.multi_region:
        account, region, key_id = ctx.state.account, ctx.state.region, found.key_id
        ctx.after_commit(lambda: ctx.service.sync_replicas(account, region, key_id))
    return {"KeyId": found.key_id}


@ops.operation
def list_key_rotations(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    if found.key_spec != specs.SYMMETRIC_DEFAULT:
        raise errors.UnsupportedOperationException(
            f"{found.arn} key spec is {found.key_spec}: only symmetric encryption KMS keys rotate.")
    everything = request.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
    materials = [m for m in found.materials.values() if everything or m.rotation_type]
    result = page(ctx, materials, request, "ListKeyRotations")
    entries = []
    for material in result.items:
        entry: dict[str, Any] = {
            "KeyId": found.key_id, "KeyMaterialId": material.material_id,
            "KeyMaterialState": "CURRENT" if material.material_id == found.current_material else "NON_CURRENT",
        }
        if material.rotation_type:
            entry["RotationDate"], entry["RotationType"] = material.created, material.rotation_type
        entries.append(entry)
    return paged(result, "Rotations", entries)

"""RotateSecret and CancelRotateSecret.

RotateSecret stores the rotation configuration (function, schedule by the emulator's clock)
and, unless RotateImmediately is false, starts a rotation: it checks what AWS checks before
answering (the function exists and its policy lets secretsmanager.amazonaws.com invoke it; no
other rotation is pending), answers the new version's id at once, and leaves the four steps to
the rotator (``rotator.py``) once the request's lock is released."""

from __future__ import annotations

import re
import uuid
from typing import Any

from hoarfrost.services.secretsmanager.errors import errors, invalid_parameter
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.handlers.common import SmContext, primary
from hoarfrost.services.secretsmanager.handlers.replication import sync_replicas
from hoarfrost.services.secretsmanager.rotator import CANNOT_INVOKE, Rotation, may_invoke
from hoarfrost.services.secretsmanager.schedule import CRON, RATE, CronError, next_rotation, parse_cron
from hoarfrost.services.secretsmanager.state import CURRENT, PENDING, RotationRules, Secret

_DURATION = re.compile(r"(\d+)h")


def _rules(raw: dict[str, Any]) -> RotationRules:
    rules = RotationRules(raw.get("AutomaticallyAfterDays"), raw.get("Duration"), raw.get("ScheduleExpression"))
    if rules.automatically_after_days is not None and rules.schedule_expression is not None:
        raise invalid_parameter("You can't specify both AutomaticallyAfterDays and ScheduleExpression.")
    if rules.automatically_after_days is None and rules.schedule_expression is None:
        raise invalid_parameter("RotationRules must specify AutomaticallyAfterDays or ScheduleExpression.")
    expression = rules.schedule_expression
    if expression is not None and CRON.fullmatch(expression):
        try:
            parse_cron(expression)
        except CronError:
            if not any(mark in expression for mark in ("L", "W", "#")):  # valid, but not computed here
                raise invalid_parameter(f"Invalid ScheduleExpression: {expression}") from None
    elif expression is not None and not RATE.fullmatch(expression):
        raise invalid_parameter(f"Invalid ScheduleExpression: {expression}")
    match = RATE.fullmatch(expression or "")
    if match and match.group(2).startswith("hour") and not 4 <= int(match.group(1)) <= 23:
        raise invalid_parameter("A rate expression in hours must be between 4 and 23 hours.")
    if match and match.group(2).startswith("day") and not 1 <= int(match.group(1)) <= 1000:
        raise invalid_parameter("A rate expression in days must be between 1 and 1000 days.")
    duration = _DURATION.fullmatch(rules.duration or "1h")
    if duration is None or not 1 <= int(duration.group(1)) <= 24:
        raise invalid_parameter(f"Invalid Duration: {rules.duration}")
    return rules


@ops.operation
def rotate_secret(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    lambda_arn = request.get("RotationLambdaARN") or secret.rotation_lambda_arn
    rules = _rules(request["RotationRules"]) if request.get("RotationRules") else secret.rotation_rules
    if lambda_arn is None and secret.owning_service is None:
        raise errors.InvalidRequestException("No Lambda rotation function ARN is associated with this secret.")
    rotation: Rotation | None = None
    if request.get("RotateImmediately", True):
        if lambda_arn is None:  # a managed secret: its owning service would rotate it; none runs here
            raise errors.AccessDeniedException(CANNOT_INVOKE)
        token = request.get("ClientRequestToken") or str(uuid.uuid4())
        if _pending_rotation(secret, token):
            raise errors.InvalidRequestException("A previous rotation isn't complete. That rotation will be "
                                                 "reattempted.")
        if not may_invoke(ctx.emulator, lambda_arn, ctx.scope.account, secret.arn):
            raise errors.AccessDeniedException(CANNOT_INVOKE)
        rotation = Rotation(ctx.scope.account, ctx.scope.region, secret.arn, secret.name, lambda_arn, token,
                            str(uuid.uuid4()))
    secret.rotation_lambda_arn = lambda_arn
    secret.rotation_rules = rules
    secret.rotation_enabled = True
    secret.next_rotation = next_rotation(rules, ctx.clock.time())
    sync_replicas(ctx, secret)
    if rotation is None:
        return {"ARN": secret.arn, "Name": secret.name}
    rotator, started = ctx.service.rotator, rotation
    ctx.after_commit(lambda: rotator.submit(started))
    return {"ARN": secret.arn, "Name": secret.name, "VersionId": rotation.token}


def _pending_rotation(secret: Secret, token: str) -> bool:
    """Whether another rotation is under way: AWSPENDING on a version that is neither current
    nor the one this request names (the same token retries that rotation)."""
    pending = secret.version_with(PENDING)
    return pending is not None and CURRENT not in pending.stages and pending.version_id != token


@ops.operation
def cancel_rotate_secret(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    secret.rotation_enabled = False
    secret.next_rotation = None
    pending = secret.version_with(PENDING)
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if pending is not None and CURRENT not in pending.stages:
        pending.stages.remove(PENDING)
        out["VersionId"] = pending.version_id
    sync_replicas(ctx, secret)
    return out

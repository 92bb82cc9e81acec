"""Secret values and their versions: GetSecretValue, BatchGetSecretValue, PutSecretValue,
ListSecretVersionIds and UpdateSecretVersionStage (AWSCURRENT / AWSPREVIOUS / AWSPENDING and
custom labels, which move between versions rather than being copied)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.secretsmanager.errors import errors, invalid_parameter, value_not_found
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.handlers.common import (
    SmContext,
    add_version,
    backend,
    check_value,
    day_of,
    find,
    live,
    new_version_id,
    primary,
)
from hoarfrost.services.secretsmanager.handlers.replication import sync_replicas
from hoarfrost.services.secretsmanager.handlers.secrets import filtered
from hoarfrost.services.secretsmanager.state import CURRENT, Secret, SecretVersion

BATCH_MAX = 20
DEFAULT_KEY = "alias/aws/secretsmanager"
MAX_LABELS = 20


def _version(secret: Secret, version_id: str | None, stage: str | None) -> SecretVersion:
    """The version GetSecretValue answers: by id, by label (AWSCURRENT by default), or by both
    when the id's version carries the label."""
    if version_id is not None:
        version = secret.versions.get(version_id)
        if version is None:
            raise value_not_found("VersionId", version_id)
        if stage is not None and stage not in version.stages:
            raise value_not_found("VersionId", version_id)
        return version
    stage = stage or CURRENT
    version = secret.version_with(stage)
    if version is None:
        raise value_not_found("staging label", stage)
    return version


def _value(secret: Secret, version: SecretVersion) -> dict[str, Any]:
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "VersionId": version.version_id}
    if version.secret_binary is not None:
        out["SecretBinary"] = version.secret_binary
    if version.secret_string is not None:
        out["SecretString"] = version.secret_string
    out["VersionStages"] = list(version.stages)
    out["CreatedDate"] = version.created
    return out


def _read(ctx: SmContext, secret: Secret, version: SecretVersion) -> dict[str, Any]:
    if ctx.account != ctx.scope.account and secret.kms_key_id in (None, DEFAULT_KEY):
        # The AWS managed key's policy admits its own account only.
        raise errors.InvalidRequestException("You can't access a secret from a different AWS account if you encrypt "
                                             "the secret with the default KMS service key.")
    today = day_of(ctx.clock.time())
    secret.last_accessed = version.last_accessed = today
    return _value(secret, version)


@ops.operation
def get_secret_value(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = live(ctx, request["SecretId"])
    return _read(ctx, secret, _version(secret, request.get("VersionId"), request.get("VersionStage")))


@ops.operation
def batch_get_secret_value(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    ids, filters = request.get("SecretIdList"), request.get("Filters")
    if ids is not None and filters is not None:
        raise invalid_parameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
    if ids is None and filters is None:
        raise invalid_parameter("Either 'SecretIdList' or 'Filters' must be provided.")
    if ids is not None:
        if request.get("MaxResults") is not None or request.get("NextToken") is not None:
            raise invalid_parameter("'MaxResults' and 'NextToken' can only be used with 'Filters'.")
        if len(ids) > BATCH_MAX:
            raise invalid_parameter(f"SecretIdList can contain at most {BATCH_MAX} secrets.")
        values: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        for secret_id in ids:
            try:
                secret = live(ctx, secret_id)
                values.append(_read(ctx, secret, _version(secret, None, None)))
            except ServiceError as error:
                failures.append({"SecretId": secret_id, "ErrorCode": error.code, "Message": error.message})
        return {"SecretValues": values, "Errors": failures}
    state = backend(ctx)
    secrets = filtered([s for s in state.secrets.values() if s.deleted is None], filters or [], ctx.scope.region)
    page = paginate(secrets, request.get("NextToken"), request.get("MaxResults") or BATCH_MAX,
                    kind="secretsmanager:BatchGetSecretValue",
                    error=lambda: errors.InvalidNextTokenException("The NextToken value is invalid."))
    values, failures = [], []
    for secret in page.items:
        try:
            values.append(_read(ctx, secret, _version(secret, None, None)))
        except ServiceError as error:
            failures.append({"SecretId": secret.arn, "ErrorCode": error.code, "Message": error.message})
    return {"SecretValues": values, "Errors": failures, **page.token_member()}


@ops.operation
def put_secret_value(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    string_value, binary = request.get("SecretString"), request.get("SecretBinary")
    check_value(string_value, binary)
    if string_value is None and binary is None:
        raise errors.InvalidRequestException("You must provide either SecretString or SecretBinary.")
    stages = list(request.get("VersionStages") or [CURRENT])
    if len(stages) > MAX_LABELS:
        raise errors.LimitExceededException(f"A version can have at most {MAX_LABELS} staging labels.")
    if secret.version_with(CURRENT) is None and CURRENT not in stages:
        stages.append(CURRENT)  # the first version of a secret is always current
    version_id = new_version_id(request.get("ClientRequestToken"))
    version = add_version(secret, version_id, string_value, binary, stages, ctx.clock.time())
    if version is None:
        ctx.mark_unchanged()
        version = secret.versions[version_id]
    else:
        sync_replicas(ctx, secret)
    return {"ARN": secret.arn, "Name": secret.name, "VersionId": version.version_id,
            "VersionStages": list(version.stages)}


@ops.operation
def list_secret_version_ids(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = find(ctx, request["SecretId"])
    versions = [v for v in secret.versions.values() if v.stages or request.get("IncludeDeprecated")]
    page = paginate(versions, request.get("NextToken"), request.get("MaxResults") or 100,
                    kind="secretsmanager:ListSecretVersionIds",
                    error=lambda: errors.InvalidNextTokenException("The NextToken value is invalid."))
    listed = []
    for version in page.items:
        entry: dict[str, Any] = {"VersionId": version.version_id, "VersionStages": list(version.stages),
                                 "CreatedDate": version.created, "KmsKeyIds": list(version.kms_key_ids)}
        if version.last_accessed is not None:
            entry["LastAccessedDate"] = version.last_accessed
        listed.append(entry)
    return {"Versions": listed, "ARN": secret.arn, "Name": secret.name, **page.token_member()}


@ops.operation
def update_secret_version_stage(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    secret = primary(ctx, request["SecretId"])
    stage = request["VersionStage"]
    remove_from, move_to = request.get("RemoveFromVersionId"), request.get("MoveToVersionId")
    target = None
    if move_to is not None:
        target = secret.versions.get(move_to)
        if target is None:
            raise value_not_found("VersionId", move_to)
    if remove_from is not None and remove_from not in secret.versions:
        raise value_not_found("VersionId", remove_from)
    holder = secret.version_with(stage)
    if holder is not None and holder is not target and remove_from != holder.version_id:
        raise invalid_parameter(
            f"The parameter RemoveFromVersionId can't be empty. Staging label {stage} is currently attached to "
            f"version {holder.version_id}, so you must explicitly reference that version in RemoveFromVersionId.")
    if holder is None and remove_from is not None:
        raise invalid_parameter(f"The staging label {stage} isn't attached to version {remove_from}.")
    if target is None and stage == CURRENT:
        raise invalid_parameter("You can't remove the staging label AWSCURRENT from the only version that has it; "
                                "move it to another version with MoveToVersionId.")
    if target is not None and stage not in target.stages and len(target.stages) >= MAX_LABELS:
        raise errors.LimitExceededException(f"A version can have at most {MAX_LABELS} staging labels.")
    secret.move_stage(stage, target)
    secret.last_changed = ctx.clock.time()
    sync_replicas(ctx, secret)
    return {"ARN": secret.arn, "Name": secret.name}

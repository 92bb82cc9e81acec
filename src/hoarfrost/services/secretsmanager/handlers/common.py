"""What every Secrets Manager handler shares: finding the secret a SecretId names (name, full
ARN or partial ARN), the deleted-secret rule, and the answers that describe a secret."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.policies import Decision, caller_request, parse_policy
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.secretsmanager.errors import errors, marked_for_deletion, not_found, on_replica
from hoarfrost.services.secretsmanager.handlers.encryption import DEFAULT_KEY, seal, value_of
from hoarfrost.services.secretsmanager.state import CURRENT, Secret, SecretsBackend, SecretVersion

if TYPE_CHECKING:
    from hoarfrost.services.secretsmanager.service import SecretsManagerService  # noqa: F401

SmContext = RequestContext[SecretsBackend, "SecretsManagerService"]

# The IAM action an operation is authorised as, where it is not the operation's own name.
ACTIONS = {"BatchGetSecretValue": "GetSecretValue"}


def backend(ctx: SmContext) -> SecretsBackend:
    """The scope's backend with secrets past their recovery window forgotten."""
    state = ctx.state
    state.purge(ctx.clock.time())
    return state


def find(ctx: SmContext, secret_id: str) -> Secret:
    """The secret ``secret_id`` names (see ``_lookup``), if the caller may act on it: another
    account needs the secret's resource policy to allow the action, and an explicit Deny in it
    stops anyone."""
    secret = _lookup(ctx, secret_id)
    if secret.resource_policy is not None or ctx.account != ctx.scope.account:
        _authorize(ctx, secret, secret_id)
    return secret


def _authorize(ctx: SmContext, secret: Secret, secret_id: str) -> None:
    action = "secretsmanager:" + ACTIONS.get(ctx.operation, ctx.operation)
    decision = Decision.IMPLICIT_DENY
    if secret.resource_policy is not None:
        decision = parse_policy(secret.resource_policy).evaluate(caller_request(ctx, action, secret.arn))
    if decision is Decision.ALLOW or (decision is Decision.IMPLICIT_DENY and ctx.account == ctx.scope.account):
        return
    caller = ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region).arn
    reason = ("with an explicit deny in a resource-based policy" if decision is Decision.DENY
              else f"because no resource-based policy allows the {action} action")
    raise errors.AccessDeniedException(
        f"User: {caller} is not authorized to perform: {action} on resource: {secret_id} {reason}")


def _lookup(ctx: SmContext, secret_id: str) -> Secret:
    """The secret ``secret_id`` names (``SecretsBackend.named``). Deleted-but-recoverable
    secrets are found too."""
    secret = backend(ctx).named(secret_id)
    if secret is None:
        raise not_found()
    return secret


def live(ctx: SmContext, secret_id: str) -> Secret:
    """A secret that is not scheduled for deletion (AWS refuses most operations on one that is)."""
    secret = find(ctx, secret_id)
    if secret.deleted is not None:
        raise marked_for_deletion()
    return secret


def primary(ctx: SmContext, secret_id: str) -> Secret:
    """A live secret that may be changed here: not a read-only replica."""
    secret = live(ctx, secret_id)
    if secret.is_replica:
        raise on_replica()
    return secret


def new_version_id(token: str | None) -> str:
    return token if token is not None else str(uuid.uuid4())


def check_value(string: str | None, binary: bytes | None) -> None:
    if string is not None and binary is not None:
        raise errors.InvalidParameterException(
            "You can't specify both a binary secret value and a string secret value in the same secret.")


def add_version(ctx: SmContext, secret: Secret, version_id: str, string: str | None, binary: bytes | None,
                stages: list[str], now: float) -> SecretVersion | None:
    """A new version carrying ``stages`` (taken off the versions that had them), its value
    encrypted through KMS, or None when ``version_id`` already holds this very value (a retried
    request changes nothing). ``secret.arn`` must be set (it is in the encryption context).

    A version is never changed: the same id with another value is ResourceExistsException.
    KMS refusing the key raises before anything changed."""
    existing = secret.versions.get(version_id)
    if existing is not None:
        if value_of(ctx, secret, existing) == (string, binary):
            return None
        raise errors.ResourceExistsException("You can't modify an existing version, you can only create a new version.")
    if len(stages) > 20:
        raise errors.LimitExceededException("A version can have at most 20 staging labels.")
    version = SecretVersion(version_id=version_id, created=now, kms_key_ids=[secret.kms_key_id or "DEFAULT"])
    seal(ctx, secret, version, string, binary)
    secret.versions[version_id] = version
    for stage in dict.fromkeys(stages):
        secret.move_stage(stage, version)
    secret.prune()
    secret.last_changed = now
    return version


def day_of(when: float) -> float:
    """LastAccessedDate: AWS records only the day (midnight UTC) of the last access."""
    return when - when % 86_400


def rotation_members(secret: Secret) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if secret.rotation_enabled or secret.rotation_lambda_arn or secret.rotation_rules:
        out["RotationEnabled"] = secret.rotation_enabled
    if secret.rotation_lambda_arn:
        out["RotationLambdaARN"] = secret.rotation_lambda_arn
    if secret.rotation_rules is not None:
        out["RotationRules"] = secret.rotation_rules.to_wire()
    if secret.last_rotated is not None:
        out["LastRotatedDate"] = secret.last_rotated
    if secret.rotation_enabled and secret.next_rotation is not None:
        out["NextRotationDate"] = secret.next_rotation
    return out


def replication_status(secret: Secret) -> list[dict[str, Any]]:
    statuses = []
    for replica in secret.replicas:
        status: dict[str, Any] = {"Region": replica.region, "KmsKeyId": replica.kms_key_id or DEFAULT_KEY,
                                  "Status": replica.status, "StatusMessage": replica.status_message}
        if replica.last_accessed is not None:
            status["LastAccessedDate"] = replica.last_accessed
        statuses.append(status)
    return statuses


def describe(secret: Secret, region: str, *, list_entry: bool = False) -> dict[str, Any]:
    """DescribeSecret's answer, or (``list_entry``) ListSecrets' entry for the secret
    (``region``: the scope's, a primary's PrimaryRegion once it has replicas)."""
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    if secret.type is not None:
        out["Type"] = secret.type
    if secret.description is not None:
        out["Description"] = secret.description
    if secret.kms_key_id is not None:
        out["KmsKeyId"] = secret.kms_key_id
    out.update(rotation_members(secret))
    out["LastChangedDate"] = secret.last_changed
    if secret.last_accessed is not None:
        out["LastAccessedDate"] = secret.last_accessed
    if secret.deleted is not None:
        out["DeletedDate"] = secret.deleted
    if secret.tags:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in secret.tags.items()]
    out["SecretVersionsToStages" if list_entry else "VersionIdsToStages"] = secret.stages_by_version()
    if secret.owning_service is not None:
        out["OwningService"] = secret.owning_service
    out["CreatedDate"] = secret.created
    if secret.primary_region is not None:
        out["PrimaryRegion"] = secret.primary_region
    elif secret.replicas:
        out["PrimaryRegion"] = region
    if not list_entry and secret.replicas:
        out["ReplicationStatus"] = replication_status(secret)
    return {key: value for key, value in out.items() if value is not None}


def has_current(secret: Secret) -> bool:
    return secret.version_with(CURRENT) is not None

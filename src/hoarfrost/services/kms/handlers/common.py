"""What KMS's handlers share: finding a key by any of the identifiers AWS accepts, the checks
every use of a key passes (its state, its usage, the caller's access through the key policy
or a grant), grant tokens, DryRun, and KeyMetadata as DescribeKey answers it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import partition_for, try_parse_arn
from hoarfrost.core.kit.policies import Decision, PolicyError, caller_request, parse_policy
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.kms import crypto, specs
from hoarfrost.services.kms.errors import (
    alias_not_found,
    disabled,
    errors,
    invalid_state,
    key_not_found,
    wrong_usage,
)
from hoarfrost.services.kms.state import (
    DAY,
    DISABLED,
    ENABLED,
    PENDING_DELETION,
    PENDING_REPLICA_DELETION,
    Alias,
    Key,
    KeyMaterial,
    KmsBackend,
    managed_key_policy,
)

if TYPE_CHECKING:
    from hoarfrost.services.kms.service import KmsService  # noqa: F401  (named in KmsContext)

# Handlers see KMS's own backend and service, so they need no casts.
KmsContext = RequestContext[KmsBackend, "KmsService"]

ALIAS_PREFIX = "alias/"
MANAGED_PREFIX = "alias/aws/"
DEFAULT_PAGE = 100
# What a caller may do with a key of another account (given the key policy or a grant).
CROSS_ACCOUNT_OPERATIONS = frozenset((
    "CreateGrant", "Decrypt", "DeriveSharedSecret", "DescribeKey", "Encrypt", "GenerateDataKey",
    "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac",
    "GetPublicKey", "ListGrants", "ReEncrypt", "RetireGrant", "RevokeGrant", "Sign", "Verify", "VerifyMac",
    "Encapsulate", "Decapsulate", "GetKeyRotationStatus",
))


def backend(ctx: KmsContext) -> KmsBackend:
    """The scope's backend after the clock's due changes (deletions, rotations) were applied."""
    state = ctx.state
    due = state.catch_up(ctx.clock.time())
    if due.changed:
        ctx.mark_changed()
        account, region = state.account, state.region
        ctx.after_commit(lambda: ctx.service.follow_up(account, region, due))
    return state


# -- finding keys ----------------------------------------------------------------------------
def key(ctx: KmsContext, text: str, *, aliases: bool = False, create_managed: bool = False) -> Key:
    """The key ``text`` names: a key id or key ARN, and where AWS accepts them (``aliases``)
    an alias name or alias ARN. An ``alias/aws/<service>`` name makes the AWS managed key on
    first use when ``create_managed``. Another account's key is found only by operations AWS
    allows across accounts (and the key policy or a grant must then allow the caller)."""
    found = _find(ctx, text, aliases, create_managed)
    if ctx.account != ctx.state.account and ctx.operation not in CROSS_ACCOUNT_OPERATIONS:
        raise key_not_found(found.arn)
    return found


def _find(ctx: KmsContext, text: str, aliases: bool, create_managed: bool) -> Key:
    state = backend(ctx)
    arn = try_parse_arn(text) if text.startswith("arn:") else None
    if arn is not None:
        if arn.service != "kms" or arn.resource_type not in ("key", "alias") or not arn.resource_id:
            raise errors.NotFoundException(f"Invalid arn {text}")
        if arn.resource_type == "alias":
            if not aliases:
                raise errors.NotFoundException(f"Invalid keyId {text}")
            return _by_alias(ctx, state, arn.resource, create_managed, (arn.account, arn.region))
        if (arn.account, arn.region) != (state.account, state.region):
            raise key_not_found(text)
        return _by_id(state, arn.resource_id)
    if text.startswith(ALIAS_PREFIX):
        if not aliases:
            raise errors.NotFoundException(f"Invalid keyId {text}")
        return _by_alias(ctx, state, text, create_managed, (state.account, state.region))
    return _by_id(state, text)


def _by_id(state: KmsBackend, key_id: str) -> Key:
    found = state.keys.get(key_id)
    if found is None:
        raise key_not_found(state.key_arn(key_id))
    return found


def _by_alias(ctx: KmsContext, state: KmsBackend, name: str, create_managed: bool,
              where: tuple[str, str]) -> Key:
    if where != (state.account, state.region):
        raise alias_not_found(f"arn:{partition_for(where[1])}:kms:{where[1]}:{where[0]}:{name}")
    alias = state.aliases.get(name)
    if alias is None:
        if create_managed and name.startswith(MANAGED_PREFIX) and len(name) > len(MANAGED_PREFIX) \
                and where[0] == ctx.account:
            return managed_key(ctx, state, name.removeprefix(MANAGED_PREFIX))
        raise alias_not_found(state.alias_arn(name))
    return _by_id(state, alias.target_key_id)


def managed_key(ctx: KmsContext, state: KmsBackend, service: str) -> Key:
    """The AWS managed key of ``service`` in this scope, created (with its alias) on first use."""
    name = MANAGED_PREFIX + service
    alias = state.aliases.get(name)
    if alias is not None and alias.target_key_id in state.keys:
        return state.keys[alias.target_key_id]
    now = ctx.clock.time()
    managed = new_key(state, now, description=f"Default key that protects my {service} data when no other key "
                                              f"is defined", key_manager="AWS",
                      policy=managed_key_policy(state.account, partition_for(state.region), service))
    # AWS rotates its managed keys every year.
    managed.rotation_enabled, managed.rotation_period_days = True, 365
    managed.next_rotation = now + 365 * DAY
    state.add_key(managed)
    state.aliases[name] = Alias(name=name, target_key_id=managed.key_id, created=now, updated=now)
    ctx.mark_changed()
    return managed


def new_key(state: KmsBackend, now: float, *, key_spec: str = specs.SYMMETRIC_DEFAULT,
            key_usage: str = specs.ENCRYPT_DECRYPT, description: str = "", key_manager: str = "CUSTOMER",
            policy: str, origin: str = "AWS_KMS", multi_region: bool = False) -> Key:
    """A new key with fresh material (none when its material is to be imported)."""
    key_id = f"mrk-{uuid.uuid4().hex}" if multi_region else str(uuid.uuid4())
    created = Key(key_id=key_id, key_spec=key_spec, key_usage=key_usage, description=description,
                  key_manager=key_manager, created=now, policy=policy, origin=origin,
                  multi_region=multi_region, primary_region=state.region if multi_region else None)
    if origin == "EXTERNAL":
        created.key_state = "PendingImport"
    else:
        created.add_material(KeyMaterial(material_id=crypto.new_material_id(), material=crypto.generate(key_spec),
                                         created=now))
    return created


# -- checks ----------------------------------------------------------------------------------
def usable(ctx: KmsContext, found: Key, operation: str, usage: str | None = None,
           context: Mapping[str, str] | None = None) -> Key:
    """``found`` if it may perform ``operation`` now: enabled, of the right usage, and the
    caller allowed by its key policy or a grant (whose constraints ``context`` must meet)."""
    authorize(ctx, found, operation, context)
    if found.key_state != ENABLED:
        if found.key_state == DISABLED:
            raise disabled(found.arn)
        raise invalid_state(found.arn, found.key_state)
    if usage is not None and found.key_usage != usage:
        raise wrong_usage(found.arn, found.key_usage, operation)
    return found


def record_use(ctx: KmsContext, found: Key, operation: str) -> None:
    """Note a successful cryptographic operation for GetKeyLastUsage (telemetry: listeners
    are not told)."""
    found.last_used_operation, found.last_used_at = operation, ctx.clock.time()
    found.last_used_request_id = ctx.request_id


def not_pending_deletion(found: Key) -> Key:
    if found.key_state in (PENDING_DELETION, PENDING_REPLICA_DELETION):
        raise invalid_state(found.arn, found.key_state)
    return found


def algorithm(found: Key, value: str | None) -> str:
    """The algorithm the request names (SYMMETRIC_DEFAULT when it names none, as AWS reads
    it), checked against the key's spec and usage."""
    chosen = value or specs.SYMMETRIC_DEFAULT
    if chosen not in specs.SPECS[found.key_spec].usages.get(found.key_usage, ()):
        raise errors.InvalidKeyUsageException(f"Algorithm {chosen} is incompatible with key spec {found.key_spec}.")
    return chosen


def grant_tokens(ctx: KmsContext, request: dict[str, Any]) -> None:
    """Grant tokens must be tokens KMS issued (and not retired)."""
    for token in request.get("GrantTokens") or ():
        if token not in ctx.state.grant_tokens:
            raise errors.InvalidGrantTokenException("Invalid grant token.")


def dry_run(request: dict[str, Any]) -> None:
    """After the checks pass: a DryRun request answers that it would have succeeded."""
    if request.get("DryRun"):
        raise errors.DryRunOperationException()


def authorize(ctx: KmsContext, found: Key, operation: str, context: Mapping[str, str] | None = None) -> None:
    """The key policy's (and grants') answer for the caller. The owner account is allowed
    unless a statement denies it (the default policy delegates to IAM, which hoarfrost
    allows); another account needs a statement or a grant that allows it."""
    cross_account = ctx.account != ctx.state.account
    try:
        policy = parse_policy(found.policy)
    except PolicyError:
        policy = None
    if policy is None or (not cross_account and not policy.has_deny):
        if not cross_account:
            return
        decision = Decision.IMPLICIT_DENY
    else:
        decision = policy.evaluate(caller_request(ctx, f"kms:{operation}", found.arn,
                                                  condition_keys(ctx, context)))
    if decision is Decision.ALLOW or (decision is Decision.IMPLICIT_DENY and not cross_account):
        return
    if decision is Decision.IMPLICIT_DENY and _granted(ctx, found, operation, context or {}):
        return
    caller = ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region).arn
    why = ("with an explicit deny in a resource-based policy" if decision is Decision.DENY
           else f"because no resource-based policy allows the kms:{operation} action")
    raise errors.AccessDeniedException(
        f"User: {caller} is not authorized to perform: kms:{operation} on resource: {found.arn} {why}")


def condition_keys(ctx: KmsContext, context: Mapping[str, str] | None) -> dict[str, Any]:
    """KMS's condition keys for a key policy: the caller's account and the request's
    encryption context (``kms:EncryptionContext:<name>``, ``kms:EncryptionContextKeys``)."""
    keys: dict[str, Any] = {"kms:CallerAccount": ctx.account}
    if context:
        keys["kms:EncryptionContextKeys"] = list(context)
        keys.update({f"kms:EncryptionContext:{name}": value for name, value in context.items()})
    return keys


def _granted(ctx: KmsContext, found: Key, operation: str, context: Mapping[str, str]) -> bool:
    """Whether a grant of ``found`` lets the caller perform ``operation`` with this
    encryption context (EncryptionContextEquals: exactly it; EncryptionContextSubset: at
    least its pairs)."""
    identity = ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region)
    principals = {identity.arn, identity.account, f"arn:{partition_for(ctx.region)}:iam::{identity.account}:root"}
    for grant in found.grants.values():
        if grant.grantee_principal not in principals or operation not in grant.operations:
            continue
        equals = grant.constraints.get("EncryptionContextEquals")
        subset = grant.constraints.get("EncryptionContextSubset")
        if equals is not None and dict(context) != equals:
            continue
        if subset is not None and any(context.get(name) != value for name, value in subset.items()):
            continue
        return True
    return False


# -- answers ---------------------------------------------------------------------------------
def key_metadata(found: Key, account: str) -> dict[str, Any]:
    """KeyMetadata as DescribeKey, CreateKey and ReplicateKey answer it."""
    spec = specs.SPECS[found.key_spec]
    metadata: dict[str, Any] = {
        "AWSAccountId": account,
        "KeyId": found.key_id,
        "Arn": found.arn,
        "CreationDate": found.created,
        "Enabled": found.enabled,
        "Description": found.description,
        "KeyUsage": found.key_usage,
        "KeyState": found.key_state,
        "Origin": found.origin,
        "KeyManager": found.key_manager,
        "KeySpec": found.key_spec,
        "MultiRegion": found.multi_region,
    }
    if found.key_spec in specs.CUSTOMER_MASTER_KEY_SPECS:
        metadata["CustomerMasterKeySpec"] = found.key_spec
    algorithms = spec.usages.get(found.key_usage)
    if algorithms:
        metadata[specs.ALGORITHM_MEMBERS[found.key_usage]] = list(algorithms)
    if found.deletion_date is not None:
        metadata["DeletionDate"] = found.deletion_date
        metadata["PendingDeletionWindowInDays"] = found.pending_window_days
    if found.origin == "EXTERNAL" and found.expiration_model:
        metadata["ExpirationModel"] = found.expiration_model
        current = found.material()
        if current is not None and current.valid_to is not None:
            metadata["ValidTo"] = current.valid_to
    if found.current_material and found.key_spec == specs.SYMMETRIC_DEFAULT:
        metadata["CurrentKeyMaterialId"] = found.current_material
    if found.multi_region:
        metadata["MultiRegionConfiguration"] = multi_region_configuration(found, account)
    return metadata


def multi_region_configuration(found: Key, account: str) -> dict[str, Any]:
    primary = found.primary_region or ""
    arn = found.arn.split(":")
    region = arn[3]

    def arn_in(where: str) -> str:
        return ":".join([*arn[:3], where, *arn[4:]])

    return {
        "MultiRegionKeyType": "PRIMARY" if primary == region else "REPLICA",
        "PrimaryKey": {"Arn": arn_in(primary), "Region": primary},
        "ReplicaKeys": [{"Arn": arn_in(where), "Region": where} for where in found.replica_regions],
    }

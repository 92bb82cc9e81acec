"""Keys: create, describe, list, enable / disable, deletion with a waiting period,
descriptions, tags and key policies."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import partition_for
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.kit.policies import Decision, PolicyError, Problem, caller_request, parse_policy
from hoarfrost.services.kms import specs
from hoarfrost.services.kms.errors import constraint, errors, invalid_state, validation
from hoarfrost.services.kms.handlers import ops
from hoarfrost.services.kms.handlers.common import (
    DEFAULT_PAGE,
    KmsContext,
    authorize,
    backend,
    key,
    key_metadata,
    new_key,
    not_pending_deletion,
)
from hoarfrost.services.kms.state import (
    DAY,
    DISABLED,
    ENABLED,
    PENDING_DELETION,
    PENDING_IMPORT,
    PENDING_REPLICA_DELETION,
    Key,
    default_key_policy,
)

POLICY_NAME = "default"
MIN_WINDOW, MAX_WINDOW, DEFAULT_WINDOW = 7, 30, 30

TAG_RULES = tagging.TagRules(
    key_member="TagKey", value_member="TagValue",
    too_many=lambda limit: errors.LimitExceededException(f"A KMS key can have at most {limit} tags."),
    bad_key=lambda key: errors.TagException(f"Tag key '{key}' must be between 1 and 128 characters long."),
    bad_value=lambda key, value: errors.TagException(f"Tag value of '{key}' must be at most 256 characters long."),
    reserved=lambda key: errors.TagException("Tags beginning with aws: are reserved."),
)


def page(ctx: KmsContext, items: list[Any], request: dict[str, Any], kind: str, sort_key: Any = None) -> Any:
    """One page of a KMS listing (Limit / Marker; InvalidMarkerException for a foreign marker)."""
    return paginate(items, request.get("Marker"), request.get("Limit") or DEFAULT_PAGE, kind=f"kms:{kind}",
                    key=sort_key, error=lambda: errors.InvalidMarkerException("Invalid marker"))


def paged(result: Any, member: str, entries: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {member: entries, "Truncated": result.next_token is not None}
    if result.next_token:
        out["NextMarker"] = result.next_token
    return out


# -- policies --------------------------------------------------------------------------------
def checked_policy(ctx: KmsContext, text: str, arn: str, bypass: bool) -> str:
    """A key policy KMS accepts: valid, and (unless the caller bypasses the check) one that
    still lets the caller change it later."""
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        if exc.problem is Problem.PRINCIPAL:
            raise errors.MalformedPolicyDocumentException(
                "Policy contains a statement with one or more invalid principals.") from None
        raise errors.MalformedPolicyDocumentException(exc.message) from None
    if not bypass:
        decision = policy.evaluate(caller_request(ctx, "kms:PutKeyPolicy", arn, {"kms:CallerAccount": ctx.account}))
        if decision is not Decision.ALLOW:
            raise errors.MalformedPolicyDocumentException(
                "The new key policy will not allow you to update the key policy in the future.")
    return text


def _policy_name(request: dict[str, Any]) -> None:
    name = request.get("PolicyName")
    if name is not None and name != POLICY_NAME:
        raise errors.NotFoundException("No such policy exists")


@ops.operation
def get_key_policy(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    _policy_name(request)
    return {"Policy": found.policy, "PolicyName": POLICY_NAME}


@ops.operation
def put_key_policy(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = not_pending_deletion(key(ctx, request["KeyId"]))
    _policy_name(request)
    bypass = bool(request.get("BypassPolicyLockoutSafetyCheck"))
    found.policy = checked_policy(ctx, request["Policy"], found.arn, bypass)


@ops.operation
def list_key_policies(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    key(ctx, request["KeyId"])
    return {"PolicyNames": [POLICY_NAME], "Truncated": False}


# -- keys ------------------------------------------------------------------------------------
def key_spec(request: dict[str, Any]) -> str:
    spec, legacy = request.get("KeySpec"), request.get("CustomerMasterKeySpec")
    if spec and legacy:
        raise validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                         "CustomerMasterKeySpec is deprecated.")
    chosen = spec or legacy or specs.SYMMETRIC_DEFAULT
    if not specs.SPECS[chosen].supported:
        raise errors.UnsupportedOperationException(
            f"KeySpec {chosen} is not supported in this region." if chosen == "SM2" else
            f"KeySpec {chosen} is not supported by hoarfrost: the cryptography package has no {chosen}.")
    return chosen


@ops.operation
def create_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    spec = key_spec(request)
    usage = request.get("KeyUsage") or specs.ENCRYPT_DECRYPT
    if usage not in specs.SPECS[spec].usages:
        raise validation(f"KeyUsage {usage} is not compatible with KeySpec {spec}")
    origin = request.get("Origin") or "AWS_KMS"
    if request.get("CustomKeyStoreId"):
        raise errors.CustomKeyStoreNotFoundException(
            f"Custom key store {request['CustomKeyStoreId']} does not exist.")
    if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
        raise errors.CustomKeyStoreNotFoundException(f"Origin {origin} requires a CustomKeyStoreId.")
    if origin == "EXTERNAL" and spec != specs.SYMMETRIC_DEFAULT and request.get("MultiRegion"):
        raise errors.UnsupportedOperationException("Multi-Region keys with imported key material must be symmetric.")
    tags = tagging.check(tagging.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
    state = backend(ctx)
    created = new_key(state, ctx.clock.time(), key_spec=spec, key_usage=usage,
                      description=request.get("Description") or "", origin=origin,
                      multi_region=bool(request.get("MultiRegion")), policy="")
    created.arn = state.key_arn(created.key_id)
    policy = request.get("Policy")
    created.policy = (checked_policy(ctx, policy, created.arn, bool(request.get("BypassPolicyLockoutSafetyCheck")))
                      if policy else default_key_policy(state.account, partition_for(state.region)))
    created.tags = tags
    state.add_key(created)
    return {"KeyMetadata": key_metadata(created, state.account)}


@ops.operation
def describe_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"], aliases=True, create_managed=True)
    authorize(ctx, found, "DescribeKey")
    return {"KeyMetadata": key_metadata(found, ctx.state.account)}


@ops.operation
def get_key_last_usage(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    out: dict[str, Any] = {"KeyId": found.arn, "TrackingStartDate": found.created, "KeyCreationDate": found.created}
    if found.last_used_operation and found.last_used_at is not None:
        out["KeyLastUsage"] = {"Operation": found.last_used_operation, "Timestamp": found.last_used_at,
                               "KmsRequestId": found.last_used_request_id or ""}
    return out


@ops.operation
def list_keys(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    result = page(ctx, sorted(state.keys), request, "ListKeys", sort_key=str)
    return paged(result, "Keys", [{"KeyId": key_id, "KeyArn": state.key_arn(key_id)} for key_id in result.items])


@ops.operation
def enable_key(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = _changeable(key(ctx, request["KeyId"]))
    found.key_state = ENABLED


@ops.operation
def disable_key(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = _changeable(key(ctx, request["KeyId"]))
    found.key_state = DISABLED


def _changeable(found: Key) -> Key:
    if found.key_state in (PENDING_DELETION, PENDING_REPLICA_DELETION, PENDING_IMPORT):
        raise invalid_state(found.arn, found.key_state)
    if found.key_manager == "AWS":
        raise errors.UnsupportedOperationException(f"{found.arn} is an AWS managed key: it cannot be changed.")
    return found


@ops.operation
def update_key_description(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = not_pending_deletion(key(ctx, request["KeyId"]))
    found.description = request["Description"]


@ops.operation
def schedule_key_deletion(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    window = request.get("PendingWindowInDays")
    window = DEFAULT_WINDOW if window is None else window
    if window < MIN_WINDOW:
        raise constraint(window, "pendingWindowInDays", f"Member must have value greater than or equal to {MIN_WINDOW}")
    if window > MAX_WINDOW:
        raise constraint(window, "pendingWindowInDays", f"Member must have value less than or equal to {MAX_WINDOW}")
    if found.key_state in (PENDING_DELETION, PENDING_REPLICA_DELETION):
        raise invalid_state(found.arn, found.key_state)
    if found.key_manager == "AWS":
        raise errors.UnsupportedOperationException(f"{found.arn} is an AWS managed key: it cannot be deleted.")
    found.pending_window_days = window
    if found.multi_region and found.primary_region == ctx.state.region and found.replica_regions:
        # A primary waits for its replicas to go; its own waiting period starts then.
        found.key_state = PENDING_REPLICA_DELETION
        return {"KeyId": found.arn, "KeyState": found.key_state, "PendingWindowInDays": window}
    found.key_state = PENDING_DELETION
    found.deletion_date = ctx.clock.time() + window * DAY
    ctx.state.schedule(found)
    return {"KeyId": found.arn, "DeletionDate": found.deletion_date, "KeyState": found.key_state,
            "PendingWindowInDays": window}


@ops.operation
def cancel_key_deletion(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    if found.key_state not in (PENDING_DELETION, PENDING_REPLICA_DELETION):
        raise errors.KMSInvalidStateException(f"{found.arn} is not pending deletion.")
    found.key_state = DISABLED if found.materials or found.origin != "EXTERNAL" else PENDING_IMPORT
    found.deletion_date = found.pending_window_days = None
    return {"KeyId": found.arn}


# -- tags ------------------------------------------------------------------------------------
@ops.operation
def tag_resource(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = not_pending_deletion(key(ctx, request["KeyId"]))
    tagging.tag(found.tags, tagging.from_list(request["Tags"], TAG_RULES), TAG_RULES)


@ops.operation
def untag_resource(ctx: KmsContext, request: dict[str, Any]) -> None:
    found = not_pending_deletion(key(ctx, request["KeyId"]))
    tagging.untag(found.tags, request["TagKeys"], TAG_RULES)


@ops.operation
def list_resource_tags(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    found = key(ctx, request["KeyId"])
    result = page(ctx, sorted(found.tags), request, "ListResourceTags", sort_key=str)
    return paged(result, "Tags", [{"TagKey": name, "TagValue": found.tags[name]} for name in result.items])

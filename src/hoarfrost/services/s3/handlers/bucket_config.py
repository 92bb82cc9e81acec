"""A bucket's sub-resources: documents S3 stores as given, returns, and deletes.

Each is kept in ``bucket.config`` (``BucketConfig``) as the document its Put operation took,
with the member names of S3's model, so Get returns what Put took and the state view can type
it from the same shape.
Get answers the sub-resource's own "not found" error when it was never set (or its default,
for the few S3 fills in: request payment, accelerate, logging, notifications).
"""

from __future__ import annotations

from typing import Any, TypeVar

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply
from hoarfrost.services.s3.errors import (
    errors,
)
from hoarfrost.services.s3.events import new_configuration_id
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.acl import (
    acl_from_request,
    check_acl_allowed,
    require_acl,
)
from hoarfrost.services.s3.handlers.bucket_policy import check_bucket_policy, is_public
from hoarfrost.services.s3.handlers.common import (
    BUCKET_TAGS,
    S3Context,
    aware,
    checked_tags,
    continuation_error,
    on_bucket,
)
from hoarfrost.services.s3.state import Bucket

_CORS_METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})
_PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
_SSE_ALGORITHMS = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})
ID_PAGE = 100
T = TypeVar("T")
# PutBucketLifecycle (deprecated) takes one transition of each kind per rule. Its rules are kept
# in PutBucketLifecycleConfiguration's form (lists), the one shape both Gets and the view read.
_LEGACY_TRANSITIONS = {"Transition": "Transitions", "NoncurrentVersionTransition": "NoncurrentVersionTransitions"}


def _stored(bucket: Bucket, doc: T | None, missing: type[ServiceError]) -> T:
    if doc is None:
        raise missing(BucketName=bucket.name)
    return doc


# -- tagging, policy, ACL ----------------------------------------------------------------------
@ops.operation
@on_bucket
def put_bucket_tagging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> Reply:
    """S3 answers 204 (not the model's 200); an empty TagSet removes the bucket's tags."""
    tags = (request.get("Tagging") or {}).get("TagSet")
    if tags is None:
        raise errors.MalformedXML()
    checked_tags(tags, BUCKET_TAGS)
    bucket.config.tagging = {"TagSet": tags} if tags else None
    return Reply({}, status=204)


@ops.operation
@on_bucket
def get_bucket_tagging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {"TagSet": _stored(bucket, bucket.config.tagging, errors.NoSuchTagSet)["TagSet"]}


@ops.operation
@on_bucket
def delete_bucket_tagging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.tagging = None
    return {}


@ops.operation
@on_bucket
def put_bucket_policy(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> Reply:
    """S3 answers 204, as it does PutBucketTagging."""
    policy = request.get("Policy") or ""
    check_bucket_policy(policy, bucket.name)
    bucket.config.policy = policy
    return Reply({}, status=204)


@ops.operation
@on_bucket
def get_bucket_policy(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {"Policy": _stored(bucket, bucket.config.policy, errors.NoSuchBucketPolicy)}


@ops.operation
@on_bucket
def delete_bucket_policy(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.policy = None
    return {}


@ops.operation
@on_bucket
def get_bucket_policy_status(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    policy = _stored(bucket, bucket.config.policy, errors.NoSuchBucketPolicy)
    return {"PolicyStatus": {"IsPublic": is_public(policy)}}


@ops.operation
@on_bucket
def put_bucket_acl(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    require_acl(request)
    acl = acl_from_request(request, ctx.account, bucket.config.acl)
    check_acl_allowed(bucket, acl)
    bucket.config.acl = acl
    return {}


@ops.operation
@on_bucket
def get_bucket_acl(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return dict(bucket.config.acl or acl_from_request({}, bucket.account, None))


# -- CORS, lifecycle, encryption, website ----------------------------------------------------------
@ops.operation
@on_bucket
def put_bucket_cors(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    rules = (request.get("CORSConfiguration") or {}).get("CORSRules") or []
    if not rules or len(rules) > 100:
        raise errors.MalformedXML()
    for rule in rules:
        if not rule.get("AllowedMethods") or not rule.get("AllowedOrigins"):
            raise errors.MalformedXML()
        for method in rule["AllowedMethods"]:
            if method not in _CORS_METHODS:
                raise errors.InvalidRequest(
                    f"Found unsupported HTTP method in CORS config. Unsupported method is {method}")
    bucket.config.cors = {"CORSRules": rules}
    return {}


@ops.operation
@on_bucket
def get_bucket_cors(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {"CORSRules": _stored(bucket, bucket.config.cors, errors.NoSuchCORSConfiguration)["CORSRules"]}


@ops.operation
@on_bucket
def delete_bucket_cors(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.cors = None
    return {}


def _current_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {_LEGACY_TRANSITIONS.get(name, name): [value] if name in _LEGACY_TRANSITIONS else value
            for name, value in rule.items()}


def _legacy_rule(rule: dict[str, Any]) -> dict[str, Any]:
    out = {name: value for name, value in rule.items() if name not in _LEGACY_TRANSITIONS.values()}
    for legacy, current in _LEGACY_TRANSITIONS.items():
        if rule.get(current):
            out[legacy] = rule[current][0]
    return out


_LIFECYCLE_ACTIONS = ("Expiration", "Transitions", "NoncurrentVersionExpiration", "NoncurrentVersionTransitions",
                      "AbortIncompleteMultipartUpload")
# Days a transition must wait at least, by storage class.
_MINIMUM_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}


def _check_lifecycle_rule(rule: dict[str, Any], legacy: bool) -> None:
    """One lifecycle rule as S3 validates it (in PutBucketLifecycleConfiguration's form)."""
    if not legacy and "Filter" not in rule and "Prefix" not in rule:
        raise errors.MalformedXML()
    if not any(rule.get(action) for action in _LIFECYCLE_ACTIONS):
        raise errors.InvalidRequest("At least one action needs to be specified in a rule")
    expiration = rule.get("Expiration") or {}
    if expiration.get("ExpiredObjectDeleteMarker") and ("Days" in expiration or "Date" in expiration):
        raise errors.InvalidArgument("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle "
                                     "Expiration Policy.")
    if "Days" in expiration and "Date" in expiration:
        raise errors.MalformedXML()
    if "Days" in expiration and int(expiration["Days"]) <= 0:
        raise errors.InvalidArgument("'Days' for Expiration action must be a positive integer")
    if "Date" in expiration:
        date = aware(expiration["Date"])
        if (date.hour, date.minute, date.second, date.microsecond) != (0, 0, 0, 0):
            raise errors.InvalidArgument("'Date' must be at midnight GMT")
    for transition in rule.get("Transitions") or []:
        days, storage = transition.get("Days"), transition.get("StorageClass") or ""
        if days is not None and int(days) < _MINIMUM_TRANSITION_DAYS.get(storage, 0):
            raise errors.InvalidArgument(f"'Days' in Transition action must be greater than or equal to "
                                         f"{_MINIMUM_TRANSITION_DAYS[storage]} for storageClass '{storage}'")
    tagged = (rule.get("Filter") or {}).get("Tag") or ((rule.get("Filter") or {}).get("And") or {}).get("Tags")
    if rule.get("AbortIncompleteMultipartUpload") and tagged:
        raise errors.InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.")
    if expiration.get("ExpiredObjectDeleteMarker") and tagged:
        raise errors.InvalidRequest("ExpiredObjectDeleteMarker cannot be specified with Tags.")


def _store_lifecycle(request: dict[str, Any], bucket: Bucket, legacy: bool = False) -> None:
    if request.get("LifecycleConfiguration") is None:
        raise errors.MissingRequestBodyError()
    rules = request["LifecycleConfiguration"].get("Rules") or []
    if not rules or len(rules) > 1000:
        raise errors.MalformedXML()
    ids = set()
    for rule in rules:
        if rule.get("Status") not in ("Enabled", "Disabled"):
            raise errors.MalformedXML()
        _check_lifecycle_rule(_current_rule(rule) if legacy else rule, legacy)
        if rule.get("ID"):
            if len(rule["ID"]) > 255:
                raise errors.InvalidArgument("ID length should not exceed allowed limit of 255", ArgumentName="ID")
            if rule["ID"] in ids:
                raise errors.InvalidArgument("Rule ID must be unique. Found same ID for more than one rule",
                                             ArgumentName="ID", ArgumentValue=rule["ID"])
            ids.add(rule["ID"])
    # A rule put without an ID gets one, as S3 names it.
    named = [{"ID": rule.get("ID") or new_configuration_id(), **{k: v for k, v in rule.items() if k != "ID"}}
             for rule in rules]
    bucket.config.lifecycle = {"Rules": [_current_rule(rule) for rule in named] if legacy else named}
    bucket.config.transition_default_minimum_object_size = (
        request.get("TransitionDefaultMinimumObjectSize") or "all_storage_classes_128K")


@ops.operation
@on_bucket
def put_bucket_lifecycle_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    _store_lifecycle(request, bucket)
    return {"TransitionDefaultMinimumObjectSize": bucket.config.transition_default_minimum_object_size}


@ops.operation
@on_bucket
def put_bucket_lifecycle(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    _store_lifecycle(request, bucket, legacy=True)
    return {}


@ops.operation
@on_bucket
def get_bucket_lifecycle_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    rules = _stored(bucket, bucket.config.lifecycle, errors.NoSuchLifecycleConfiguration)["Rules"]
    minimum_size = bucket.config.transition_default_minimum_object_size or "all_storage_classes_128K"
    return {"Rules": rules, "TransitionDefaultMinimumObjectSize": minimum_size}


@ops.operation
@on_bucket
def get_bucket_lifecycle(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    rules = _stored(bucket, bucket.config.lifecycle, errors.NoSuchLifecycleConfiguration)["Rules"]
    return {"Rules": [_legacy_rule(rule) for rule in rules]}


@ops.operation
@on_bucket
def delete_bucket_lifecycle(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.lifecycle = None
    bucket.config.transition_default_minimum_object_size = None
    return {}


@ops.operation
@on_bucket
def put_bucket_encryption(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    config = request.get("ServerSideEncryptionConfiguration") or {}
    rules = config.get("Rules") or []
    if not rules:
        raise errors.MalformedXML()
    for rule in rules:
        algorithm = (rule.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
        if algorithm not in _SSE_ALGORITHMS:
            raise errors.MalformedXML()
    # S3 answers every rule's BucketKeyEnabled, false when the request left it out.
    bucket.config.encryption = {**config, "Rules": [{"BucketKeyEnabled": False, **rule} for rule in rules]}
    return {}


@ops.operation
@on_bucket
def get_bucket_encryption(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    config = bucket.config.encryption or {
        # Every bucket has SSE-S3 by default (since January 2023).
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}
    return {"ServerSideEncryptionConfiguration": config}


@ops.operation
@on_bucket
def delete_bucket_encryption(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.encryption = None
    return {}


@ops.operation
@on_bucket
def put_bucket_website(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    config = request.get("WebsiteConfiguration") or {}
    if not config.get("IndexDocument") and not config.get("RedirectAllRequestsTo"):
        raise errors.InvalidArgument(
            "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
            ArgumentName="IndexDocument")
    bucket.config.website = config
    return {}


@ops.operation
@on_bucket
def get_bucket_website(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return dict(_stored(bucket, bucket.config.website, errors.NoSuchWebsiteConfiguration))


@ops.operation
@on_bucket
def delete_bucket_website(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.website = None
    return {}


# -- logging, notifications, accelerate, request payment ------------------------------------------
@ops.operation
@on_bucket
def put_bucket_logging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    status = request.get("BucketLoggingStatus") or {}
    target = (status.get("LoggingEnabled") or {}).get("TargetBucket")
    if target and ctx.service.locate(target) is None:
        raise errors.InvalidArgument("The target bucket for logging does not exist", ArgumentName="TargetBucket",
                                     ArgumentValue=target)
    bucket.config.logging = status
    return {}


@ops.operation
@on_bucket
def get_bucket_logging(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return dict(bucket.config.logging or {})


@ops.operation
@on_bucket
def put_bucket_accelerate_configuration(ctx: S3Context, request: dict[str, Any],
                                        bucket: Bucket) -> dict[str, Any]:
    status = (request.get("AccelerateConfiguration") or {}).get("Status")
    if status not in ("Enabled", "Suspended"):
        raise errors.MalformedXML()
    if "." in bucket.name:
        raise errors.InvalidRequest(
            "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
    bucket.config.accelerate = {"Status": status}
    return {}


@ops.operation
@on_bucket
def get_bucket_accelerate_configuration(ctx: S3Context, request: dict[str, Any],
                                        bucket: Bucket) -> dict[str, Any]:
    return dict(bucket.config.accelerate or {})


@ops.operation
@on_bucket
def put_bucket_request_payment(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    payer = (request.get("RequestPaymentConfiguration") or {}).get("Payer")
    if payer not in ("Requester", "BucketOwner"):
        raise errors.MalformedXML()
    bucket.config.request_payment = {"Payer": payer}
    return {}


@ops.operation
@on_bucket
def get_bucket_request_payment(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return dict(bucket.config.request_payment or {"Payer": "BucketOwner"})


# -- ownership, public access block, object lock, replication --------------------------------------
@ops.operation
@on_bucket
def put_bucket_ownership_controls(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    rules = (request.get("OwnershipControls") or {}).get("Rules") or []
    if len(rules) != 1 or rules[0].get("ObjectOwnership") not in (
            "BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"):
        raise errors.MalformedXML()
    bucket.config.ownership_controls = {"Rules": rules}
    return {}


@ops.operation
@on_bucket
def get_bucket_ownership_controls(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {"OwnershipControls": _stored(bucket, bucket.config.ownership_controls,
                                         errors.OwnershipControlsNotFoundError)}


@ops.operation
@on_bucket
def delete_bucket_ownership_controls(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.ownership_controls = None
    return {}


@ops.operation
@on_bucket
def put_public_access_block(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    config = request.get("PublicAccessBlockConfiguration")
    if not config:
        raise errors.InvalidRequest("Must specify at least one configuration.")
    # A flag the request leaves out is stored (and read back) as false.
    bucket.config.public_access_block = {flag: bool(config.get(flag)) for flag in _PUBLIC_ACCESS_FLAGS}
    return {}


@ops.operation
@on_bucket
def get_public_access_block(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {"PublicAccessBlockConfiguration": _stored(bucket, bucket.config.public_access_block,
                                                      errors.NoSuchPublicAccessBlockConfiguration)}


@ops.operation
@on_bucket
def delete_public_access_block(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.public_access_block = None
    return {}


@ops.operation
@on_bucket
def put_object_lock_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    config = request.get("ObjectLockConfiguration")
    if config is None:
        raise errors.MissingRequestBodyError()
    if config.get("ObjectLockEnabled") != "Enabled":
        raise errors.MalformedXML()
    if bucket.versioning != "Enabled":
        raise errors.InvalidBucketState(
            "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
    retention = (config.get("Rule") or {}).get("DefaultRetention")
    if retention is not None and (("Days" in retention) == ("Years" in retention) or "Mode" not in retention):
        raise errors.MalformedXML()
    bucket.object_lock_enabled = True
    bucket.config.object_lock = config
    return {}


@ops.operation
@on_bucket
def get_object_lock_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {"ObjectLockConfiguration": _stored(bucket, bucket.config.object_lock,
                                               errors.ObjectLockConfigurationNotFoundError)}


def _replication_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A replication rule with what S3 fills in: an ID when none is given, and for a rule in
    the current schema (one with a Filter) Priority 0 and DeleteMarkerReplication Disabled."""
    out = dict(rule)
    out.setdefault("ID", new_configuration_id())
    if "Filter" in out:
        out.setdefault("Priority", 0)
        out.setdefault("DeleteMarkerReplication", {"Status": "Disabled"})
    return out


@ops.operation
@on_bucket
def put_bucket_replication(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    config = request.get("ReplicationConfiguration") or {}
    if bucket.versioning != "Enabled":
        raise errors.InvalidRequest("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
    if not config.get("Role") or not config.get("Rules"):
        raise errors.MalformedXML()
    bucket.config.replication = {**config, "Rules": [_replication_rule(rule) for rule in config["Rules"]]}
    return {}


@ops.operation
@on_bucket
def get_bucket_replication(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {"ReplicationConfiguration": _stored(bucket, bucket.config.replication,
                                                errors.ReplicationConfigurationNotFoundError)}


@ops.operation
@on_bucket
def delete_bucket_replication(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    bucket.config.replication = None
    return {}


# -- id-keyed configurations: inventory, analytics, metrics, intelligent tiering ------------------
def _put_id_config(configs: dict[str, dict[str, Any]], kind: str, request: dict[str, Any]) -> dict[str, Any]:
    config = request.get(f"{kind}Configuration") or {}
    config_id = request.get("Id") or ""
    if config.get("Id") != config_id:
        raise errors.InvalidArgument("Configuration ID does not match the ID in the request", ArgumentName="id",
                                     ArgumentValue=config_id)
    configs[config_id] = config
    return {}


def _get_id_config(configs: dict[str, dict[str, Any]], kind: str, request: dict[str, Any]) -> dict[str, Any]:
    config = configs.get(request.get("Id") or "")
    if config is None:
        raise errors.NoSuchConfiguration()
    return {f"{kind}Configuration": config}


def _delete_id_config(configs: dict[str, dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
    if configs.pop(request.get("Id") or "", None) is None:
        raise errors.NoSuchConfiguration()
    return {}


def _list_id_configs(configs: dict[str, dict[str, Any]], kind: str, request: dict[str, Any]) -> dict[str, Any]:
    token = request.get("ContinuationToken") or ""
    page = paginate(sorted(configs), token, ID_PAGE, kind=f"s3:List{kind}Configurations", key=str,
                    error=continuation_error(token))
    out: dict[str, Any] = {"IsTruncated": page.next_token is not None,
                           f"{kind}ConfigurationList": [configs[i] for i in page.items],
                           **page.token_member("NextContinuationToken")}
    if token:
        out["ContinuationToken"] = token
    return out


@ops.operation
@on_bucket
def put_bucket_inventory_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return _put_id_config(bucket.config.inventory, "Inventory", request)


@ops.operation
@on_bucket
def get_bucket_inventory_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return _get_id_config(bucket.config.inventory, "Inventory", request)


@ops.operation
@on_bucket
def delete_bucket_inventory_configuration(ctx: S3Context, request: dict[str, Any],
                                          bucket: Bucket) -> dict[str, Any]:
    return _delete_id_config(bucket.config.inventory, request)


@ops.operation
@on_bucket
def list_bucket_inventory_configurations(ctx: S3Context, request: dict[str, Any],
                                         bucket: Bucket) -> dict[str, Any]:
    return _list_id_configs(bucket.config.inventory, "Inventory", request)


@ops.operation
@on_bucket
def put_bucket_analytics_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return _put_id_config(bucket.config.analytics, "Analytics", request)


@ops.operation
@on_bucket
def get_bucket_analytics_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return _get_id_config(bucket.config.analytics, "Analytics", request)


@ops.operation
@on_bucket
def delete_bucket_analytics_configuration(ctx: S3Context, request: dict[str, Any],
                                          bucket: Bucket) -> dict[str, Any]:
    return _delete_id_config(bucket.config.analytics, request)


@ops.operation
@on_bucket
def list_bucket_analytics_configurations(ctx: S3Context, request: dict[str, Any],
                                         bucket: Bucket) -> dict[str, Any]:
    return _list_id_configs(bucket.config.analytics, "Analytics", request)


@ops.operation
@on_bucket
def put_bucket_metrics_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return _put_id_config(bucket.config.metrics, "Metrics", request)


@ops.operation
@on_bucket
def get_bucket_metrics_configuration(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return _get_id_config(bucket.config.metrics, "Metrics", request)


@ops.operation
@on_bucket
def delete_bucket_metrics_configuration(ctx: S3Context, request: dict[str, Any],
                                        bucket: Bucket) -> dict[str, Any]:
    return _delete_id_config(bucket.config.metrics, request)


@ops.operation
@on_bucket
def list_bucket_metrics_configurations(ctx: S3Context, request: dict[str, Any],
                                       bucket: Bucket) -> dict[str, Any]:
    return _list_id_configs(bucket.config.metrics, "Metrics", request)


@ops.operation
@on_bucket
def put_bucket_intelligent_tiering_configuration(ctx: S3Context, request: dict[str, Any],
                                                 bucket: Bucket) -> dict[str, Any]:
    return _put_id_config(bucket.config.intelligent_tiering, "IntelligentTiering", request)


@ops.operation
@on_bucket
def get_bucket_intelligent_tiering_configuration(ctx: S3Context, request: dict[str, Any],
                                                 bucket: Bucket) -> dict[str, Any]:
    return _get_id_config(bucket.config.intelligent_tiering, "IntelligentTiering", request)


@ops.operation
@on_bucket
def delete_bucket_intelligent_tiering_configuration(ctx: S3Context, request: dict[str, Any],
                                                    bucket: Bucket) -> dict[str, Any]:
    return _delete_id_config(bucket.config.intelligent_tiering, request)


@ops.operation
@on_bucket
def list_bucket_intelligent_tiering_configurations(ctx: S3Context, request: dict[str, Any],
                                                   bucket: Bucket) -> dict[str, Any]:
    return _list_id_configs(bucket.config.intelligent_tiering, "IntelligentTiering", request)

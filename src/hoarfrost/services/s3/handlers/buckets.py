"""Buckets themselves: create, delete, head, list, location, versioning."""

from __future__ import annotations

import functools
from operator import attrgetter
from typing import Any

from hoarfrost.core.catalog import service_model
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.operations import Reply
from hoarfrost.services.s3.errors import (
    errors,
)
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.acl import acl_from_request, only_owner
from hoarfrost.services.s3.handlers.common import (
    BUCKET_TAGS,
    S3Context,
    blobs,
    checked_tags,
    continuation_error,
    on_bucket,
    validate_bucket_name,
)
from hoarfrost.services.s3.handlers.presigned import check_presigned
from hoarfrost.services.s3.state import Bucket, now, owner_of

US_EAST_1 = "us-east-1"
_BY_NAME = attrgetter("name")


@functools.cache
def _location_constraints() -> frozenset[str]:
    """The regions a bucket may name (the model's BucketLocationConstraint values)."""
    return frozenset(service_model("s3").shape_for("BucketLocationConstraint").enum)


def bucket_region(request: dict[str, Any], endpoint_region: str) -> str:
    """The region CreateBucket puts the bucket in: its LocationConstraint, else the region the
    request went to.

    As S3: us-east-1 takes any constraint; a regional endpoint takes only its own, and an
    unspecified constraint there is an error.
    """
    constraint: str | None = (request.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
    if constraint == US_EAST_1 or (constraint and constraint not in _location_constraints()):
        raise errors.InvalidLocationConstraint(LocationConstraint=constraint)
    if constraint == "EU":
        constraint = "eu-west-1"
    if not constraint:
        if endpoint_region != US_EAST_1:
            raise errors.IllegalLocationConstraintException()
        return US_EAST_1
    if endpoint_region != US_EAST_1 and constraint != endpoint_region:
        raise errors.IllegalLocationConstraintException(
            f"The {constraint} location constraint is incompatible for the region specific endpoint "
            "this request was sent to."
        )
    return constraint


@ops.operation
def create_bucket(ctx: S3Context, request: dict[str, Any]) -> dict[str, Any]:
    check_presigned(ctx, request)
    name = request["Bucket"]
    validate_bucket_name(name)
    region = ctx.scope.region  # the bucket's region (S3Service.scope_for read its constraint)
    bucket = Bucket(name=name, account=ctx.account, region=region, created=now(ctx.clock))
    if request.get("ObjectLockEnabledForBucket"):
        bucket.object_lock_enabled = True
        bucket.versioning = "Enabled"
        bucket.config.object_lock = {"ObjectLockEnabled": "Enabled"}
    ownership = request.get("ObjectOwnership") or "BucketOwnerEnforced"
    bucket.config.ownership_controls = {"Rules": [{"ObjectOwnership": ownership}]}
    bucket.config.public_access_block = {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    }
    acl = acl_from_request(request, ctx.account, None)
    if ownership == "BucketOwnerEnforced" and not only_owner(acl, ctx.account):
        raise errors.InvalidBucketAclWithObjectOwnership()
    bucket.config.acl = acl
    tags = (request.get("CreateBucketConfiguration") or {}).get("Tags")
    if tags:
        checked_tags(tags, BUCKET_TAGS)
        bucket.config.tagging = {"TagSet": tags}
    s3 = ctx.service
    holder = s3.claim(name, ctx.account, region)  # last: a refused request must not hold the name
    if holder is not None:
        if holder[0] != ctx.account:
            raise errors.BucketAlreadyExists(BucketName=name)
        if holder[1] == US_EAST_1 and region == US_EAST_1:
            return {"Location": f"/{name}"}  # S3's legacy answer in us-east-1: 200, unchanged
        raise errors.BucketAlreadyOwnedByYou(BucketName=name)
    ctx.state.buckets[name] = bucket
    location = f"/{name}" if region == US_EAST_1 else f"http://{name}.s3.amazonaws.com/"
    return {"Location": location, "BucketArn": bucket.arn}


@ops.operation
@on_bucket
def delete_bucket(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    if not bucket.is_empty():
        raise errors.BucketNotEmpty(BucketName=bucket.name)
    store = blobs(ctx)
    for upload in bucket.uploads.values():
        for part in upload.parts.values():
            store.delete(part.blob)
    ctx.state.buckets.pop(bucket.name, None)
    ctx.service.release_name(bucket.name, bucket.account, bucket.region)
    return {}


@ops.operation
@on_bucket
def head_bucket(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> Reply:
    """S3 names a Content-Type on this bodiless answer too."""
    return Reply({"BucketRegion": bucket.region, "BucketArn": bucket.arn},
                 headers={"content-type": "application/xml"})


@ops.operation
def list_buckets(ctx: S3Context, request: dict[str, Any]) -> dict[str, Any]:
    """The account's buckets in every region, by name; ``ContinuationToken`` resumes after the
    last name of the page before (without MaxBuckets every bucket is on one page)."""
    check_presigned(ctx, request)
    prefix = request.get("Prefix") or ""
    region_filter = request.get("BucketRegion")
    limit = request.get("MaxBuckets")
    if limit is not None and not 1 <= int(limit) <= 10000:
        raise errors.InvalidArgument("Argument max-buckets must be between 1 and 10000", ArgumentName="max-buckets")
    s3 = ctx.service
    found: list[Bucket] = []
    for name, region in sorted(s3.bucket_names(ctx.account)):
        if not name.startswith(prefix) or (region_filter and region != region_filter):
            continue
        bucket = s3.backends.scope(ctx.account, region).backend.buckets.get(name)
        if bucket is not None:
            found.append(bucket)
    token = request.get("ContinuationToken")
    page = paginate(found, token, int(limit) if limit is not None else max(len(found), 1), kind="s3:ListBuckets",
                    key=_BY_NAME, error=continuation_error(token))
    out: dict[str, Any] = {"Buckets": [
        {"Name": b.name, "CreationDate": b.created, "BucketRegion": b.region, "BucketArn": b.arn} for b in page.items
    ], "Owner": owner_of(ctx.account), **page.token_member("ContinuationToken")}
    if prefix:
        out["Prefix"] = prefix
    return out


@ops.operation
@on_bucket
def get_bucket_location(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    return {} if bucket.region == US_EAST_1 else {"LocationConstraint": bucket.region}


@ops.operation
@on_bucket
def put_bucket_versioning(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    config = request.get("VersioningConfiguration") or {}
    status = config.get("Status")
    if status not in ("Enabled", "Suspended"):
        raise errors.MalformedXML()
    if status == "Suspended" and bucket.object_lock_enabled:
        raise errors.InvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning "
                                        "state cannot be changed.")
    bucket.versioning = status
    if config.get("MFADelete"):
        bucket.mfa_delete = config["MFADelete"]
    return {}


@ops.operation
@on_bucket
def get_bucket_versioning(ctx: S3Context, request: dict[str, Any], bucket: Bucket) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if bucket.versioning:
        out["Status"] = bucket.versioning
    if bucket.mfa_delete:
        out["MFADelete"] = bucket.mfa_delete
    return out


"""Access control lists: canned ACLs and x-amz-grant-* headers to an AccessControlPolicy.

hoarfrost stores ACLs and returns them; it does not enforce them on reads (every request is
the owner's). It does refuse them where S3 does: a bucket whose ObjectOwnership is
BucketOwnerEnforced (every new bucket's default) takes no ACL granting anyone but its owner.
"""

from __future__ import annotations

import re
from typing import Any

from hoarfrost.services.s3.errors import (
    errors,
)
from hoarfrost.services.s3.state import Bucket, canonical_id, owner_of

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"

_GRANT_MEMBERS = {
    "GrantFullControl": "FULL_CONTROL",
    "GrantRead": "READ",
    "GrantReadACP": "READ_ACP",
    "GrantWrite": "WRITE",
    "GrantWriteACP": "WRITE_ACP",
}
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]+)"?\s*')


def _group(uri: str, permission: str) -> dict[str, Any]:
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def _canned(acl: str, owner: dict[str, str]) -> list[dict[str, Any]]:
    grants = [{"Grantee": {"Type": "CanonicalUser", **owner}, "Permission": "FULL_CONTROL"}]
    extra = {
        "private": [],
        "public-read": [_group(ALL_USERS, "READ")],
        "public-read-write": [_group(ALL_USERS, "READ"), _group(ALL_USERS, "WRITE")],
        "authenticated-read": [_group(AUTHENTICATED_USERS, "READ")],
        "aws-exec-read": [],
        "bucket-owner-read": [],
        "bucket-owner-full-control": [],
        "log-delivery-write": [_group(LOG_DELIVERY, "WRITE"), _group(LOG_DELIVERY, "READ_ACP")],
    }.get(acl)
    if extra is None:
        raise errors.InvalidArgument(f"Invalid canned ACL: {acl}", ArgumentName="x-amz-acl", ArgumentValue=acl)
    return grants + extra


def _header_grants(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The x-amz-grant-* headers' grants: comma-separated ``id=``, ``uri=`` or ``emailAddress=``
    grantees; anything else in a header is refused as S3 refuses it."""
    grants = []
    for member, permission in _GRANT_MEMBERS.items():
        value = request.get(member)
        if not value:
            continue
        for item in value.split(","):
            match = _GRANTEE.fullmatch(item)
            if match is None:
                header = "x-amz-grant-" + member[len("Grant"):].lower().replace("acp", "-acp").replace("fullcontrol",
                                                                                                     "full-control")
                raise errors.InvalidArgument("Argument format not recognized", ArgumentName=header,
                                             ArgumentValue=item.strip())
            kind, target = match.group(1), match.group(2)
            if kind == "id":
                grantee = {"Type": "CanonicalUser", "ID": target}
            elif kind == "uri":
                grantee = {"Type": "Group", "URI": target}
            else:
                grantee = {"Type": "AmazonCustomerByEmail", "EmailAddress": target}
            grants.append({"Grantee": grantee, "Permission": permission})
    return grants


def requested_acl(request: dict[str, Any], account: str) -> dict[str, Any] | None:
    """The ACL a new object asks for, or None for the default (owner full control), which is
    then built only when someone reads it: most objects never name an ACL."""
    if request.get("ACL") or request.get("AccessControlPolicy") or any(request.get(m) for m in _GRANT_MEMBERS):
        return acl_from_request(request, account, None)
    return None


def require_acl(request: dict[str, Any]) -> None:
    """Put*Acl names an ACL somehow (canned, grant headers or a body), or S3 answers that the
    x-amz-acl header is missing."""
    if not (request.get("ACL") or request.get("AccessControlPolicy") or any(request.get(m) for m in _GRANT_MEMBERS)):
        raise errors.MissingSecurityHeader(MissingHeaderName="x-amz-acl")


def acl_from_request(request: dict[str, Any], account: str, existing: dict[str, Any] | None) -> dict[str, Any]:
    """The AccessControlPolicy a Put*/Create* request asks for (canned, grant headers or body).

    ``existing`` is kept when the request names no ACL at all."""
    owner = owner_of(account)
    policy = request.get("AccessControlPolicy")
    if policy:
        grants = policy.get("Grants")
        if grants is None:
            raise errors.MalformedXML()
        return {"Owner": policy.get("Owner") or owner, "Grants": grants}
    header_grants = _header_grants(request)
    if request.get("ACL") and header_grants:
        raise errors.InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    if header_grants:
        return {"Owner": owner, "Grants": header_grants}
    if request.get("ACL"):
        return {"Owner": owner, "Grants": _canned(request["ACL"], owner)}
    if existing is not None:
        return existing
    return {"Owner": owner, "Grants": _canned("private", owner)}


def acls_disabled(bucket: Bucket) -> bool:
    """ObjectOwnership BucketOwnerEnforced: ACLs are off (deleting the controls turns them on)."""
    rules = (bucket.config.ownership_controls or {}).get("Rules") or []
    return bool(rules) and rules[0].get("ObjectOwnership") == "BucketOwnerEnforced"


def only_owner(acl: dict[str, Any], account: str) -> bool:
    owner_id = canonical_id(account)
    return all(g.get("Grantee", {}).get("ID") == owner_id and g.get("Permission") == "FULL_CONTROL"
               for g in acl.get("Grants") or [])


def check_acl_allowed(bucket: Bucket, acl: dict[str, Any] | None) -> None:
    """S3 refuses an ACL that grants anyone but the bucket owner when the bucket has ACLs off."""
    if acl is not None and acls_disabled(bucket) and not only_owner(acl, bucket.account):
        raise errors.AccessControlListNotSupported()

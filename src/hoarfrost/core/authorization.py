"""Optional IAM enforcement: the port through which the pipeline asks whether a caller may make
a request, and what the request is (action, resource ARN, condition keys).

Enforcement is off unless the emulator's settings turn it on (``Emulator(enforce_iam=True)``,
``mock_aws(enforce_iam=True)``, ``hoarfrost serve --enforce-iam``). Then every request signed
by anyone but an account's root is put to the ``Authorizer`` IAM registers; a refusal is
answered with the error the service's protocol sends for it (``AccessDenied`` on query and
REST-XML services, ``AccessDeniedException`` on JSON ones) and AWS's message::

    User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:PutObject on
    resource: arn:aws:s3:::bucket/key because no identity-based policy allows the s3:PutObject action

The action is ``<signing name>:<operation>``; the resource is the ARN the request names for the
services hoarfrost implements (a bucket or object, a queue, a topic, an IAM entity, a role to
assume, a KMS key, a secret, a function), else ``*``; a service that alone can name it (an
alias's key, a secret's ARN) answers through ``Ports.request_resources``. The resource's own
policy (a bucket, queue, topic, key, secret or function policy, through ``Ports.resource_policy``)
takes part: its explicit deny wins; in the caller's account its grant to the caller suffices
(a grant to the account delegates to the caller's IAM policies), across accounts the caller's own
policies must allow too; a KMS key policy must allow in any case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from hoarfrost.core.accounts import Identity
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest
from hoarfrost.core.kit.arn import build_arn, partition_for

# Actions AWS answers whatever the caller's policies say (GetCallerIdentity needs no permission,
# even under an explicit deny).
ALWAYS_ALLOWED = frozenset({"sts:GetCallerIdentity"})


class Authorizer(Protocol):
    """IAM's decision for one request (registered with ``AccountMap.register_authorizer``)."""

    def authorize(self, identity: Identity, action: str, resource: str,
                  context: Mapping[str, Any]) -> str | None:
        """None when ``identity`` may perform ``action`` on ``resource``; else why not, in AWS's
        words (``because no identity-based policy allows the s3:GetObject action``)."""


def is_root(identity: Identity) -> bool:
    """The account's root (the default credentials): always allowed."""
    return identity.user_id == identity.account and identity.arn.endswith(":root")


def request_context(identity: Identity, region: str, now: dt.datetime, request: HttpRequest,
                    service_keys: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The global condition keys hoarfrost knows for a request, and the service's own. The
    client's address (``aws:SourceIp``) is there where the transport knows it (the server's
    peer; 127.0.0.1 in-process); ``aws:SecureTransport`` is whether it came over https."""
    keys: dict[str, Any] = {
        "aws:CurrentTime": now, "aws:EpochTime": int(now.timestamp()), "aws:RequestedRegion": region,
        "aws:SecureTransport": request.scheme == "https", "aws:userid": identity.user_id,
        "aws:PrincipalArn": identity.arn, "aws:PrincipalAccount": identity.account}
    if request.client:
        keys["aws:SourceIp"] = request.client
    if service_keys:
        keys.update(service_keys)
    return keys


def _sqs_queue(url: str, region: str) -> str | None:
    parts = urlsplit(url).path.strip("/").split("/")
    return build_arn("sqs", region, parts[-2], parts[-1]) if len(parts) >= 2 and parts[-2].isdigit() else None


def request_resource(service: str, params: Mapping[str, Any], account: str, region: str) -> str:
    """The ARN a request acts on, for the services hoarfrost implements; ``*`` otherwise."""
    partition = partition_for(region)
    if service == "s3":
        bucket, key = params.get("Bucket"), params.get("Key")
        if isinstance(bucket, str):
            return build_arn("s3", "", "", f"{bucket}/{key}" if isinstance(key, str) else bucket, partition)
        return "*"
    if service == "sqs":
        url = params.get("QueueUrl")
        if isinstance(url, str):
            return _sqs_queue(url, region) or "*"
        name = params.get("QueueName")
        return build_arn("sqs", region, account, name) if isinstance(name, str) else "*"
    if service == "iam":
        for member, kind in (("UserName", "user"), ("RoleName", "role"), ("GroupName", "group"),
                             ("InstanceProfileName", "instance-profile")):
            value = params.get(member)
            if isinstance(value, str):
                path = params.get("Path")  # Create*'s; IAM's authorizer fills in an existing entity's
                path = path if isinstance(path, str) and path.startswith("/") else "/"
                return build_arn("iam", "", account, f"{kind}{path}{value}", partition)
    for member in ("RoleArn", "PolicyArn", "TopicArn", "TargetArn", "SubscriptionArn", "ResourceArn",
                   "ResourceARN", "Resource"):
        value = params.get(member)
        if isinstance(value, str) and value.startswith("arn:"):
            return value
    if service == "sns" and isinstance(params.get("Name"), str):
        return build_arn("sns", region, account, params["Name"])
    return "*"


def access_denied(protocol: str, service: str, message: str) -> ServiceError:
    """The refusal as the service's protocol words it (403)."""
    code = "AccessDeniedException" if protocol in ("json", "rest-json", "smithy-rpc-v2-cbor") else "AccessDenied"
    return ServiceError(message, code=code, status=403)

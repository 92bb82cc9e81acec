"""S3 event notifications: a bucket's QueueConfigurations deliver event records into hoarfrost's SQS,
its TopicConfigurations publish them to SNS topics (Subject "Amazon S3 Notification"), its
LambdaFunctionConfigurations invoke Lambda functions (asynchronously, as S3 does).

After a handler changed an object it calls ``emit``; every configuration whose event patterns
(``s3:ObjectCreated:*``) and key filter (prefix / suffix rules) match receives the S3 event
message (schema 2.1) through the emulator's delivery port, after the request's lock is
released. A delivery that fails (no such queue any more) is logged and dropped, as S3 drops it.
A bucket whose configuration holds ``EventBridgeConfiguration`` also sends every event to the
default event bus of its account and region (EventBridge's ``aws.s3`` events), through the same port.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import uuid
from typing import Any
from urllib.parse import quote_plus

from hoarfrost.core.catalog import service_model
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.policies import (
    Decision,
    PolicyError,
    Requester,
    access_request,
    parse_policy,
)
from hoarfrost.core.ports import Message
from hoarfrost.protocols.wire import format_timestamp
from hoarfrost.services.s3.handlers.common import S3Context
from hoarfrost.services.s3.state import Bucket, ObjectVersion, canonical_id, now

log = logging.getLogger("hoarfrost.s3.events")
SNS_SUBJECT = "Amazon S3 Notification"


@functools.cache
def _notification_events() -> frozenset[str]:
    return frozenset(service_model("s3").shape_for("Event").enum)


class _Events:
    """The event names a configuration may name (botocore's ``Event`` enum), read on first use."""

    def __contains__(self, name: object) -> bool:
        return name in _notification_events()


NOTIFICATION_EVENTS = _Events()


def new_configuration_id() -> str:
    """What S3 names a configuration put without an Id: base64 of a random UUID's text."""
    return base64.b64encode(str(uuid.uuid4()).encode()).decode()


def _matches(config: dict[str, Any], event: str, key: str) -> bool:
    name = f"s3:{event}"
    family = name.rsplit(":", 1)[0] + ":*"
    if not any(pattern in (name, family) for pattern in config.get("Events") or []):
        return False
    rules = ((config.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    for rule in rules:
        kind, value = (rule.get("Name") or "").lower(), rule.get("Value") or ""
        if (kind == "prefix" and not key.startswith(value)) or (kind == "suffix" and not key.endswith(value)):
            return False
    return True


def may_invoke(ctx: S3Context, function_arn: str, bucket: Bucket) -> bool:
    """Whether the function exists and its resource policy lets ``s3.amazonaws.com`` invoke it
    for this bucket (``AWS:SourceArn`` the bucket, ``AWS:SourceAccount`` its owner): what S3
    checks when a Lambda notification configuration is put. Lock-free reads of Lambda's state
    through the ports, so it may run under the bucket's lock."""
    if not ctx.emulator.accepts(function_arn):
        return False
    text = ctx.emulator.ports.resource_policy("lambda", function_arn)
    if text is None:
        return False
    try:
        policy = parse_policy(text)
    except PolicyError:
        return False
    request = access_request(Requester(service="s3.amazonaws.com"), "lambda:InvokeFunction", function_arn,
                             {"aws:SourceArn": bucket.arn, "aws:SourceAccount": bucket.account})
    return policy.evaluate(request) is Decision.ALLOW


def deliver(ctx: S3Context, target_arn: str, body: str) -> None:
    """Send one event message to a queue, a topic or a function once the request's lock is
    released (the delivery port); S3 drops an event it cannot deliver, and the request still
    succeeds."""
    subject = SNS_SUBJECT if target_arn.startswith("arn:") and ":sns:" in target_arn else None

    def send() -> None:
        try:
            ctx.emulator.deliver(target_arn, Message(body, subject=subject))
        except ServiceError as error:
            log.warning("S3 event not delivered to %s: %s", target_arn, error)

    ctx.after_commit(send)


def s3_test_event(ctx: S3Context, bucket: Bucket) -> str:
    """The message S3 sends each queue when a notification configuration is put."""
    return json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent",
                       "Time": format_timestamp(now(ctx.clock), "iso8601"), "Bucket": bucket.name,
                       "RequestId": ctx.request_id, "HostId": ctx.request_id})


def _record(ctx: S3Context, bucket: Bucket, event: str, key: str, version: ObjectVersion | None,
            config_id: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"),
                           "sequencer": f"{int(ctx.clock.time() * 1_000_000_000):016X}"}
    if version is not None:
        if not version.delete_marker:
            obj.update(size=version.size, eTag=version.etag.strip('"'))
        if bucket.versioning:
            obj["versionId"] = version.version_id
    principal = f"AWS:{ctx.account}"
    return {
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": bucket.region,
        "eventTime": format_timestamp(now(ctx.clock), "iso8601"), "eventName": event,
        "userIdentity": {"principalId": principal},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": ctx.request_id, "x-amz-id-2": ctx.request_id},
        "s3": {
            "s3SchemaVersion": "1.0", "configurationId": config_id or "",
            "bucket": {"name": bucket.name, "ownerIdentity": {"principalId": canonical_id(bucket.account)},
                       "arn": bucket.arn},
            "object": obj,
        },
    }


# S3 event -> (EventBridge detail-type, the reason S3 gives); events not listed go to no bus.
_EVENTBRIDGE = {
    "ObjectCreated:Put": ("Object Created", "PutObject"),
    "ObjectCreated:Copy": ("Object Created", "CopyObject"),
    "ObjectCreated:Post": ("Object Created", "POST Object"),
    "ObjectCreated:CompleteMultipartUpload": ("Object Created", "CompleteMultipartUpload"),
    "ObjectRemoved:Delete": ("Object Deleted", "DeleteObject"),
    "ObjectRemoved:DeleteMarkerCreated": ("Object Deleted", "DeleteObject"),
    "ObjectRestore:Post": ("Object Restore Initiated", "RestoreObject"),
    "ObjectRestore:Completed": ("Object Restore Completed", "RestoreObject"),
    "ObjectTagging:Put": ("Object Tags Added", "PutObjectTagging"),
    "ObjectTagging:Delete": ("Object Tags Deleted", "DeleteObjectTagging"),
    "ObjectAcl:Put": ("Object ACL Updated", "PutObjectAcl"),
}


def _eventbridge(ctx: S3Context, bucket: Bucket, event: str, key: str, version: ObjectVersion | None) -> None:
    """Hand the event to the default bus of the bucket's account and region (EventBridge fills
    in the id; the envelope and detail are S3's)."""
    kinds = _EVENTBRIDGE.get(event)
    if kinds is None:
        return
    obj: dict[str, Any] = {"key": key, "sequencer": f"{int(ctx.clock.time() * 1_000_000_000):016X}"}
    if version is not None and not version.delete_marker:
        obj.update(size=version.size, etag=version.etag.strip('"'))
    if version is not None and bucket.versioning:
        obj["version-id"] = version.version_id
    detail: dict[str, Any] = {"version": "0", "bucket": {"name": bucket.name}, "object": obj,
                              "request-id": ctx.request_id, "requester": ctx.account,
                              "source-ip-address": "127.0.0.1", "reason": kinds[1]}
    if kinds[0] == "Object Deleted":
        detail["deletion-type"] = ("Delete Marker Created" if event.endswith("DeleteMarkerCreated")
                                   else "Permanently Deleted")
    body = json.dumps({"version": "0", "detail-type": kinds[0], "source": "aws.s3", "account": bucket.account,
                       "time": str(format_timestamp(now(ctx.clock), "iso8601")).split(".")[0].rstrip("Z") + "Z",
                       "region": bucket.region, "resources": [bucket.arn], "detail": detail})
    deliver(ctx, f"arn:aws:events:{bucket.region}:{bucket.account}:event-bus/default", body)


_TARGETS = (("QueueConfigurations", "QueueArn"), ("TopicConfigurations", "TopicArn"),
            ("LambdaFunctionConfigurations", "LambdaFunctionArn"))


def emit(ctx: S3Context, bucket: Bucket, event: str, key: str, version: ObjectVersion | None = None) -> None:
    """Deliver ``event`` (``ObjectCreated:Put``...) for ``key`` to every matching queue, topic and
    function configuration (each receives the same ``Records`` document), and to EventBridge
    when the bucket has it enabled."""
    config = bucket.config.notification
    if not config:
        return
    if "EventBridgeConfiguration" in config:
        _eventbridge(ctx, bucket, event, key, version)
    for member, arn_member in _TARGETS:
        for target_config in config.get(member) or []:
            if not _matches(target_config, event, key):
                continue
            body = json.dumps({"Records": [_record(ctx, bucket, event, key, version, target_config.get("Id"))]})
            deliver(ctx, target_config.get(arn_member) or "", body)

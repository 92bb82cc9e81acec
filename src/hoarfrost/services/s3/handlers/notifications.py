"""A bucket's notification configuration: destinations validated as S3 validates them
(ARN form and region, that the queue or topic exists or the function lets S3 invoke it, event
names, key filters, overlapping configurations), Ids generated, one s3:TestEvent per queue
and topic. Delivery itself is ``events.py``."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.s3.errors import errors
from hoarfrost.services.s3.events import (
    NOTIFICATION_EVENTS,
    deliver,
    may_invoke,
    new_configuration_id,
    s3_test_event,
)
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.common import S3Context, on_bucket
from hoarfrost.services.s3.state import Bucket

# Each destination kind: the configurations' list member, the ARN member, the ARN's service.
_DESTINATIONS = (("QueueConfigurations", "QueueArn", "sqs"), ("TopicConfigurations", "TopicArn", "sns"),
                 ("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"))


def _check_destination(ctx: S3Context, bucket: Bucket, member: str, service: str, arn: str) -> None:
    """A destination ARN as S3 checks it: well formed for its kind, in the bucket's region."""
    parsed = try_parse_arn(arn)
    if parsed is None or parsed.service != service or not parsed.region or not parsed.account or not parsed.resource:
        raise errors.InvalidArgument("The ARN is not well formed", ArgumentName=member, ArgumentValue=arn)
    if parsed.region != bucket.region:
        raise errors.InvalidArgument(
            "The notification destination service region is not valid for the bucket location constraint",
            ArgumentName=member, ArgumentValue=arn)


def _check_filter(configuration: dict[str, Any]) -> None:
    """Key filter rules: prefix or suffix, at most one of each; names answered capitalised."""
    rules = ((configuration.get("Filter") or {}).get("Key") or {}).get("FilterRules")
    if not rules:
        return
    seen: set[str] = set()
    for rule in rules:
        name = (rule.get("Name") or "").lower()
        if name not in ("prefix", "suffix"):
            raise errors.InvalidArgument("filter rule name must be either prefix or suffix",
                                         ArgumentName="FilterRule.Name", ArgumentValue=rule.get("Name") or "")
        if name in seen:
            raise errors.InvalidArgument(f"Cannot specify more than one {name} rule in a filter.",
                                         ArgumentName="FilterRule.Name", ArgumentValue=rule.get("Name") or "")
        seen.add(name)
    configuration["Filter"] = {"Key": {"FilterRules": [{**rule, "Name": rule["Name"].capitalize()}
                                                       for rule in rules]}}


def _filter_of(configuration: dict[str, Any]) -> tuple[str, str]:
    rules = ((configuration.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    found = {(rule.get("Name") or "").lower(): rule.get("Value") or "" for rule in rules}
    return found.get("prefix", ""), found.get("suffix", "")


def _events_overlap(first: list[str], second: list[str]) -> bool:
    def covers(pattern: str, event: str) -> bool:
        return pattern == event or (pattern.endswith(":*") and event.startswith(pattern[:-1]))

    return any(covers(a, b) or covers(b, a) for a in first for b in second)


def _check_overlaps(configurations: list[dict[str, Any]]) -> None:
    """Two configurations may not both match one event on one key (S3's overlap rule): they
    overlap when an event type is common and one's prefix and suffix extend the other's."""
    for index, first in enumerate(configurations):
        for second in configurations[index + 1:]:
            if not _events_overlap(first.get("Events") or [], second.get("Events") or []):
                continue
            (prefix_a, suffix_a), (prefix_b, suffix_b) = _filter_of(first), _filter_of(second)
            prefixes = prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)
            suffixes = suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)
            if prefixes and suffixes:
                raise errors.InvalidArgument(
                    "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                    ArgumentName="Event", ArgumentValue=(first.get("Events") or [""])[0])


@ops.operation
@on_bucket
def put_bucket_notification_configuration(ctx: S3Context, request: dict[str, Any],
                                          bucket: Bucket) -> dict[str, Any]:
    """Validates every destination, gives configurations without an Id a generated one, and
    sends each queue and topic one s3:TestEvent (S3 sends a function none: it checks that the
    function's policy lets S3 invoke it)."""
    config = request.get("NotificationConfiguration") or {}
    skip = bool(request.get("SkipDestinationValidation"))
    stored: dict[str, Any] = {}
    tested: list[str] = []
    for member, arn_member, service in _DESTINATIONS:
        configurations = []
        for given in config.get(member) or []:
            configuration = dict(given)
            events = configuration.get("Events")
            if not events:
                raise errors.MalformedXML()
            for event in events:
                if event not in NOTIFICATION_EVENTS:
                    raise errors.InvalidArgument("The event is not supported for notifications",
                                                 ArgumentName="Event", ArgumentValue=event)
            _check_filter(configuration)
            arn = configuration.get(arn_member) or ""
            _check_destination(ctx, bucket, arn_member, service, arn)
            configuration["Id"] = configuration.get("Id") or new_configuration_id()
            if service == "lambda":
                if not skip and not may_invoke(ctx, arn, bucket):
                    raise errors.InvalidArgument(
                        "Unable to validate the following destination configurations",
                        ArgumentName1=f"{arn}, {configuration['Id']}",
                        ArgumentValue1=f"Not authorized to invoke function [{arn}]")
            elif ctx.emulator.accepts(arn):
                if arn not in tested:
                    tested.append(arn)
            elif not skip:
                kind = "queue" if service == "sqs" else "topic"
                raise errors.InvalidArgument("Unable to validate the following destination configurations",
                                             ArgumentName1=arn,
                                             ArgumentValue1=f"Permissions on the destination {kind} do not allow S3 "
                                                            "to publish notifications from this bucket")
            configurations.append(configuration)
        if configurations:
            stored[member] = configurations
    _check_overlaps([c for member, _, _ in _DESTINATIONS for c in stored.get(member, [])])
    if config.get("EventBridgeConfiguration") is not None:
        stored["EventBridgeConfiguration"] = config["EventBridgeConfiguration"]
    for arn in tested:  # one test event per destination, however many configurations name it
        deliver(ctx, arn, s3_test_event(ctx, bucket))
    bucket.config.notification = stored
    return {}


@ops.operation
@on_bucket
def get_bucket_notification_configuration(ctx: S3Context, request: dict[str, Any],
                                          bucket: Bucket) -> dict[str, Any]:
    return dict(bucket.config.notification or {})

"""SNS's typed state view: one account/region's topics, subscriptions, platform applications
and endpoints, SMS settings, and the record of messages sent to endpoints outside AWS.

Each resource's view is derived from its record in ``state.py`` (``core.kit.records``). What
is written here is what is not field mapping: the checks a view passes before it becomes
state, ARNs rebuilt onto the scope a view is restored into (a snapshot of one account/region
restores into another), the indexes, and the upgrade of documents older releases wrote.

Every collection is a list of resources, each carrying its key: topics their ``name`` (the
ARN follows from the scope), subscriptions, platform applications and endpoints their ARN,
sandbox and origination numbers their ``phone_number``. A key may appear once.

Merge rule: a resource whose key exists takes the view's fields, and its children (a topic's
subscriptions, an application's endpoints) merge by the same rule; SMS attributes merge by
name; opted-out numbers are added; sent messages are appended; a FIFO topic's sequence never
goes back. Nothing is removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Required

from pydantic import Field
from typing_extensions import TypedDict  # pydantic refuses typing's before Python 3.12

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.kit.shape_views import ShapeView, shape_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.sns import filter_policy
from hoarfrost.services.sns.state import (
    PlatformApplication,
    PlatformEndpoint,
    SandboxPhoneNumber,
    SentMessage,
    SnsBackend,
    Subscription,
    Topic,
    topic_arn,
)

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")


@record_view(Subscription, key="subscription_arn")
class SubscriptionView(RecordView):
    """One subscription of its topic. A ``pending_confirmation`` subscription receives nothing
    until confirmed with ``token``."""

    owner: str | None = Field(default=None, description="the subscriber's account; the scope's when left out")


@record_view(Topic, key="name")
class TopicView(RecordView):
    """One topic. ``attributes`` are the settable ones (Policy, DisplayName, DeliveryPolicy,
    KmsMasterKeyId, FifoTopic, ContentBasedDeduplication...); counts and the ARN are derived.
    ``sequence`` counts the sequence numbers a FIFO topic issued."""


@record_view(PlatformEndpoint, key="endpoint_arn")
class PlatformEndpointView(RecordView):
    """One push endpoint of its application (``attributes`` hold Token, Enabled, CustomUserData)."""


@record_view(PlatformApplication, key="platform_application_arn")
class PlatformApplicationView(RecordView):
    """A platform application ('...:app/<platform>/<name>') and its endpoints."""


@record_view(SandboxPhoneNumber, key="phone_number")
class SandboxPhoneNumberView(RecordView):
    """A number in the account's SMS sandbox; ``one_time_password`` verifies a pending one."""


class MessageAttributeValue(TypedDict, total=False):
    """A message attribute as the publisher sent it, under AWS's member names."""

    DataType: Required[str]
    StringValue: str
    BinaryValue: bytes


@record_view(SentMessage)
class SentMessageView(RecordView):
    """A message SNS sent to an endpoint outside hoarfrost (or failed to deliver): ``body`` is
    exactly what the endpoint receives (an envelope, a raw message, an SMS text...)."""

    message_attributes: dict[str, MessageAttributeValue] = Field(default_factory=dict)


# ListOriginationNumbers' PhoneNumberInformation, typed from the model (mypy sees the base).
if TYPE_CHECKING:
    _PhoneNumberInformation = ShapeView
else:
    _PhoneNumberInformation = shape_view("sns", "PhoneNumberInformation")


class OriginationNumberView(_PhoneNumberInformation):
    """An origination number, as ListOriginationNumbers answers it."""

    phone_number: str


class SnsStateView(StateView):
    """SNS state of one account/region (keys and merge: see ``hoarfrost.services.sns.views``)."""

    # 2: every collection a list of resources carrying their keys (1 keyed some by name or ARN).
    SCHEMA_VERSION: ClassVar[int] = 2
    schema_version: int = SCHEMA_VERSION  # StateView's default is 1: a view built in code is current

    topics: list[TopicView] = Field(default_factory=list)
    platform_applications: list[PlatformApplicationView] = Field(default_factory=list)
    sms_attributes: dict[str, str] = Field(default_factory=dict)
    opted_out_phone_numbers: list[str] = Field(default_factory=list)
    sms_sandbox_phone_numbers: list[SandboxPhoneNumberView] = Field(default_factory=list)
    # None in a partial view (merge) leaves the account's sandbox status as it is.
    in_sms_sandbox: bool | None = None
    origination_numbers: list[OriginationNumberView] = Field(default_factory=list)
    sent_messages: list[SentMessageView] = Field(default_factory=list)

    @classmethod
    def upgrade(cls, document: dict[str, Any], version: int) -> dict[str, Any]:
        """1 -> 2: topics keyed by name, platform applications by ARN and sandbox numbers by
        phone number become lists carrying that key; origination numbers move from AWS's
        member names to the view's (members PhoneNumberInformation lacks never reached a
        client, and are dropped)."""
        if version != 1:
            return super().upgrade(document, version)
        upgraded = dict(document)
        for field, key in (("topics", "name"), ("platform_applications", "platform_application_arn"),
                           ("sms_sandbox_phone_numbers", "phone_number")):
            if field in document:
                upgraded[field] = _listed(document[field], key)
        if "origination_numbers" in document:
            upgraded["origination_numbers"] = [_snake_case_number(number) for number in document["origination_numbers"]]
        return upgraded


def _listed(resources: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(resources, dict):
        raise TypeError(f"expected an object keyed by {key}, not {type(resources).__name__}")
    return [{key: name, **resource} for name, resource in resources.items()]


def _snake_case_number(number: Any) -> dict[str, Any]:
    fields = {member: name for name, (member, _) in OriginationNumberView.members.items()}
    return {fields[member]: value for member, value in dict(number).items() if member in fields}


# -- backend -> view -------------------------------------------------------------------------
def to_view(backend: SnsBackend) -> SnsStateView:
    return SnsStateView(
        topics=[TopicView.of(topic) for topic in backend.topics.values()],
        platform_applications=[PlatformApplicationView.of(app) for app in backend.platform_applications.values()],
        sms_attributes=dict(backend.sms_attributes),
        opted_out_phone_numbers=list(backend.opted_out),
        sms_sandbox_phone_numbers=[SandboxPhoneNumberView.of(entry) for entry in backend.sandbox_numbers.values()],
        in_sms_sandbox=bool(backend.in_sms_sandbox),
        origination_numbers=[OriginationNumberView.from_wire(number)
                             for number in backend.origination_numbers.values()],
        sent_messages=[SentMessageView.of(message) for message in backend.sent_messages],
    )


# -- view -> backend -------------------------------------------------------------------------
def _invalid(message: str) -> StateViewError:
    return StateViewError("invalid", f"sns: {message}")


def _unique(kind: str, keys: Iterable[str]) -> None:
    """A key named twice would silently collapse into one resource: refuse the view instead."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise _invalid(f"{kind} {key!r} appears twice")
        seen.add(key)


def _check_topic(view: TopicView) -> None:
    name, attributes = view.name, view.attributes
    fifo = attributes.get("FifoTopic", "false").lower() == "true"
    core = name[:-5] if fifo and name.endswith(".fifo") else name
    if not core or len(name) > 256 or not all((c.isalnum() and c.isascii()) or c in "-_" for c in core):
        raise _invalid(f"topic name {name!r} is not a valid SNS topic name")
    if fifo != name.endswith(".fifo"):
        raise _invalid(f"topic {name!r}: a FIFO topic's name ends with .fifo and FifoTopic is 'true' (and only then)")
    policy = attributes.get("Policy")
    if policy:
        try:
            parse_policy(policy)
        except PolicyError as exc:
            raise _invalid(f"topic {name!r}: Policy: {exc.message}") from exc


def _subscription_id(view: SubscriptionView, topic: str) -> str:
    """The id of a valid subscription of ``topic`` ('<topic ARN>:<id>' in any scope)."""
    arn = view.subscription_arn
    parsed = try_parse_arn(arn)
    name, _, sub_id = parsed.resource.partition(":") if parsed is not None else ("", "", "")
    if parsed is None or parsed.service != "sns" or name != topic or not sub_id or ":" in sub_id:
        raise _invalid(f"subscription {arn!r} must be 'arn:aws:sns:<region>:<account>:{topic}:<id>'")
    if view.protocol not in PROTOCOLS:
        raise _invalid(f"subscription {arn!r}: unknown protocol {view.protocol!r}")
    if view.pending_confirmation and not view.token:
        raise _invalid(f"subscription {arn!r} is pending confirmation but has no token")
    policy = view.attributes.get("FilterPolicy")
    if policy:
        scope = view.attributes.get("FilterPolicyScope") or filter_policy.SCOPE_ATTRIBUTES
        if scope not in filter_policy.SCOPES:
            raise _invalid(f"subscription {arn!r}: FilterPolicyScope {scope!r} is not valid")
        try:
            filter_policy.parse(policy, scope)
        except filter_policy.FilterPolicyError as exc:
            raise _invalid(f"subscription {arn!r}: {exc.message}") from exc
    return sub_id


def _moved(arn: str, account: str, region: str) -> str:
    """A checked ARN of the view's scope as the ARN of the same resource in this scope."""
    return build_arn("sns", region, account, arn.split(":", 5)[5])


def _topic(view: TopicView, account: str, region: str) -> Topic:
    _check_topic(view)
    # Ids, not ARNs: two ARNs of one id in different scopes are one subscription here.
    _unique(f"topic {view.name!r}: subscription id", (_subscription_id(sub, view.name) for sub in view.subscriptions))
    topic: Topic = view.to_record()
    topic.arn, topic.owner = topic_arn(region, account, topic.name), account
    for subscription in topic.subscriptions.values():
        subscription.arn = _moved(subscription.arn, account, region)
        subscription.owner = subscription.owner or account
    topic.subscriptions = {subscription.arn: subscription for subscription in topic.subscriptions.values()}
    return topic


def _endpoint_resource(view: PlatformEndpointView, application: str, prefix: str) -> str:
    parsed = try_parse_arn(view.endpoint_arn)
    if parsed is None or not parsed.resource.startswith(prefix) or len(parsed.resource) == len(prefix):
        raise _invalid(f"endpoint {view.endpoint_arn!r} does not belong to {application!r}")
    return parsed.resource


def _application_resource(view: PlatformApplicationView) -> str:
    parsed = try_parse_arn(view.platform_application_arn)
    resource = f"app/{view.platform}/{view.name}"
    if parsed is None or parsed.service != "sns" or parsed.resource != resource:
        raise _invalid(f"platform application {view.platform_application_arn!r} must be "
                       f"'arn:aws:sns:<region>:<account>:{resource}'")
    return resource


def _application(view: PlatformApplicationView, account: str, region: str) -> PlatformApplication:
    arn, prefix = view.platform_application_arn, f"endpoint/{view.platform}/{view.name}/"
    _unique(f"platform application {arn!r}: endpoint",
            (_endpoint_resource(endpoint, arn, prefix) for endpoint in view.endpoints))
    application: PlatformApplication = view.to_record()
    application.arn = build_arn("sns", region, account, _application_resource(view))
    for endpoint in application.endpoints.values():
        endpoint.arn = _moved(endpoint.arn, account, region)
    application.endpoints = {endpoint.arn: endpoint for endpoint in application.endpoints.values()}
    return application


def from_view(view: SnsStateView, account: str, region: str) -> SnsBackend:
    _unique("topic", (topic.name for topic in view.topics))
    _unique("platform application", (_application_resource(app) for app in view.platform_applications))
    _unique("SMS sandbox number", (entry.phone_number for entry in view.sms_sandbox_phone_numbers))
    _unique("origination number", (number.phone_number for number in view.origination_numbers))
    backend = SnsBackend(account=account, region=region)
    for topic in (_topic(topic_view, account, region) for topic_view in view.topics):
        backend.topics[topic.arn] = topic
    for application in (_application(app_view, account, region) for app_view in view.platform_applications):
        backend.platform_applications[application.arn] = application
    backend.sms_attributes = dict(view.sms_attributes)
    backend.opted_out = dict.fromkeys(view.opted_out_phone_numbers, 0.0)
    backend.sandbox_numbers = {entry.phone_number: entry.to_record() for entry in view.sms_sandbox_phone_numbers}
    backend.in_sms_sandbox = view.in_sms_sandbox
    backend.origination_numbers = {number.phone_number: number.to_wire() for number in view.origination_numbers}
    backend.sent_messages = [message.to_record() for message in view.sent_messages]
    backend.index()
    return backend


# -- merge -----------------------------------------------------------------------------------
def _merge_topic(target: Topic, source: Topic) -> None:
    # The record rule, but a partial view must not make a FIFO topic issue sequence numbers again.
    sequence = max(target.sequence, source.sequence)
    TopicView.merge(target, source)
    target.sequence = sequence


def merge(target: SnsBackend, source: SnsBackend) -> None:
    merge_keyed(target.topics, source.topics, _merge_topic)
    merge_keyed(target.platform_applications, source.platform_applications, PlatformApplicationView.merge)
    merge_keyed(target.sandbox_numbers, source.sandbox_numbers)
    merge_keyed(target.origination_numbers, source.origination_numbers)
    merge_keyed(target.sms_attributes, source.sms_attributes)
    for number, when in source.opted_out.items():
        target.opted_out.setdefault(number, when)
    if source.in_sms_sandbox is not None:
        target.in_sms_sandbox = source.in_sms_sandbox
    for message in source.sent_messages:
        target.record(message)
    target.index()

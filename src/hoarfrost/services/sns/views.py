"""SNS's typed state view: one account/region's topics, subscriptions, platform applications
and endpoints, SMS settings, and the record of messages sent to endpoints outside AWS.

Merge rule (the one rule of ``core.views``): a topic in the view whose name exists replaces
that topic's attributes, tags and data protection policy, and its subscriptions merge by ARN;
subscriptions, platform applications and endpoints merge by ARN; SMS attributes merge by
name; opted-out numbers and sandbox numbers are added; sent messages are appended. Nothing is
removed. A subscription in a view must name a topic of the same view.

ARNs in a view (subscriptions, platform applications and endpoints) are rebuilt onto the
scope a view is restored into, so a snapshot of one account/region restores into another.
"""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import Field

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.core.views import StateView, StateViewError, ViewModel, merge_resources
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


class SubscriptionView(ViewModel):
    """One subscription. ``pending_confirmation`` subscriptions receive nothing until confirmed
    with ``token``."""

    subscription_arn: str
    protocol: str
    endpoint: str
    owner: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    pending_confirmation: bool = False
    token: str | None = None
    confirmation_was_authenticated: bool = False


class TopicView(ViewModel):
    """One topic (keyed by name in the view). ``attributes`` are the settable ones (Policy,
    DisplayName, DeliveryPolicy, KmsMasterKeyId, FifoTopic, ContentBasedDeduplication...);
    counts and the ARN are derived."""

    attributes: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    data_protection_policy: str | None = None
    subscriptions_deleted: int = 0
    subscriptions: list[SubscriptionView] = Field(default_factory=list)


class PlatformEndpointView(ViewModel):
    endpoint_arn: str
    attributes: dict[str, str] = Field(default_factory=dict)


class PlatformApplicationView(ViewModel):
    name: str
    platform: str
    attributes: dict[str, str] = Field(default_factory=dict)
    endpoints: list[PlatformEndpointView] = Field(default_factory=list)


class SandboxPhoneNumberView(ViewModel):
    status: str = "Pending"
    language_code: str = "en-US"
    one_time_password: str | None = None


class SentMessageView(ViewModel):
    """A message SNS sent to an endpoint outside hoarfrost (or failed to deliver): ``body`` is
    exactly what the endpoint receives (an envelope, a raw message, an SMS text...)."""

    message_id: str
    kind: str = "Notification"
    protocol: str
    endpoint: str
    body: str
    timestamp: datetime.datetime
    topic_arn: str | None = None
    subscription_arn: str | None = None
    subject: str | None = None
    message_attributes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    status: str = "recorded"
    status_code: int | None = None
    error: str | None = None


class SnsStateView(StateView):
    """SNS state of one account/region. Topics are keyed by name, platform applications by
    ARN, sandbox numbers by phone number."""

    topics: dict[str, TopicView] = Field(default_factory=dict)
    platform_applications: dict[str, PlatformApplicationView] = Field(default_factory=dict)
    sms_attributes: dict[str, str] = Field(default_factory=dict)
    opted_out_phone_numbers: list[str] = Field(default_factory=list)
    sms_sandbox_phone_numbers: dict[str, SandboxPhoneNumberView] = Field(default_factory=dict)
    # None in a partial view (merge) leaves the account's sandbox status as it is.
    in_sms_sandbox: bool | None = None
    origination_numbers: list[dict[str, Any]] = Field(default_factory=list)
    sent_messages: list[SentMessageView] = Field(default_factory=list)


# -- backend -> view -------------------------------------------------------------------------
def _epoch_to_datetime(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)


def _attributes_copy(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: dict(value) for name, value in attributes.items()}


def to_view(backend: SnsBackend) -> SnsStateView:
    topics = {}
    for topic in backend.topics.values():
        topics[topic.name] = TopicView(
            attributes=dict(topic.attributes), tags=dict(topic.tags),
            data_protection_policy=topic.data_protection_policy,
            subscriptions_deleted=topic.subscriptions_deleted,
            subscriptions=[
                SubscriptionView(
                    subscription_arn=sub.arn, protocol=sub.protocol, endpoint=sub.endpoint, owner=sub.owner,
                    attributes=dict(sub.attributes), pending_confirmation=not sub.confirmed, token=sub.token,
                    confirmation_was_authenticated=sub.confirmation_was_authenticated,
                )
                for sub in topic.subscriptions.values()
            ],
        )
    applications = {}
    for app in backend.platform_applications.values():
        applications[app.arn] = PlatformApplicationView(
            name=app.name, platform=app.platform, attributes=dict(app.attributes),
            endpoints=[
                PlatformEndpointView(endpoint_arn=e.arn, attributes=dict(e.attributes))
                for e in app.endpoints.values()
            ],
        )
    return SnsStateView(
        topics=topics,
        platform_applications=applications,
        sms_attributes=dict(backend.sms_attributes),
        opted_out_phone_numbers=list(backend.opted_out),
        sms_sandbox_phone_numbers={
            number: SandboxPhoneNumberView(status=entry.status, language_code=entry.language_code,
                                           one_time_password=entry.one_time_password)
            for number, entry in backend.sandbox_numbers.items()
        },
        in_sms_sandbox=bool(backend.in_sms_sandbox),
        origination_numbers=[dict(number) for number in backend.origination_numbers],
        sent_messages=[
            SentMessageView(
                message_id=m.message_id, kind=m.kind, protocol=m.protocol, endpoint=m.endpoint, body=m.body,
                timestamp=_epoch_to_datetime(m.timestamp), topic_arn=m.topic_arn,
                subscription_arn=m.subscription_arn, subject=m.subject,
                message_attributes=_attributes_copy(m.message_attributes), headers=dict(m.headers),
                status=m.status, status_code=m.status_code, error=m.error,
            )
            for m in backend.sent_messages
        ],
    )


# -- view -> backend -------------------------------------------------------------------------
def _invalid(message: str) -> StateViewError:
    return StateViewError("invalid", f"sns: {message}")


def _check_topic_name(name: str, attributes: dict[str, str]) -> None:
    fifo = attributes.get("FifoTopic", "false").lower() == "true"
    core = name[:-5] if fifo and name.endswith(".fifo") else name
    if not core or len(name) > 256 or not all(c.isalnum() and c.isascii() or c in "-_" for c in core):
        raise _invalid(f"topic name {name!r} is not a valid SNS topic name")
    if fifo != name.endswith(".fifo"):
        raise _invalid(f"topic {name!r}: a FIFO topic's name ends with .fifo and FifoTopic is 'true' (and only then)")


def _check_topic_policy(name: str, attributes: dict[str, str]) -> None:
    policy = attributes.get("Policy")
    if policy:
        try:
            parse_policy(policy)
        except PolicyError as exc:
            raise _invalid(f"topic {name!r}: Policy: {exc.message}") from exc


def _subscription(view: SubscriptionView, topic: Topic, account: str, region: str) -> Subscription:
    # The ARN is '<topic ARN>:<id>'; a view taken in another account or region restores with
    # the ARN rebuilt onto this scope's topic.
    parsed = try_parse_arn(view.subscription_arn)
    name, _, sub_id = parsed.resource.partition(":") if parsed is not None else ("", "", "")
    if parsed is None or parsed.service != "sns" or name != topic.name or not sub_id or ":" in sub_id:
        raise _invalid(f"subscription {view.subscription_arn!r} must be 'arn:aws:sns:<region>:<account>:"
                       f"{topic.name}:<id>'")
    arn = f"{topic.arn}:{sub_id}"
    if view.protocol not in PROTOCOLS:
        raise _invalid(f"subscription {view.subscription_arn!r}: unknown protocol {view.protocol!r}")
    if view.pending_confirmation and not view.token:
        raise _invalid(f"subscription {view.subscription_arn!r} is pending confirmation but has no token")
    policy = view.attributes.get("FilterPolicy")
    if policy:
        scope = view.attributes.get("FilterPolicyScope") or filter_policy.SCOPE_ATTRIBUTES
        if scope not in filter_policy.SCOPES:
            raise _invalid(f"subscription {view.subscription_arn!r}: FilterPolicyScope {scope!r} is not valid")
        try:
            filter_policy.parse(policy, scope)
        except filter_policy.FilterPolicyError as exc:
            raise _invalid(f"subscription {view.subscription_arn!r}: {exc.message}") from exc
    return Subscription(
        arn=arn, topic_arn=topic.arn, protocol=view.protocol, endpoint=view.endpoint,
        owner=view.owner or account, attributes=dict(view.attributes), confirmed=not view.pending_confirmation,
        token=view.token, confirmation_was_authenticated=view.confirmation_was_authenticated,
    )


def from_view(view: SnsStateView, account: str, region: str) -> SnsBackend:
    backend = SnsBackend(account=account, region=region)
    for name, topic_view in view.topics.items():
        _check_topic_name(name, topic_view.attributes)
        _check_topic_policy(name, topic_view.attributes)
        arn = topic_arn(region, account, name)
        topic = Topic(
            arn=arn, name=name, owner=account, attributes=dict(topic_view.attributes), tags=dict(topic_view.tags),
            data_protection_policy=topic_view.data_protection_policy,
            subscriptions_deleted=topic_view.subscriptions_deleted,
        )
        backend.topics[arn] = topic
        for sub_view in topic_view.subscriptions:
            subscription = _subscription(sub_view, topic, account, region)
            if subscription.arn in backend.subscriptions:
                raise _invalid(f"subscription {sub_view.subscription_arn!r} appears twice")
            backend.add_subscription(subscription)
    for key, app_view in view.platform_applications.items():
        # Keyed by ARN; the account and region of the key are this scope's after a restore.
        parsed = try_parse_arn(key)
        resource = f"app/{app_view.platform}/{app_view.name}"
        if parsed is None or parsed.service != "sns" or parsed.resource != resource:
            raise _invalid(f"platform application {key!r} must be 'arn:aws:sns:<region>:<account>:{resource}'")
        arn = build_arn("sns", region, account, resource)
        application = PlatformApplication(
            arn=arn, name=app_view.name, platform=app_view.platform, attributes=dict(app_view.attributes),
        )
        backend.platform_applications[arn] = application
        prefix = f"endpoint/{app_view.platform}/{app_view.name}/"
        for endpoint_view in app_view.endpoints:
            parsed = try_parse_arn(endpoint_view.endpoint_arn)
            if parsed is None or not parsed.resource.startswith(prefix) or len(parsed.resource) == len(prefix):
                raise _invalid(f"endpoint {endpoint_view.endpoint_arn!r} does not belong to {key!r}")
            endpoint_arn = build_arn("sns", region, account, parsed.resource)
            backend.add_endpoint(application, PlatformEndpoint(
                arn=endpoint_arn, attributes=dict(endpoint_view.attributes),
            ))
    backend.sms_attributes = dict(view.sms_attributes)
    backend.opted_out = {number: 0.0 for number in view.opted_out_phone_numbers}
    backend.sandbox_numbers = {
        number: SandboxPhoneNumber(number, entry.status, entry.language_code, entry.one_time_password)
        for number, entry in view.sms_sandbox_phone_numbers.items()
    }
    backend.in_sms_sandbox = view.in_sms_sandbox
    backend.origination_numbers = [dict(number) for number in view.origination_numbers]
    backend.sent_messages = [
        SentMessage(
            message_id=m.message_id, kind=m.kind, protocol=m.protocol, endpoint=m.endpoint, body=m.body,
            timestamp=m.timestamp.timestamp(), topic_arn=m.topic_arn, subscription_arn=m.subscription_arn,
            subject=m.subject, message_attributes=_attributes_copy(m.message_attributes), headers=dict(m.headers),
            status=m.status, status_code=m.status_code, error=m.error,
        )
        for m in view.sent_messages
    ]
    return backend


# -- merge -----------------------------------------------------------------------------------
def _merge_topic(target: Topic, source: Topic) -> None:
    target.attributes = source.attributes
    target.tags = source.tags
    target.data_protection_policy = source.data_protection_policy
    target.subscriptions_deleted = source.subscriptions_deleted


def _merge_application(target: PlatformApplication, source: PlatformApplication) -> None:
    target.attributes = source.attributes
    target.endpoints.update(source.endpoints)


def merge(target: SnsBackend, source: SnsBackend) -> None:
    merge_resources(target.topics, source.topics, _merge_topic)
    for subscription in source.subscriptions.values():
        old = target.subscriptions.get(subscription.arn)
        if old is not None and old.token:
            target.tokens.pop(old.token, None)
        target.add_subscription(subscription)
    merge_resources(target.platform_applications, source.platform_applications, _merge_application)
    merge_resources(target.platform_endpoints, source.platform_endpoints)
    target.sms_attributes.update(source.sms_attributes)
    for number, when in source.opted_out.items():
        target.opted_out.setdefault(number, when)
    merge_resources(target.sandbox_numbers, source.sandbox_numbers)
    if source.in_sms_sandbox is not None:
        target.in_sms_sandbox = source.in_sms_sandbox
    for number in source.origination_numbers:
        if number not in target.origination_numbers:
            target.origination_numbers.append(number)
    for message in source.sent_messages:
        target.record(message)

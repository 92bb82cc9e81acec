"""SNS's internal state for one account/region: topics, subscriptions, platform applications
and endpoints, SMS settings, and the record of messages that left for endpoints outside AWS.

Plain dataclasses shaped for the handlers, and also the declaration of SNS's state view:
``views.py`` derives each resource's view from its record (``core.kit.records``), so a field
added here is in the view, its JSON Schema and merge. Metadata keeps runtime-only fields
(caches, indexes, where a resource lives) out of the view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import EPOCH, VIEW_EXCLUDE, view_as, view_named
from hoarfrost.services.sns import filter_policy

# How many sent-message records a scope keeps; the oldest go first.
MAX_SENT_MESSAGES = 10_000
# FIFO deduplication interval, seconds.
DEDUP_INTERVAL = 300.0


def topic_arn(region: str, account: str, name: str) -> str:
    return build_arn("sns", region, account, name)


def default_topic_policy(arn: str, account: str) -> str:
    """The access policy SNS gives a new topic: only the owner account may use it."""
    return json.dumps({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish",
            ],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
        }],
    }, separators=(",", ":"))


DEFAULT_EFFECTIVE_DELIVERY_POLICY = json.dumps({
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}, separators=(",", ":"))


@dataclass
class Subscription:
    arn: str = field(metadata=view_named("subscription_arn"))
    protocol: str
    endpoint: str
    owner: str
    attributes: dict[str, str] = field(default_factory=dict)
    pending_confirmation: bool = False
    token: str | None = None
    confirmation_was_authenticated: bool = False
    # The ARN of the principal whose Subscribe call made it (SubscriptionPrincipal).
    principal: str | None = field(default=None, metadata=view_named("subscription_principal"))
    # The compiled FilterPolicy and what it was compiled from: a cache.
    _policy: filter_policy.Policy | None = field(default=None, repr=False, compare=False, metadata=VIEW_EXCLUDE)
    _policy_source: tuple[str, str] | None = field(default=None, repr=False, compare=False, metadata=VIEW_EXCLUDE)

    @property
    def topic_arn(self) -> str:
        """Derived, not stored: a subscription's ARN is '<topic ARN>:<id>'."""
        return self.arn.rpartition(":")[0]

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery", "false").lower() == "true"

    @property
    def filter_scope(self) -> str:
        return self.attributes.get("FilterPolicyScope") or filter_policy.SCOPE_ATTRIBUTES

    def policy(self) -> filter_policy.Policy | None:
        """The compiled FilterPolicy, compiled once per (policy, scope) it was set to."""
        text = self.attributes.get("FilterPolicy")
        if not text:
            return None
        source = (text, self.filter_scope)
        if self._policy_source != source:
            self._policy = filter_policy.parse(text, self.filter_scope)
            self._policy_source = source
        return self._policy

    def accepts(self, message: str, attributes: dict[str, dict[str, Any]]) -> bool:
        policy = self.policy()
        return policy is None or filter_policy.matches(policy, self.filter_scope, message, attributes)


@dataclass(kw_only=True)
class Topic:
    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    data_protection_policy: str | None = None
    subscriptions_deleted: int = 0
    subscriptions: dict[str, Subscription] = field(default_factory=dict)  # by ARN
    # The last FIFO sequence number issued (as a count): a restored topic carries on from it.
    sequence: int = 0
    # Where the topic lives: a view is portable across accounts and regions, so the scope it
    # is created or restored in sets these, never the view.
    arn: str = field(default="", metadata=VIEW_EXCLUDE)
    owner: str = field(default="", metadata=VIEW_EXCLUDE)
    # dedup id -> (message id, sequence number, expiry): transient.
    dedup: dict[str, tuple[str, str, float]] = field(default_factory=dict, metadata=VIEW_EXCLUDE)

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoTopic", "false").lower() == "true"

    @property
    def access_policy(self) -> str:
        """The Policy attribute, or the default SNS answers for a topic that has none."""
        return self.attributes.get("Policy") or default_topic_policy(self.arn, self.owner)

    @property
    def content_based_deduplication(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication", "false").lower() == "true"

    def next_sequence_number(self) -> str:
        self.sequence += 1
        return f"{10000000000000000000 + self.sequence:020d}"

    def recent_duplicate(self, dedup_id: str, now: float) -> tuple[str, str] | None:
        entry = self.dedup.get(dedup_id)
        if entry is not None and entry[2] > now:
            return entry[0], entry[1]
        return None

    def remember(self, dedup_id: str, message_id: str, sequence: str, now: float) -> None:
        if len(self.dedup) > 1000:
            self.dedup = {k: v for k, v in self.dedup.items() if v[2] > now}
        self.dedup[dedup_id] = (message_id, sequence, now + DEDUP_INTERVAL)


@dataclass
class PlatformEndpoint:
    arn: str = field(metadata=view_named("endpoint_arn"))
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"

    @property
    def application_arn(self) -> str:
        """Derived, not stored: '...:endpoint/<platform>/<name>/<id>' belongs to '...:app/<platform>/<name>'."""
        scope, _, resource = self.arn.partition(":endpoint/")
        return f"{scope}:app/{resource.rpartition('/')[0]}"


@dataclass
class PlatformApplication:
    arn: str = field(metadata=view_named("platform_application_arn"))
    name: str
    platform: str
    attributes: dict[str, str] = field(default_factory=dict)
    endpoints: dict[str, PlatformEndpoint] = field(default_factory=dict)  # by ARN

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true").lower() == "true"


@dataclass
class SandboxPhoneNumber:
    phone_number: str
    status: str = "Pending"
    language_code: str = "en-US"
    one_time_password: str | None = None


@dataclass(kw_only=True)
class SentMessage:
    """One message SNS sent (or tried to send) to an endpoint: what the endpoint receives."""

    message_id: str
    # Notification, SubscriptionConfirmation, UnsubscribeConfirmation, OneTimePassword
    kind: str = "Notification"
    protocol: str
    endpoint: str
    body: str
    # Epoch seconds on the emulator's clock.
    timestamp: float = field(metadata=view_as(EPOCH))
    topic_arn: str | None = None
    subscription_arn: str | None = None
    subject: str | None = None
    message_attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # recorded (kept, never sent), pending (queued for HTTP), delivered, failed
    status: str = "recorded"
    status_code: int | None = None
    error: str | None = None


@dataclass
class SnsBackend:
    account: str
    region: str
    topics: dict[str, Topic] = field(default_factory=dict)  # by ARN
    platform_applications: dict[str, PlatformApplication] = field(default_factory=dict)  # by ARN
    # Indexes over the topics' subscriptions and the applications' endpoints (see ``index``).
    subscriptions: dict[str, Subscription] = field(default_factory=dict)  # by ARN
    tokens: dict[str, str] = field(default_factory=dict)  # confirmation token -> subscription ARN
    platform_endpoints: dict[str, PlatformEndpoint] = field(default_factory=dict)  # by ARN
    sms_attributes: dict[str, str] = field(default_factory=dict)
    opted_out: dict[str, float] = field(default_factory=dict)  # phone -> when
    sandbox_numbers: dict[str, SandboxPhoneNumber] = field(default_factory=dict)
    in_sms_sandbox: bool | None = False  # None only in a backend built from a partial view
    # By phone number, in ListOriginationNumbers' member names.
    origination_numbers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent_messages: list[SentMessage] = field(default_factory=list)

    def topic_arn(self, name: str) -> str:
        return topic_arn(self.region, self.account, name)

    def index(self) -> None:
        """Rebuild the indexes from the resources that own what they index (after a view was
        restored or merged, which brings whole topics and applications)."""
        self.subscriptions = {arn: sub for topic in self.topics.values() for arn, sub in topic.subscriptions.items()}
        self.tokens = {sub.token: arn for arn, sub in self.subscriptions.items() if sub.token}
        self.platform_endpoints = {arn: endpoint for application in self.platform_applications.values()
                                   for arn, endpoint in application.endpoints.items()}

    def add_subscription(self, subscription: Subscription) -> None:
        self.subscriptions[subscription.arn] = subscription
        topic = self.topics.get(subscription.topic_arn)
        if topic is not None:
            topic.subscriptions[subscription.arn] = subscription
        if subscription.token:
            self.tokens[subscription.token] = subscription.arn

    def remove_subscription(self, arn: str) -> Subscription | None:
        subscription = self.subscriptions.pop(arn, None)
        if subscription is None:
            return None
        topic = self.topics.get(subscription.topic_arn)
        if topic is not None:
            topic.subscriptions.pop(arn, None)
            topic.subscriptions_deleted += 1
        if subscription.token:
            self.tokens.pop(subscription.token, None)
        return subscription

    def remove_topic(self, arn: str) -> Topic | None:
        topic = self.topics.pop(arn, None)
        if topic is not None:
            for sub_arn in list(topic.subscriptions):
                subscription = self.subscriptions.pop(sub_arn, None)
                if subscription is not None and subscription.token:
                    self.tokens.pop(subscription.token, None)
        return topic

    def add_endpoint(self, application: PlatformApplication, endpoint: PlatformEndpoint) -> None:
        application.endpoints[endpoint.arn] = endpoint
        self.platform_endpoints[endpoint.arn] = endpoint

    def remove_endpoint(self, arn: str) -> None:
        endpoint = self.platform_endpoints.pop(arn, None)
        application = self.platform_applications.get(endpoint.application_arn) if endpoint else None
        if application is not None:
            application.endpoints.pop(arn, None)

    def remove_application(self, arn: str) -> None:
        application = self.platform_applications.pop(arn, None)
        if application is not None:
            for endpoint_arn in application.endpoints:
                self.platform_endpoints.pop(endpoint_arn, None)

    def record(self, message: SentMessage) -> SentMessage:
        self.sent_messages.append(message)
        if len(self.sent_messages) > MAX_SENT_MESSAGES:
            del self.sent_messages[: len(self.sent_messages) - MAX_SENT_MESSAGES]
        return message

"""Subscriptions: subscribe (with the confirmation handshake), confirm, unsubscribe, list,
and subscription attributes."""

from __future__ import annotations

import re
import secrets
import uuid
from operator import attrgetter
from typing import Any

from hoarfrost.core.kit.arn import Arn, try_parse_arn
from hoarfrost.core.kit.paging import Page, paginate
from hoarfrost.services.sns.attributes import (
    check_subscription_attribute,
    check_subscription_attributes,
    set_subscription_attribute,
    subscription_attributes,
)
from hoarfrost.services.sns.errors import errors, invalid
from hoarfrost.services.sns.handlers import ops
from hoarfrost.services.sns.handlers.common import (
    PAGE_SIZE,
    SnsContext,
    arn_error,
    base_url,
    deliverer,
    is_true,
    scope_of,
    token_error,
    topic_access,
    valid_phone,
)
from hoarfrost.services.sns.state import SnsBackend, Subscription, Topic

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
# Protocols whose endpoint must confirm before it receives anything.
NEEDS_CONFIRMATION = ("http", "https", "email", "email-json")
PENDING = "pending confirmation"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_endpoint(protocol: str, endpoint: str | None, topic: Topic) -> str:
    """SNS's checks of an endpoint against its protocol."""
    if protocol not in PROTOCOLS:
        raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
    if not endpoint:
        raise invalid("Endpoint Reason: An endpoint is required for this protocol")
    if protocol in ("http", "https"):
        if not endpoint.lower().startswith(protocol + "://"):
            raise invalid("Endpoint must match the specified protocol")
    elif protocol in ("email", "email-json"):
        if not _EMAIL.match(endpoint):
            raise invalid("Email address")
    elif protocol == "sms":
        if not valid_phone(endpoint):
            raise invalid(f"Invalid SMS endpoint: {endpoint}")
    else:
        service = {"sqs": "sqs", "lambda": "lambda", "firehose": "firehose", "application": "sns"}[protocol]
        arn = try_parse_arn(endpoint)
        if arn is None or arn.service != service:
            label = {"sqs": "SQS endpoint ARN", "lambda": "Lambda endpoint ARN",
                     "firehose": "Firehose endpoint ARN", "application": "Application endpoint arn invalid:" + endpoint}
            raise invalid(label[protocol])
        if protocol == "sqs":
            fifo_queue = arn.resource.endswith(".fifo")
            if fifo_queue and not topic.fifo:
                raise invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to "
                              "standard SNS topics")  # (SNS says "Invalid parameter: " twice here)
    if topic.fifo and protocol != "sqs":
        raise invalid(f"Invalid protocol type: {protocol}")
    return endpoint


def _subscription_entry(subscription: Subscription) -> dict[str, str]:
    return {
        "SubscriptionArn": "PendingConfirmation" if subscription.pending_confirmation else subscription.arn,
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "TopicArn": subscription.topic_arn,
    }


@ops.operation
def subscribe(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    protocol = request["Protocol"].lower()
    with topic_access(ctx, request["TopicArn"], "Subscribe") as (backend, scope, topic):
        endpoint = _check_endpoint(protocol, request.get("Endpoint"), topic)
        if protocol == "application" and endpoint not in backend.platform_endpoints:
            raise invalid(f"Endpoint Reason: Endpoint does not exist for endpoint {endpoint}")
        attributes = check_subscription_attributes(dict(request.get("Attributes") or {}), protocol)
        if protocol == "firehose" and "SubscriptionRoleArn" not in attributes:
            raise invalid("SubscriptionRoleArn")
        show_arn = is_true(request.get("ReturnSubscriptionArn", False))

        for existing in topic.subscriptions.values():
            if existing.protocol == protocol and existing.endpoint == endpoint:
                if any(existing.attributes.get(k) != v for k, v in attributes.items()):
                    raise invalid("Attributes Reason: Subscription already exists with different attributes")
                return {"SubscriptionArn": PENDING if existing.pending_confirmation and not show_arn else existing.arn}

        pending = protocol in NEEDS_CONFIRMATION
        # A subscription that needs no handshake is confirmed by the signed Subscribe call itself.
        subscription = Subscription(
            arn=f"{topic.arn}:{uuid.uuid4()}", protocol=protocol, endpoint=endpoint, owner=ctx.account,
            attributes=attributes, pending_confirmation=pending, token=secrets.token_hex(64) if pending else None,
            confirmation_was_authenticated=not pending,
            principal=ctx.emulator.accounts.identity_for(ctx.access_key, ctx.region).arn,
        )
        backend.add_subscription(subscription)
        if pending:
            deliverer(ctx).confirm_request(backend, scope, topic, subscription, base_url(ctx))
        return {"SubscriptionArn": PENDING if pending and not show_arn else subscription.arn}


@ops.operation
def confirm_subscription(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    token = request["Token"]
    with topic_access(ctx, request["TopicArn"], None) as (backend, _, topic):
        subscription = backend.subscriptions.get(backend.tokens.get(token, ""))
        if subscription is None or subscription.topic_arn != topic.arn:
            raise invalid("Token")
        subscription.pending_confirmation = False
        if is_true(request.get("AuthenticateOnUnsubscribe", False)):
            subscription.confirmation_was_authenticated = True
        return {"SubscriptionArn": subscription.arn}


def _subscription_arn(text: str) -> Arn:
    arn = try_parse_arn(text)
    if arn is None or arn.service != "sns" or arn.resource.count(":") != 1:
        raise arn_error("SubscriptionArn", text)
    return arn


def _subscription(backend: SnsBackend, arn: str) -> Subscription:
    subscription = backend.subscriptions.get(arn)
    if subscription is None:
        raise errors.NotFoundException("Subscription does not exist")
    return subscription


@ops.operation
def unsubscribe(ctx: SnsContext, request: dict[str, Any]) -> None:
    arn_text = request["SubscriptionArn"]
    with scope_of(ctx, _subscription_arn(arn_text)) as (backend, scope):
        subscription = backend.subscriptions.get(arn_text)
        if subscription is None:
            return  # unsubscribing what does not exist (any more) succeeds, as in AWS
        topic = backend.topics.get(subscription.topic_arn)
        backend.remove_subscription(arn_text)
        if topic is not None and not subscription.pending_confirmation and subscription.protocol in ("http", "https"):
            subscription.token = secrets.token_hex(64)
            deliverer(ctx).confirm_request(backend, scope, topic, subscription, base_url(ctx),
                                           kind="UnsubscribeConfirmation")


_BY_ARN = attrgetter("arn")


def _page(subscriptions: list[Subscription], request: dict[str, Any], kind: str) -> Page[Subscription]:
    """Subscriptions in ARN order, so a NextToken resumes after the last ARN it returned."""
    subscriptions.sort(key=_BY_ARN)
    return paginate(subscriptions, request.get("NextToken"), PAGE_SIZE, kind=kind, key=_BY_ARN, error=token_error())


@ops.operation
def list_subscriptions(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    page = _page(list(ctx.state.subscriptions.values()), request, "sns:ListSubscriptions")
    return {"Subscriptions": [_subscription_entry(sub) for sub in page.items], **page.token_member()}


@ops.operation
def list_subscriptions_by_topic(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    with topic_access(ctx, request["TopicArn"], "ListSubscriptionsByTopic") as (_, _, topic):
        page = _page(list(topic.subscriptions.values()), request, "sns:ListSubscriptionsByTopic")
        return {"Subscriptions": [_subscription_entry(sub) for sub in page.items], **page.token_member()}


@ops.operation
def get_subscription_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    arn_text = request["SubscriptionArn"]
    with scope_of(ctx, _subscription_arn(arn_text)) as (backend, _):
        return {"Attributes": subscription_attributes(_subscription(backend, arn_text))}


@ops.operation
def set_subscription_attributes(ctx: SnsContext, request: dict[str, Any]) -> None:
    arn_text = request["SubscriptionArn"]
    name = request["AttributeName"]
    value = request.get("AttributeValue") or ""
    with scope_of(ctx, _subscription_arn(arn_text)) as (backend, _):
        subscription = _subscription(backend, arn_text)
        check_subscription_attribute(
            name, value, subscription.protocol,
            scope=value if name == "FilterPolicyScope" else subscription.filter_scope,
            policy=subscription.attributes.get("FilterPolicy"),
        )
        set_subscription_attribute(subscription, name, value)

"""Topic and subscription attributes: which names may be set, what values are valid, and the
full attribute maps Get*Attributes answer with."""

from __future__ import annotations

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.documents import json_object
from hoarfrost.core.kit.policies import PolicyError, Problem, parse_policy
from hoarfrost.services.sns import filter_policy
from hoarfrost.services.sns.errors import errors, invalid
from hoarfrost.services.sns.state import (
    DEFAULT_EFFECTIVE_DELIVERY_POLICY,
    Subscription,
    Topic,
    default_topic_policy,
)

_FEEDBACK = tuple(
    f"{endpoint}{kind}"
    for endpoint in ("Application", "HTTP", "Lambda", "SQS", "Firehose")
    for kind in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
)

# Attributes SetTopicAttributes accepts (CreateTopic also takes FifoTopic).
TOPIC_SETTABLE = frozenset({
    "DeliveryPolicy", "DisplayName", "MaximumMessageSize", "Policy", "TracingConfig", "KmsMasterKeyId",
    "SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope",
    *_FEEDBACK,
})
TOPIC_CREATE = TOPIC_SETTABLE | {"FifoTopic"}

SUBSCRIPTION_SETTABLE = frozenset({
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
    "SubscriptionRoleArn", "ReplayPolicy",
})
RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")

DEFAULT_MAX_MESSAGE_SIZE = 262144


def _boolean(name: str, value: str) -> None:
    if value.lower() not in ("true", "false"):
        raise invalid(f"{name}: {value} is not a valid boolean value" if name != "RawMessageDelivery"
                      else "RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")


# -- topics ----------------------------------------------------------------------------------
def check_topic_policy(text: str) -> None:
    """SNS's InvalidParameter for a topic policy it would refuse: not JSON ("null", as SNS
    words it), malformed in the policy language, or granting actions of another service."""
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        raise invalid("Policy Error: null" if exc.problem is Problem.JSON else f"Policy Error: {exc.message}") from exc
    for statement in policy.statements:
        for action in statement.actions:
            if action != "*" and action.split(":", 1)[0].lower() != "sns":
                raise invalid("Policy statement action out of service scope!")


def check_topic_attribute(name: str, value: str, fifo: bool, *, creating: bool = False) -> None:
    """Raise SNS's InvalidParameter for a name or value SNS would refuse."""
    allowed = TOPIC_CREATE if creating else TOPIC_SETTABLE
    if name not in allowed:
        raise invalid("AttributeName")
    if name == "Policy" and value:
        check_topic_policy(value)
    if name == "DeliveryPolicy" and value and json_object(value) is None:
        raise invalid("DeliveryPolicy: failed to parse JSON.")
    if name == "ArchivePolicy":
        if not fifo:
            raise invalid("ArchivePolicy: Message archiving is only supported on FIFO topics")
        if value and json_object(value) is None:
            raise invalid("ArchivePolicy: failed to parse JSON.")
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise invalid("SignatureVersion")
    if name == "TracingConfig" and value not in ("PassThrough", "Active"):
        raise invalid("TracingConfig: Invalid value " + value)
    if name == "DisplayName" and len(value) > 100:
        raise invalid("DisplayName")
    if name in ("ContentBasedDeduplication", "FifoTopic"):
        _boolean(name, value)
        if name == "ContentBasedDeduplication" and not fifo and value.lower() == "true":
            raise invalid("ContentBasedDeduplication Reason: Content based deduplication can only be set for "
                          "FIFO topics")
    if name == "FifoThroughputScope":
        if not fifo:
            raise invalid("FifoThroughputScope: Only FIFO topics support FifoThroughputScope")
        if value not in ("Topic", "MessageGroup"):
            raise invalid("FifoThroughputScope: Invalid value " + value)
    if name == "MaximumMessageSize":
        if not value.isdigit() or not 1024 <= int(value) <= 1048576:
            raise invalid("MaximumMessageSize: must be an integer between 1024 and 1048576")


def set_topic_attribute(topic: Topic, account: str, name: str, value: str) -> None:
    """Store one attribute; an empty value returns it to its default."""
    if name == "Policy" and not value:
        value = default_topic_policy(topic.arn, account)
    if value == "" and name not in ("DisplayName",):
        topic.attributes.pop(name, None)
        return
    topic.attributes[name] = value


def topic_attributes(topic: Topic) -> dict[str, str]:
    """GetTopicAttributes' answer: the stored attributes plus the computed ones."""
    pending = sum(1 for sub in topic.subscriptions.values() if sub.pending_confirmation)
    confirmed = len(topic.subscriptions) - pending
    result = {
        "Policy": topic.access_policy,
        "Owner": topic.owner,
        "SubscriptionsPending": str(pending),
        "TopicArn": topic.arn,
        "EffectiveDeliveryPolicy": topic.attributes.get("DeliveryPolicy") or DEFAULT_EFFECTIVE_DELIVERY_POLICY,
        "SubscriptionsConfirmed": str(confirmed),
        "DisplayName": topic.attributes.get("DisplayName", ""),
        "SubscriptionsDeleted": str(topic.subscriptions_deleted),
    }
    for name, value in topic.attributes.items():
        result.setdefault(name, value)
    if topic.fifo:
        result["FifoTopic"] = "true"
        result["ContentBasedDeduplication"] = "true" if topic.content_based_deduplication else "false"
    return result


def max_message_size(topic: Topic) -> int:
    value = topic.attributes.get("MaximumMessageSize")
    return int(value) if value and value.isdigit() else DEFAULT_MAX_MESSAGE_SIZE


# -- subscriptions ---------------------------------------------------------------------------
_PREFIX = "Invalid parameter: "
_SUBSCRIBE_PREFIX = "Invalid parameter: Attributes Reason: "


def check_subscription_attributes(attributes: dict[str, str], protocol: str) -> dict[str, str]:
    """Validate a whole set (Subscribe's Attributes), FilterPolicy under the scope given with it.

    SNS words a Subscribe attribute's error ``Invalid parameter: Attributes Reason: <detail>``
    where SetSubscriptionAttributes says ``Invalid parameter: <detail>``."""
    for name, value in attributes.items():
        try:
            check_subscription_attribute(name, value, protocol, attributes.get("FilterPolicyScope"),
                                         attributes.get("FilterPolicy"))
        except errors.InvalidParameterException as exc:
            if exc.message.startswith(_PREFIX):
                raise errors.InvalidParameterException(_SUBSCRIBE_PREFIX + exc.message[len(_PREFIX):]) from exc
            raise
    return dict(attributes)


def check_subscription_attribute(name: str, value: str, protocol: str, scope: str | None = None,
                                 policy: str | None = None) -> None:
    if name not in SUBSCRIPTION_SETTABLE:
        raise invalid("AttributeName")
    if name == "RawMessageDelivery":
        if protocol not in RAW_PROTOCOLS:
            raise invalid(f"Delivery protocol [{protocol}] does not support raw message delivery.")
        _boolean(name, value)
    elif name == "FilterPolicyScope":
        if value not in filter_policy.SCOPES:
            raise invalid(f"FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or "
                          "MessageAttributes")
        if policy:
            _check_filter_policy(policy, value)
    elif name == "FilterPolicy":
        if value:
            _check_filter_policy(value, scope or filter_policy.SCOPE_ATTRIBUTES)
    elif name == "RedrivePolicy":
        document = json_object(value) if value else {}
        if document is None:
            raise invalid("RedrivePolicy: failed to parse JSON.")
        target = document.get("deadLetterTargetArn")
        arn = try_parse_arn(target) if isinstance(target, str) else None
        if value and (arn is None or arn.service != "sqs"):
            raise invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn")
    elif name in ("DeliveryPolicy", "ReplayPolicy"):
        if value and json_object(value) is None:
            raise invalid(f"{name}: failed to parse JSON.")
    elif name == "SubscriptionRoleArn":
        arn = try_parse_arn(value)
        if arn is None or arn.service != "iam":
            raise invalid("SubscriptionRoleArn")


def _check_filter_policy(text: str, scope: str) -> None:
    try:
        filter_policy.parse(text, scope)
    except filter_policy.FilterPolicyError as exc:
        raise errors.InvalidParameterException(exc.message) from exc


def set_subscription_attribute(subscription: Subscription, name: str, value: str) -> None:
    if value == "" and name != "FilterPolicyScope":
        subscription.attributes.pop(name, None)
        return
    subscription.attributes[name] = value


def subscription_attributes(subscription: Subscription) -> dict[str, str]:
    """GetSubscriptionAttributes' answer."""
    result = {
        "SubscriptionArn": subscription.arn,
        "TopicArn": subscription.topic_arn,
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "ConfirmationWasAuthenticated": "true" if subscription.confirmation_was_authenticated else "false",
        "PendingConfirmation": "true" if subscription.pending_confirmation else "false",
        "RawMessageDelivery": "true" if subscription.raw else "false",
    }
    if subscription.principal:
        result["SubscriptionPrincipal"] = subscription.principal
    for name, value in subscription.attributes.items():
        if name != "RawMessageDelivery":
            result[name] = value
    if "FilterPolicy" in subscription.attributes:
        result["FilterPolicyScope"] = subscription.filter_scope
    if subscription.protocol in ("http", "https"):
        result["EffectiveDeliveryPolicy"] = (subscription.attributes.get("DeliveryPolicy")
                                             or DEFAULT_EFFECTIVE_DELIVERY_POLICY)
    return result

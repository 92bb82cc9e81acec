"""Queue attributes: which exist, their defaults, and the values SQS accepts for each.

Queues keep their settable attributes as the strings SQS answers with, so GetQueueAttributes is
a dictionary copy; the numbers the hot path needs are cached on the queue when set.
Checks that need other queues (a redrive target exists, its type matches) live in the backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.documents import json_object
from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.services.sqs.errors import (
    errors,
    invalid_parameter,
)

# Every queue has these, with these defaults.
STANDARD_DEFAULTS: dict[str, str] = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
}
# FIFO queues add these.
FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
FIFO_ONLY = frozenset(("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"))
# The high-throughput settings, which SQS refuses on a standard queue with their own sentence.
FIFO_SCOPED = frozenset(("DeduplicationScope", "FifoThroughputLimit"))
# Present only once set; an empty string removes them.
OPTIONAL = frozenset(("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
                      "KmsDataKeyReusePeriodSeconds"))
# Answered by GetQueueAttributes, never set.
COMPUTED = (
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
)
SETTABLE = frozenset(STANDARD_DEFAULTS) | frozenset(FIFO_DEFAULTS) | OPTIONAL
ALL_NAMES = SETTABLE | frozenset(COMPUTED)

MAX_RECEIVE_COUNT = 1000
MAX_REDRIVE_SOURCES = 10


def _integer(low: int, high: int) -> Callable[[str, str], str]:
    def check(name: str, value: str) -> str:
        try:
            number = int(value)
        except ValueError:
            raise errors.InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
        if not low <= number <= high:
            raise errors.InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return str(number)

    return check


def _boolean(name: str, value: str) -> str:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise errors.InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return lowered


def _choice(*choices: str) -> Callable[[str, str], str]:
    def check(name: str, value: str) -> str:
        if value not in choices:
            raise errors.InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return value

    return check


def _policy(name: str, value: str) -> str:
    """Validated in the policy language (a document without statements passes, as SQS keeps it)."""
    if value == "":
        return value
    try:
        parse_policy(value, statements_required=False)
    except PolicyError:
        raise errors.InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
    return value


def _redrive_policy(name: str, value: str) -> str:
    """Shape only; the target queue is checked by the backend. Stored in AWS's canonical form."""
    if value == "":
        return value
    policy = json_object(value)
    if policy is None:
        raise invalid_parameter(name, value, "Redrive policy is not a valid JSON map")
    target, count = policy.get("deadLetterTargetArn"), policy.get("maxReceiveCount")
    if not target or count is None:
        raise invalid_parameter(name, value, "Redrive policy does not contain mandatory attribute: "
                                + ("deadLetterTargetArn" if not target else "maxReceiveCount"))
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise invalid_parameter(name, value, "Invalid value for maxReceiveCount") from None
    if not 1 <= count <= MAX_RECEIVE_COUNT:
        raise invalid_parameter(name, value, f"Invalid value for maxReceiveCount: {count}, "
                                f"valid values are from 1 to {MAX_RECEIVE_COUNT} both inclusive")
    extra = set(policy) - {"deadLetterTargetArn", "maxReceiveCount"}
    if extra:
        raise invalid_parameter(name, value, f"Only following attributes are supported: "
                                f"[deadLetterTargetArn, maxReceiveCount], got {sorted(extra)}")
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count}, separators=(",", ":"))


def _redrive_allow_policy(name: str, value: str) -> str:
    if value == "":
        return value
    policy = json_object(value)
    if policy is None:
        raise invalid_parameter(name, value, "Amazon SQS can't create the redrive allow policy, as it's in an "
                                "unsupported format")
    permission = policy.get("redrivePermission")
    sources = policy.get("sourceQueueArns")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid_parameter(name, value, "Amazon SQS can't create the redrive allow policy. redrivePermission "
                                "must be one of allowAll, denyAll or byQueue")
    if permission == "byQueue":
        if not isinstance(sources, list) or not sources or len(sources) > MAX_REDRIVE_SOURCES:
            raise invalid_parameter(name, value, "Amazon SQS can't create the redrive allow policy. When you "
                                    "specify the byQueue permission type, you must also specify one or more "
                                    f"(up to {MAX_REDRIVE_SOURCES}) sourceQueueArns values")
    elif sources is not None:
        raise invalid_parameter(name, value, "Amazon SQS can't create the redrive allow policy. To specify one "
                                "or more source queue ARNs, you must set redrivePermission to byQueue")
    return value


def _any_string(name: str, value: str) -> str:
    return value


_CHECKS: dict[str, Callable[[str, str], str]] = {
    "VisibilityTimeout": _integer(0, 43_200),
    "MaximumMessageSize": _integer(1_024, 1_048_576),
    "MessageRetentionPeriod": _integer(60, 1_209_600),
    "DelaySeconds": _integer(0, 900),
    "ReceiveMessageWaitTimeSeconds": _integer(0, 20),
    "KmsDataKeyReusePeriodSeconds": _integer(60, 86_400),
    "SqsManagedSseEnabled": _boolean,
    "FifoQueue": _boolean,
    "ContentBasedDeduplication": _boolean,
    "DeduplicationScope": _choice("messageGroup", "queue"),
    "FifoThroughputLimit": _choice("perQueue", "perMessageGroupId"),
    "Policy": _policy,
    "RedrivePolicy": _redrive_policy,
    "RedriveAllowPolicy": _redrive_allow_policy,
    "KmsMasterKeyId": _any_string,
}


def unknown_attribute(name: str) -> ServiceError:
    return errors.InvalidAttributeName(f"Unknown Attribute {name}.")


def check_settable(attributes: dict[str, str], fifo: bool, creating: bool) -> dict[str, str]:
    """Validated, normalised copy of attributes given to CreateQueue or SetQueueAttributes."""
    checked: dict[str, str] = {}
    for name, value in attributes.items():
        if name in FIFO_SCOPED and not fifo:
            raise errors.InvalidAttributeName(f"You can specify the {name} only when FifoQueue is set to true.")
        # FifoQueue exists only as "true", at creation: a standard queue does not know the name.
        if name not in SETTABLE or (name in FIFO_ONLY and not fifo) or \
                (name == "FifoQueue" and not (creating and fifo)):
            raise unknown_attribute(name)
        checked[name] = _CHECKS[name](name, str(value))
    if fifo and checked.get("FifoThroughputLimit") == "perMessageGroupId" and \
            checked.get("DeduplicationScope") == "queue":
        raise errors.InvalidAttributeValue("Invalid value for the parameter FifoThroughputLimit. Reason: To enable "
                                           "high throughput for FIFO queues, set DeduplicationScope to messageGroup.")
    return checked


def check_requested(names: list[str]) -> set[str] | None:
    """The attribute names GetQueueAttributes should answer; None means all."""
    wanted: set[str] = set()
    for name in names:
        if name == "All":
            return None
        if name not in ALL_NAMES:
            raise unknown_attribute(name)
        wanted.add(name)
    return wanted

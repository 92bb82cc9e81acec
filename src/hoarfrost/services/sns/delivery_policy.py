"""HTTP/S delivery policies: when SNS retries a notification an endpoint did not take.

The effective policy is the subscription's ``DeliveryPolicy.healthyRetryPolicy``, else the
topic's ``DeliveryPolicy.http.defaultHealthyRetryPolicy`` (the topic's alone when it sets
``http.disableSubscriptionOverrides``), else SNS's default: 3 retries 20 seconds apart.

A policy's retries run in AWS's four phases: ``numNoDelayRetries`` at once, then
``numMinDelayRetries`` ``minDelayTarget`` apart, then the backoff phase (what is left of
``numRetries`` after the other three) whose delays climb from ``minDelayTarget`` to
``maxDelayTarget`` following ``backoffFunction``, then ``numMaxDelayRetries``
``maxDelayTarget`` apart. AWS publishes the backoff functions as a graph only and adds jitter;
here the delays are deterministic (linear climbs evenly, arithmetic and exponential start
slow, geometric starts fast), so a test can move the emulator's clock by exactly one delay.

A 2xx answer delivers; a 4xx other than 429 is a client error, which SNS does not retry; a
5xx, a 429 or no answer at all is retried.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

DEFAULT_RETRIES = 3
DEFAULT_DELAY = 20
MAX_BACKOFF_EXPONENT = 10  # the exponential curve's steepness: 2**10 from first to last step


@dataclass(frozen=True)
class RetryPolicy:
    num_retries: int = DEFAULT_RETRIES
    num_no_delay_retries: int = 0
    num_min_delay_retries: int = 0
    num_max_delay_retries: int = 0
    min_delay: int = DEFAULT_DELAY
    max_delay: int = DEFAULT_DELAY
    backoff_function: str = "linear"

    def delay_before(self, retry: int) -> float | None:
        """Seconds to wait before retry number ``retry`` (1-based); None once retries are spent."""
        if retry < 1 or retry > self.num_retries:
            return None
        if retry <= self.num_no_delay_retries:
            return 0.0
        retry -= self.num_no_delay_retries
        if retry <= self.num_min_delay_retries:
            return float(self.min_delay)
        retry -= self.num_min_delay_retries
        backoff = max(0, self.num_retries - self.num_no_delay_retries - self.num_min_delay_retries
                      - self.num_max_delay_retries)
        if retry <= backoff:
            return self.min_delay + (self.max_delay - self.min_delay) * _curve(self.backoff_function, retry / backoff)
        return float(self.max_delay)


def _curve(function: str, fraction: float) -> float:
    """How far from the minimum to the maximum delay a backoff step at ``fraction`` (0..1] is."""
    if function == "arithmetic":
        return fraction * fraction
    if function == "geometric":
        return math.sqrt(fraction)
    if function == "exponential":
        return float((2 ** (MAX_BACKOFF_EXPONENT * fraction) - 1) / (2 ** MAX_BACKOFF_EXPONENT - 1))
    return fraction  # linear


def retryable(status: int | None) -> bool:
    """Whether SNS tries again after this answer (None: the endpoint did not answer)."""
    return status is None or status >= 500 or status == 429


def delivered(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def effective(topic_policy: str | None, subscription_policy: str | None) -> RetryPolicy:
    """The retry policy an HTTP/S subscription's deliveries follow."""
    topic = _json(topic_policy).get("http")
    topic = topic if isinstance(topic, dict) else {}
    chosen = topic.get("defaultHealthyRetryPolicy")
    if not topic.get("disableSubscriptionOverrides"):
        own = _json(subscription_policy).get("healthyRetryPolicy")
        if isinstance(own, dict):
            chosen = own
    return _policy(chosen) if isinstance(chosen, dict) else RetryPolicy()


def _policy(document: dict[str, Any]) -> RetryPolicy:
    def number(name: str, default: int) -> int:
        value = document.get(name)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 \
            else default

    min_delay = number("minDelayTarget", DEFAULT_DELAY)
    function = document.get("backoffFunction")
    return RetryPolicy(
        num_retries=number("numRetries", DEFAULT_RETRIES),
        num_no_delay_retries=number("numNoDelayRetries", 0),
        num_min_delay_retries=number("numMinDelayRetries", 0),
        num_max_delay_retries=number("numMaxDelayRetries", 0),
        min_delay=min_delay,
        max_delay=max(min_delay, number("maxDelayTarget", DEFAULT_DELAY)),
        backoff_function=function.lower() if isinstance(function, str) else "linear",
    )


def _json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        document = json.loads(text)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}

"""The delay schedule of an HTTP/S delivery policy (the phases through boto3 are in
test_aws_fidelity; here every backoff function's curve, which needs no endpoint)."""

from __future__ import annotations

import json

import pytest

from hoarfrost.services.sns.delivery_policy import (
    RetryPolicy,
    delivered,
    effective,
    retryable,
)


def test_default_policy_is_three_retries_twenty_seconds_apart() -> None:
    policy = effective(None, None)
    assert [policy.delay_before(n) for n in range(1, 5)] == [20, 20, 20, None]


@pytest.mark.parametrize("function", ["linear", "arithmetic", "geometric", "exponential"])
def test_backoff_climbs_from_min_to_max(function: str) -> None:
    policy = RetryPolicy(num_retries=12, num_no_delay_retries=1, num_min_delay_retries=1, num_max_delay_retries=2,
                         min_delay=2, max_delay=600, backoff_function=function)
    delays = [policy.delay_before(n) for n in range(1, 14)]
    assert delays[:2] == [0, 2] and delays[-3:] == [600, 600, None]
    backoff = [d for d in delays[2:10] if d is not None]
    assert backoff == sorted(backoff) and backoff[-1] == 600 and 2 < backoff[0] < 600


def test_backoff_functions_differ_in_shape() -> None:
    def midpoint(function: str) -> float:
        delay = RetryPolicy(num_retries=10, min_delay=0, max_delay=100, backoff_function=function).delay_before(5)
        assert delay is not None
        return delay

    assert midpoint("exponential") < midpoint("arithmetic") < midpoint("linear") < midpoint("geometric")


def test_subscription_policy_overrides_the_topic_s_unless_forbidden() -> None:
    topic = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 7,
                                                                 "maxDelayTarget": 7}}})
    own = json.dumps({"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 3, "maxDelayTarget": 3}})
    assert effective(topic, None).num_retries == 1
    assert effective(topic, own).num_retries == 2
    locked = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 1},
                                  "disableSubscriptionOverrides": True}})
    assert effective(locked, own).num_retries == 1


def test_which_answers_are_retried() -> None:
    assert [retryable(s) for s in (None, 500, 503, 429, 404, 400)] == [True, True, True, True, False, False]
    assert [delivered(s) for s in (200, 204, 301, 404, None)] == [True, True, False, False, False]

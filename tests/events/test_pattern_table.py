"""The pattern table of the kit, answered by TestEventPattern and PutRule through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.core.kit.test_event_patterns import EVENT, INVALID, MATCHING, NOT_MATCHING
from tests.events.conftest import error_code, error_message

CASES = [(name, pattern, True) for name, pattern in MATCHING] + [(name, pattern, False)
                                                                  for name, pattern in NOT_MATCHING]


def test_the_whole_table_through_test_event_pattern(events: Any) -> None:
    failures = []
    for name, pattern, expected in CASES:
        event = {**EVENT, "x": "a*b"} if name == "wildcard escape" else EVENT
        result = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"]
        if result is not expected:
            failures.append(name)
    assert failures == []


@pytest.mark.parametrize(("name", "pattern", "reason"), INVALID[:12], ids=[c[0] for c in INVALID[:12]])
def test_invalid_patterns_are_refused_by_put_rule(events: Any, name: str, pattern: Any, reason: str) -> None:
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="r", EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern))
    assert error_code(caught) == "InvalidEventPatternException"
    assert error_message(caught).startswith("Event pattern is not valid. Reason: ")
    assert reason in error_message(caught)

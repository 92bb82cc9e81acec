"""A Lambda function as a rule's target: invoked asynchronously with the event (or the
target's transformed input) as its payload."""

from __future__ import annotations

import json
from typing import Any

from tests.events.conftest import entry
from tests.harness import Harness
from tests.lambda_.conftest import create

PRINTS = '''
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
'''


def test_a_rule_invokes_a_function(aws: Harness, events: Any) -> None:
    lam = aws.client("lambda")
    arn = create(lam, "on-order", PRINTS)
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "fn", "Arn": arn}])
    event_id = events.put_events(Entries=[entry({"n": 3})])["Entries"][0]["EventId"]
    assert aws.emulator.service("lambda").wait_for_invocations(20)
    found = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/on-order", filterPattern="EVENT")["events"]
    payloads = [json.loads(e["message"][len("EVENT "):]) for e in found]
    assert [(p["id"], p["detail"]) for p in payloads] == [(event_id, {"n": 3})]

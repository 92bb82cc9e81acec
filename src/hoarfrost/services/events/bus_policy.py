"""Whether a bus's resource policy lets another account put events on it (PutEvents with a
bus ARN, a rule's target bus in another account)."""

from __future__ import annotations

from hoarfrost.core.kit.policies import Decision, PolicyError, Requester, access_request, parse_policy
from hoarfrost.services.events.state import EventBus


def allows(bus: EventBus, account: str) -> bool:
    """Whether the bus's resource policy lets ``account`` put events on it."""
    if not bus.policy:
        return False
    try:
        policy = parse_policy(bus.policy)
    except PolicyError:
        return False
    requester = Requester(account=account, arn=f"arn:aws:iam::{account}:root")
    decision = policy.evaluate(access_request(requester, "events:PutEvents", bus.arn,
                                              {"aws:PrincipalAccount": account}))
    return decision is Decision.ALLOW

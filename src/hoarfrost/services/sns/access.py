"""Whether a topic's access policy lets another account call an action on it.

Only requests from an account other than the topic's owner are checked (the owner is always
allowed, as in AWS without IAM policies). The evaluator understands what topic policies
usually say: Allow/Deny statements, ``Principal`` as ``*`` or account ids / ARNs, ``Action``
with ``SNS:*`` wildcards, and ``StringEquals`` on ``AWS:SourceOwner`` / ``aws:SourceAccount``.
Other conditions are taken as satisfied.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

_ACCOUNT_KEYS = ("aws:sourceowner", "aws:sourceaccount")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principal_matches(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        candidates = _as_list(principal.get("AWS"))
    else:
        candidates = _as_list(principal)
    for candidate in candidates:
        text = str(candidate)
        if text == "*" or text == account or f":{account}:" in text:
            return True
    return False


def _action_matches(actions: Any, action: str) -> bool:
    wanted = f"sns:{action}".lower()
    return any(fnmatch.fnmatchcase(wanted, str(pattern).lower()) for pattern in _as_list(actions))


def _conditions_hold(conditions: Any, account: str) -> bool:
    if not isinstance(conditions, dict):
        return True
    for operator, tests in conditions.items():
        if operator not in ("StringEquals", "StringLike") or not isinstance(tests, dict):
            continue
        for key, expected in tests.items():
            if key.lower() in _ACCOUNT_KEYS:
                patterns = [str(item) for item in _as_list(expected)]
                if not any(fnmatch.fnmatchcase(account, pattern) for pattern in patterns):
                    return False
    return True


def allows(policy_text: str | None, account: str, action: str) -> bool:
    """True when ``policy_text`` lets ``account`` perform ``SNS:<action>`` (no explicit Deny)."""
    try:
        policy = json.loads(policy_text or "{}")
    except ValueError:
        return False
    allowed = False
    for statement in _as_list(policy.get("Statement") if isinstance(policy, dict) else None):
        if not isinstance(statement, dict):
            continue
        if not _principal_matches(statement.get("Principal"), account):
            continue
        if not _action_matches(statement.get("Action"), action):
            continue
        if not _conditions_hold(statement.get("Condition"), account):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed

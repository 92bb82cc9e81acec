"""Parameter policies (advanced tier): Expiration, ExpirationNotification and
NoChangeNotification, validated as Parameter Store validates them. Expiration is honoured by
the emulator's clock (the parameter is deleted once its Timestamp passes); the notification
policies are stored and shown, and send nothing (EventBridge is not part of hoarfrost yet)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from hoarfrost.services.ssm.errors import errors

TYPES = ("Expiration", "ExpirationNotification", "NoChangeNotification")
_AFTER = re.compile(r"\d+")
_UNITS = ("Days", "Hours")


def _attributes(policy: dict[str, Any]) -> dict[str, Any]:
    attributes = policy.get("Attributes")
    if not isinstance(attributes, dict):
        raise errors.InvalidPolicyAttributeException(f"A policy of type {policy.get('Type')} needs Attributes.")
    return attributes


def _timestamp(text: Any) -> float:
    try:
        when = dt.datetime.fromisoformat(str(text))  # Python 3.11 reads a trailing Z itself
    except ValueError:
        raise errors.InvalidPolicyAttributeException(
            f"Invalid Timestamp {text}: use ISO 8601, for example 2030-12-02T21:34:33.000Z.") from None
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp()


def parse(text: str) -> list[str]:
    """The policies in a PutParameter ``Policies`` document, each as its own JSON text."""
    try:
        document = json.loads(text)
    except ValueError:
        raise errors.InvalidPolicyTypeException("The policy document is not valid JSON.") from None
    items = document if isinstance(document, list) else [document]
    seen: set[str] = set()
    texts = []
    for policy in items:
        if not isinstance(policy, dict) or policy.get("Type") not in TYPES:
            kind = policy.get("Type") if isinstance(policy, dict) else policy
            raise errors.InvalidPolicyTypeException(f"The following policy type is not supported: {kind}.")
        if policy["Type"] in seen:
            raise errors.IncompatiblePolicyException(f"Only one policy of type {policy['Type']} is allowed.")
        seen.add(policy["Type"])
        attributes = _attributes(policy)
        if policy["Type"] == "Expiration":
            _timestamp(attributes.get("Timestamp"))
        else:
            unit = attributes.get("Unit")
            after = str(attributes.get("Before" if policy["Type"] == "ExpirationNotification" else "After", ""))
            if not _AFTER.fullmatch(after) or unit not in _UNITS:
                raise errors.InvalidPolicyAttributeException(
                    f"A {policy['Type']} policy needs a whole number and a Unit of Days or Hours.")
        texts.append(json.dumps(policy, separators=(",", ":")))
    if "ExpirationNotification" in seen and "Expiration" not in seen:
        raise errors.IncompatiblePolicyException("An ExpirationNotification policy needs an Expiration policy.")
    return texts


def expiry(texts: list[str]) -> float | None:
    """When an Expiration policy among ``texts`` deletes the parameter."""
    for text in texts:
        policy = json.loads(text)
        if policy.get("Type") == "Expiration":
            return _timestamp(policy["Attributes"]["Timestamp"])
    return None


def wire(texts: list[str]) -> list[dict[str, str]]:
    return [{"PolicyText": text, "PolicyType": json.loads(text)["Type"], "PolicyStatus": "Pending"} for text in texts]

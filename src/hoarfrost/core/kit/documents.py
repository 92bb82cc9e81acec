"""JSON documents carried inside string attributes (policies, redrive policies, delivery
policies, message bodies): services accept only a JSON object there and word their own error."""

from __future__ import annotations

import json
from typing import Any


def json_object(text: str | bytes | None) -> dict[str, Any] | None:
    """The JSON object ``text`` holds, or None when it holds anything else (or is no JSON)."""
    if text is None:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None

"""Event source mapping filters (``FilterCriteria``): which records of a batch reach the function.

Each filter is an EventBridge event pattern (``core.kit.event_patterns``); a record passes when
any filter matches it. Patterns see the record as Lambda's event has it, except that data AWS
lets patterns look into is decoded first: an SQS ``body`` that is JSON, a Kinesis record's
base64 ``data`` that is JSON. A record that matches no filter is dropped: an SQS message is
deleted from its queue, a stream record is passed over, as AWS does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from hoarfrost.core.kit.event_patterns import EventPattern, PatternError, compile_pattern


class FilterError(ValueError):
    """A pattern that does not compile."""


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> EventPattern:
    return compile_pattern(pattern)


def check(patterns: Sequence[str]) -> None:
    """Raise ``FilterError`` when one of ``patterns`` is not a valid event pattern."""
    for pattern in patterns:
        try:
            _compiled(pattern)
        except PatternError as exc:
            raise FilterError(exc.reason) from None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return text


def _view(record: dict[str, Any]) -> dict[str, Any]:
    """What a pattern matches: the record with its JSON payload opened."""
    if record.get("eventSource") == "aws:sqs" and isinstance(record.get("body"), str):
        return dict(record, body=_json(record["body"]))
    kinesis = record.get("kinesis")
    if isinstance(kinesis, dict) and isinstance(kinesis.get("data"), str):
        # Kinesis patterns name the record's own fields at their top level, the metadata
        # (``partitionKey``...) and ``data`` opened: ``{"data": {"kind": ["order"]}}``.
        try:
            data = base64.b64decode(kinesis["data"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return dict(kinesis)
        return dict(kinesis, data=_json(data))
    return record


def passes(patterns: Sequence[str], record: dict[str, Any]) -> bool:
    """Whether ``record`` reaches the function (always, without filters)."""
    if not patterns:
        return True
    view = _view(record)
    return any(_compiled(pattern).matches(view) for pattern in patterns)

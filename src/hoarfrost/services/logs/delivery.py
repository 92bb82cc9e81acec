"""Subscription filters at work: events a filter matches are handed to its destination (a
Lambda function, through the emulator's delivery port) after the request committed, in the
payload AWS sends: ``{"awslogs": {"data": base64(gzip(json))}}``."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hoarfrost.core.ports import Message
from hoarfrost.services.logs.filter_pattern import compile_pattern
from hoarfrost.services.logs.state import LogEvent, LogGroup, LogStream

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.logs")


def event_id(stream_name: str, event: LogEvent) -> str:
    """A stable, unique id of an event (AWS's are long digit strings too)."""
    return f"{event.timestamp:020d}{zlib.crc32(stream_name.encode()):010d}{event.seq:012d}"


def pending(account: str, group: LogGroup, stream: LogStream, stored: list[LogEvent]
            ) -> list[tuple[str, Message]]:
    """(destination ARN, message) for each subscription filter that matches any of ``stored``."""
    out: list[tuple[str, Message]] = []
    for flt in group.subscription_filters.values():
        matches = compile_pattern(flt.pattern)
        events = [e for e in stored if matches(e.message)]
        if not events:
            continue
        document = {
            "messageType": "DATA_MESSAGE",
            "owner": account,
            "logGroup": group.name,
            "logStream": stream.name,
            "subscriptionFilters": [flt.name],
            "logEvents": [{"id": event_id(stream.name, e), "timestamp": e.timestamp, "message": e.message}
                          for e in events],
        }
        data = base64.b64encode(gzip.compress(json.dumps(document).encode("utf-8"))).decode("ascii")
        out.append((flt.destination_arn, Message(body=json.dumps({"awslogs": {"data": data}}))))
    return out


def send(emulator: Emulator, deliveries: list[tuple[str, Message]]) -> None:
    """Deliver, holding no lock; a destination that refuses loses the events (as in AWS, where
    the subscription's errors are only metrics)."""
    for arn, message in deliveries:
        try:
            emulator.deliver(arn, message)
        except Exception:
            log.exception("subscription delivery to %s failed", arn)


def after_put(ctx: Any, group: LogGroup, stream: LogStream, stored: list[LogEvent]) -> None:
    """Queue the subscription deliveries of a PutLogEvents for after its commit."""
    if stored and group.subscription_filters:
        deliveries = pending(ctx.state.account, group, stream, stored)
        emulator = ctx.emulator
        work: Callable[[], None] = lambda: send(emulator, deliveries)
        ctx.after_commit(work)

"""The after-commit delivery port: how one service hands a message to another.

A service never imports another. It calls ``emulator.deliver(target_arn, message)``, which
picks the sink that the target ARN's service registered (creating that service if it has not
been used yet). Sinks take their own scope's lock; callers hold none, which the pipeline
ensures by running ``ctx.after_commit`` work after the handler's lock is released. So the
lock order needs no rule: at most one scope lock is held at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.errors import ServiceError


@dataclass(frozen=True, slots=True)
class Message:
    """What a producer (SNS, S3 events, EventBridge) hands a target service.

    ``attributes`` are in SQS's SendMessage ``MessageAttributes`` shape; a target that has no
    use for a member ignores it."""

    body: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None
    source_arn: str | None = None
    # The account on whose behalf the message is sent (SQS's SenderId).
    sender: str | None = None


# A sink receives (target ARN, message) and returns an id for what it created (a message id).
Sink = Callable[[str, Message], str]
# A probe answers whether a sink would find the target, without taking any lock: producers that
# must refuse a request whose destination does not exist (S3 notification configurations) ask it
# while holding their own lock, then deliver after commit.
Probe = Callable[[str], bool]


# A policy source answers the resource policy (JSON text) of the resource an ARN names (a bucket or
# one of its objects, a queue, a topic), None when it has none; lock-free, like a probe. IAM
# enforcement reads them so bucket, queue and topic policies take part in its decisions.
PolicySource = Callable[[str], "str | None"]


class DeliveryError(ServiceError):
    """The target ARN names nothing that can receive (no such service or resource)."""

    code = "DeliveryFailed"
    status = 400


class Ports:
    """Sinks by service name (the ARN's service field: ``sqs``, ``sns``, ``lambda``)."""

    def __init__(self, start: Callable[[str], None]) -> None:
        self._sinks: dict[str, tuple[Sink, Probe | None]] = {}
        self._policies: dict[str, PolicySource] = {}
        # Starts a service that has not been used yet (its constructor registers its sink).
        self._start = start

    def register(self, service: str, sink: Sink, probe: Probe | None = None) -> None:
        self._sinks[service] = (sink, probe)

    def register_policy_source(self, service: str, source: PolicySource) -> None:
        self._policies[service] = source

    def resource_policy(self, service: str, arn: str) -> str | None:
        """The resource policy of ``arn`` in ``service`` (the ARN's service field), None when
        there is none or the service never started (then the resource does not exist)."""
        source = self._policies.get(service)
        return source(arn) if source is not None else None

    def _entry(self, service: str) -> tuple[Sink, Probe | None] | None:
        entry = self._sinks.get(service)
        if entry is None:
            self._start(service)
            entry = self._sinks.get(service)
        return entry

    def sink(self, service: str) -> Sink | None:
        entry = self._entry(service)
        return entry[0] if entry is not None else None

    def probe(self, service: str) -> Probe | None:
        entry = self._entry(service)
        return entry[1] if entry is not None else None


def log_events_message(stream: str, events: list[tuple[int, str]]) -> Message:
    """What the ``logs`` sink takes: ``events`` ((timestamp in ms, message) pairs) for the log
    stream ``stream`` of the log group the target ARN names. The sink creates the group and the
    stream when they do not exist (as Lambda's log writer does in AWS)."""
    import json

    return Message(body=json.dumps({"logStreamName": stream,
                                    "logEvents": [{"timestamp": t, "message": m} for t, m in events]}))

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
from typing import Any, Protocol

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
    # A topic publication's Subject (S3 notifications to SNS: "Amazon S3 Notification").
    subject: str | None = None


# A sink receives (target ARN, message) and returns an id for what it created (a message id).
Sink = Callable[[str, Message], str]
# A probe answers whether a sink would find the target, without taking any lock: producers that
# must refuse a request whose destination does not exist (S3 notification configurations) ask it
# while holding their own lock, then deliver after commit.
Probe = Callable[[str], bool]


# A policy source answers the resource policy (JSON text) of the resource an ARN names (a bucket or
# one of its objects, a queue, a topic, a KMS key, a secret, a Lambda function), None when it has
# none; lock-free, like a probe. IAM enforcement reads them so resource policies take part in its
# decisions.
PolicySource = Callable[[str], "str | None"]


class RequestResources(Protocol):
    """What a service registers (``Ports.register_request_resources``) when only it can say
    which resource a request acts on (a KMS alias's key, a secret's ARN with its random suffix,
    a function's qualified ARN) and which service condition keys the request carries. Both are
    lock-free reads, asked by IAM enforcement before the handler runs."""

    def resource(self, operation: str, params: Mapping[str, Any], account: str, region: str) -> str | None:
        """The ARN the request acts on; None when it names none the service knows of (the
        pipeline's generic rule then decides, ``*`` at worst)."""
        ...

    def condition_keys(self, operation: str, params: Mapping[str, Any], account: str) -> Mapping[str, Any]:
        """The service's own condition keys for the request (``kms:EncryptionContext:...``)."""
        ...


class DeliveryError(ServiceError):
    """The target ARN names nothing that can receive (no such service or resource)."""

    code = "DeliveryFailed"
    status = 400


@dataclass(frozen=True, slots=True)
class ChangeStream:
    """A stream of changes one service keeps (a DynamoDB table's stream) as readers in other
    services see it: DynamoDB Streams' API, later Lambda event source mappings."""

    arn: str
    label: str
    status: str  # ENABLED, or DISABLED once the owner turned it off
    view_type: str
    source_name: str  # what changes (the table's name)
    key_schema: tuple[Mapping[str, str], ...]
    created: float
    first_sequence: str | None  # the oldest record still retained
    last_sequence: str | None  # the newest record

    @property
    def shard_id(self) -> str:
        """The stream's one shard, as DynamoDB Streams' API and Lambda's batch records name it."""
        import hashlib

        digest = hashlib.sha256(self.arn.encode()).hexdigest()[:8]
        return f"shardId-{int(self.created * 1000):020d}-{digest}"


class StreamSource(Protocol):
    """What a service with change streams registers (``Ports.register_streams``). Each method
    takes the owner's lock itself; callers hold none."""

    def list_streams(self, account: str, region: str) -> list[ChangeStream]: ...

    def stream(self, stream_arn: str) -> ChangeStream | None: ...

    def records(self, stream_arn: str, after: str | None, limit: int) -> list[dict[str, Any]] | None:
        """Up to ``limit`` records with sequence numbers after ``after`` (None: from the oldest
        retained), in the owner's wire shape; None when there is no such stream."""
        ...


class ObjectStore(Protocol):
    """What an object store (S3) registers (``Ports.register_objects``) so that other services
    can write and read whole objects, as DynamoDB's exports and imports do. Each method takes the
    store's own lock; callers hold none. A missing bucket raises the store's ServiceError."""

    def put_object(self, bucket: str, key: str, body: bytes, content_type: str = "application/octet-stream"
                   ) -> str:
        """Store ``body`` under ``key``; its ETag."""
        ...

    def get_object(self, bucket: str, key: str) -> bytes | None:
        """The current body of ``key``; None when there is none."""
        ...

    def list_keys(self, bucket: str, prefix: str = "") -> list[str]:
        """The keys under ``prefix``, in order."""
        ...


@dataclass(frozen=True, slots=True)
class MetricDatum:
    """One value a service emits for free into CloudWatch (AWS/SQS NumberOfMessagesSent, AWS/Lambda
    Duration...), under ``dimensions`` ((name, value) pairs)."""

    name: str
    value: float
    unit: str = "Count"
    dimensions: tuple[tuple[str, str], ...] = ()


class MetricSink(Protocol):
    """What the metrics service (CloudWatch) registers (``Ports.register_metrics``); it takes its
    own lock, callers hold none."""

    def __call__(self, account: str, region: str, namespace: str, data: list[MetricDatum]) -> None: ...


class Ports:
    """Sinks by service name (the ARN's service field: ``sqs``, ``sns``, ``lambda``), and the
    change streams services keep for readers elsewhere."""

    def __init__(self, start: Callable[[str], None]) -> None:
        self._sinks: dict[str, tuple[Sink, Probe | None]] = {}
        self._policies: dict[str, PolicySource] = {}
        self._required: set[str] = set()
        self._resources: dict[str, RequestResources] = {}
        self._streams: dict[str, StreamSource] = {}
        self._objects: dict[str, ObjectStore] = {}
        self._metrics: MetricSink | None = None
        # Starts a service that has not been used yet (its constructor registers its sink).
        self._start = start

    def register(self, service: str, sink: Sink, probe: Probe | None = None) -> None:
        self._sinks[service] = (sink, probe)

    def register_policy_source(self, service: str, source: PolicySource, *, required: bool = False) -> None:
        """``required``: the service's resource policy is the primary control (KMS key policies:
        IAM policies count only where the key policy delegates to the account)."""
        self._policies[service] = source
        if required:
            self._required.add(service)

    def resource_policy_required(self, service: str) -> bool:
        return service in self._required

    def register_request_resources(self, service: str, resources: RequestResources) -> None:
        """``service`` is botocore's name (the route's), which the pipeline looks up by."""
        self._resources[service] = resources

    def request_resources(self, service: str) -> RequestResources | None:
        """What ``service`` registered, if it did (never starts it: the pipeline already has)."""
        return self._resources.get(service)

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

    def register_streams(self, service: str, source: StreamSource) -> None:
        self._streams[service] = source

    def streams(self, service: str) -> StreamSource | None:
        """The change streams of ``service`` (starting it if it has not been used yet)."""
        source = self._streams.get(service)
        if source is None:
            self._start(service)
            source = self._streams.get(service)
        return source

    def register_objects(self, service: str, store: ObjectStore) -> None:
        self._objects[service] = store

    def objects(self, service: str) -> ObjectStore | None:
        """The object store ``service`` registered (starting it if it has not been used yet)."""
        store = self._objects.get(service)
        if store is None:
            self._start(service)
            store = self._objects.get(service)
        return store

    def register_metrics(self, sink: MetricSink) -> None:
        self._metrics = sink

    def put_metrics(self, account: str, region: str, namespace: str, data: list[MetricDatum]) -> None:
        """Record metrics a service emits (starting CloudWatch on first use, so the data is there
        whenever a test looks). Call it holding no lock: after commit, or from a worker."""
        if self._metrics is None:
            self._start("cloudwatch")
        if self._metrics is not None:
            self._metrics(account, region, namespace, data)


def log_events_message(stream: str, events: list[tuple[int, str]]) -> Message:
    """What the ``logs`` sink takes: ``events`` ((timestamp in ms, message) pairs) for the log
    stream ``stream`` of the log group the target ARN names. The sink creates the group and the
    stream when they do not exist (as Lambda's log writer does in AWS)."""
    import json

    return Message(body=json.dumps({"logStreamName": stream,
                                    "logEvents": [{"timestamp": t, "message": m} for t, m in events]}))


def record_bytes(message: Message) -> bytes:
    """The bytes a record sink (a Kinesis stream, a Firehose delivery stream) stores for a
    delivered message: its body's UTF-8, except CloudWatch Logs' subscription payload (exactly
    ``{"awslogs": {"data": <base64>}}``, what Logs hands every destination), whose gzipped JSON
    is the record data AWS writes to those destinations."""
    import base64
    import binascii
    import json

    body = message.body
    if body.startswith('{"awslogs"'):
        try:
            document = json.loads(body)
            data = document["awslogs"]["data"]
            if len(document) == 1 and len(document["awslogs"]) == 1 and isinstance(data, str):
                return base64.b64decode(data, validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error):
            pass
    return body.encode("utf-8")

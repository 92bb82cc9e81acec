"""Fan-out: what each subscription of a topic receives, and getting it there.

* ``sqs`` — into hoarfrost's own SQS (any account or region, by queue ARN) through the
  emulator's delivery port once Publish released the topic's lock: the raw message with its
  attributes mapped onto SQS message attributes, or the JSON envelope. A delivery that fails is
  recorded on the topic's scope (and retried to the subscription's dead-letter queue).
* ``http`` / ``https`` — a real HTTP POST of the envelope (or the raw message), made off the
  request path by a small daemon worker per Emulator (``HttpDeliveryWorker``) with a short
  timeout; the outcome is written onto the message's record. A notification the endpoint does
  not take is retried as its delivery policy says (``delivery_policy``), on the emulator's
  clock (``emulator.timers``), then sent to the subscription's dead-letter queue.
* ``email``, ``email-json``, ``sms``, ``lambda``, ``firehose``, ``application`` — recorded in
  the backend's ``sent_messages`` exactly as the endpoint would receive them; ``lambda`` and
  ``firehose`` subscriptions are also delivered through the port (the function is invoked, the
  record put into the delivery stream).
  A delivery the target refuses (no such function, a disabled platform endpoint) goes to the
  subscription's dead-letter queue, as SNS does with client errors.

Planning happens with SNS's scope lock held (the pipeline holds it for the handler); every
delivery into another service runs after it is released, so a target that publishes back to
the topic cannot deadlock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import Message
from hoarfrost.services.sns import delivery_policy, envelope
from hoarfrost.services.sns.state import SentMessage, SnsBackend, Subscription, Topic

if TYPE_CHECKING:
    from hoarfrost.core.backend import Scope
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.sns.delivery")

HTTP_TIMEOUT = 3.0
USER_AGENT = "Amazon Simple Notification Service Agent"

# Schedules work for after the request's lock is released (``RequestContext.after_commit``).
Later = Callable[[Callable[[], None]], None]

# Protocols SNS delivers to as a message that leaves AWS; they are recorded.
RECORDED_PROTOCOLS = ("email", "email-json", "sms", "lambda", "firehose", "application")


@dataclass
class Publication:
    """One published message, as every subscription will see it."""

    message_id: str
    message: str
    subject: str | None
    attributes: dict[str, dict[str, Any]]
    sent_at: float
    per_protocol: dict[str, str] | None = None
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None

    def text_for(self, protocol: str) -> str:
        """The message a protocol receives (``MessageStructure=json`` picks per protocol)."""
        if self.per_protocol is None:
            return self.message
        return self.per_protocol.get(protocol, self.per_protocol["default"])


def content_deduplication_id(message: str) -> str:
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


# -- the HTTP worker -------------------------------------------------------------------------
@dataclass
class HttpJob:
    url: str
    body: bytes
    headers: dict[str, str]
    done: Callable[[int | None, str | None], None] = field(repr=False)


class HttpDeliveryWorker:
    """Posts queued HTTP deliveries on one daemon thread, started on demand; the thread ends
    after a few idle seconds so an idle Emulator holds no thread."""

    IDLE_SECONDS = 5.0

    def __init__(self, timeout: float = HTTP_TIMEOUT) -> None:
        self.timeout = timeout
        self._queue: queue.Queue[HttpJob] = queue.Queue()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._outstanding = 0
        self._thread: threading.Thread | None = None
        # No proxies: endpoints are usually on loopback and must be reached directly.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def submit(self, job: HttpJob) -> None:
        with self._lock:
            self._outstanding += 1
            self._queue.put(job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="hoarfrost-sns-http", daemon=True)
                self._thread.start()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0, timeout)

    def _run(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                status, error = self._post(job)
                try:
                    job.done(status, error)
                except Exception:
                    log.exception("recording an HTTP delivery outcome failed")
            finally:
                with self._idle:
                    self._outstanding -= 1
                    self._idle.notify_all()

    def _post(self, job: HttpJob) -> tuple[int | None, str | None]:
        request = urllib.request.Request(job.url, data=job.body, headers=job.headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, f"HTTP {exc.code}"
        except Exception as exc:  # unreachable, timeout, refused: all recorded, none raised
            return None, f"{type(exc).__name__}: {exc}"


# -- the deliverer ---------------------------------------------------------------------------
class Deliverer:
    """One per SnsService (so one per Emulator): the signing key and the HTTP worker."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.signer = envelope.Signer()
        self.http = HttpDeliveryWorker()

    # -- notifications --------------------------------------------------------------------
    def fan_out(self, backend: SnsBackend, scope: Scope[Any], topic: Topic, publication: Publication,
                base_url: str, later: Later) -> None:
        """Deliver ``publication`` to every confirmed subscription whose filter accepts it;
        ``later`` schedules work for after the topic's lock is released (``ctx.after_commit``)."""
        for subscription in list(topic.subscriptions.values()):
            if subscription.pending_confirmation:
                continue
            text = publication.text_for(subscription.protocol)
            if not subscription.accepts(text, publication.attributes):
                continue
            self.deliver(backend, scope, topic, subscription, publication, text, base_url, later)

    def deliver(self, backend: SnsBackend, scope: Scope[Any], topic: Topic, subscription: Subscription,
                publication: Publication, text: str, base_url: str, later: Later) -> None:
        """Send ``text`` (the message for this protocol) the way the protocol receives it."""
        protocol = subscription.protocol
        if protocol == "sqs":
            self._to_sqs(scope, topic, subscription, publication, text, base_url, later)
            return
        dead_letter = _dead_letter_target(subscription)
        record = SentMessage(
            message_id=publication.message_id, kind="Notification", protocol=protocol,
            endpoint=subscription.endpoint, body="", timestamp=publication.sent_at, topic_arn=topic.arn,
            subscription_arn=subscription.arn, subject=publication.subject,
            message_attributes=publication.attributes,
        )
        if protocol in ("http", "https"):
            record.headers = self._http_headers("Notification", publication.message_id, topic.arn, subscription.arn)
            record.headers["Content-Type"] = _content_type(topic, subscription)
            if subscription.raw:
                record.body = text
                record.headers["x-amz-sns-rawdelivery"] = "true"
            else:
                record.body = self._envelope(topic, subscription, publication, text, base_url)
            policy = delivery_policy.effective(topic.attributes.get("DeliveryPolicy"),
                                               subscription.attributes.get("DeliveryPolicy"))
            attributes = (publication.attributes or None) if subscription.raw else None
            self._post(backend, scope, record, policy, self._dead_letter(dead_letter, record, attributes, publication))
            return
        if protocol == "email":
            record.body = text
        elif protocol == "sms":
            record.body = text
            if subscription.endpoint in backend.opted_out:
                record.status, record.error = "failed", "The phone number has opted out of receiving SMS messages"
        elif protocol == "lambda":
            record.body = json.dumps({"Records": [{
                "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription.arn,
                "Sns": _lambda_record(json.loads(self._envelope(topic, subscription, publication, text, base_url))),
            }]})
            if self.emulator.ports.sink("lambda") is not None:
                undeliverable = self._dead_letter(dead_letter, record, None, publication)
                later(lambda: self._invoke(scope, record, undeliverable))
        elif protocol == "application":
            endpoint = backend.platform_endpoints.get(subscription.endpoint)
            record.body = self.platform_text(backend, subscription.endpoint, publication)
            if endpoint is None or not endpoint.enabled:  # a client error: straight to the dead-letter queue
                record.status = "failed"
                record.error = "EndpointDisabled" if endpoint is not None else "EndpointDeleted"
                undeliverable = self._dead_letter(dead_letter, record, None, publication)
                if undeliverable is not None:
                    later(undeliverable)
        elif subscription.raw:  # firehose
            record.body = text
        else:  # email-json, firehose
            record.body = self._envelope(topic, subscription, publication, text, base_url)
        if protocol == "firehose" and self.emulator.ports.sink("firehose") is not None:
            undeliverable = self._dead_letter(dead_letter, record, None, publication)
            later(lambda: self._invoke(scope, record, undeliverable))
        backend.record(record)

    def _envelope(self, topic: Topic, subscription: Subscription, publication: Publication, text: str,
                  base_url: str) -> str:
        return envelope.dumps(envelope.notification(
            self.signer, message_id=publication.message_id, topic_arn=topic.arn, message=text,
            subject=publication.subject, sent_at=publication.sent_at, base_url=base_url,
            subscription_arn=subscription.arn, attributes=publication.attributes,
            signature_version=topic.attributes.get("SignatureVersion", "1"),
            sequence_number=publication.sequence_number,
        ))

    def _to_sqs(self, scope: Scope[Any], topic: Topic, subscription: Subscription, publication: Publication,
                text: str, base_url: str, later: Later) -> None:
        if subscription.raw:
            body, attributes = text, (publication.attributes or None)
        else:
            body, attributes = self._envelope(topic, subscription, publication, text, base_url), None
        endpoint, dead_letter = subscription.endpoint, _dead_letter_target(subscription)
        failed = SentMessage(
            message_id=publication.message_id, kind="Notification", protocol="sqs",
            endpoint=endpoint, body=body, timestamp=publication.sent_at, topic_arn=topic.arn,
            subscription_arn=subscription.arn, subject=publication.subject,
            message_attributes=publication.attributes, status="failed",
        )

        def send() -> None:
            error = self.send_to_queue(endpoint, body, attributes, publication)
            if error is None:
                return
            failed.error = error
            self._record(scope, failed, "Publish")
            if dead_letter:
                self.send_to_queue(dead_letter, body, attributes, publication)

        later(send)

    def _dead_letter(self, queue_arn: str | None, record: SentMessage, attributes: dict[str, Any] | None,
                     publication: Publication) -> Callable[[], None] | None:
        """What to do with ``record`` once SNS gives up on it: send it, as the endpoint would
        have received it, to the subscription's dead-letter queue (None without one)."""
        if not queue_arn:
            return None

        def send() -> None:
            self.send_to_queue(queue_arn, record.body, attributes, publication)

        return send

    def _invoke(self, scope: Scope[Any], record: SentMessage, undeliverable: Callable[[], None] | None) -> None:
        """A lambda or firehose subscription's delivery, through the port; a refusal (no such
        function or stream) marks the record failed and sends it to the dead-letter queue."""
        try:
            self.emulator.deliver(record.endpoint, Message(record.body, source_arn=record.topic_arn))
        except ServiceError as error:
            with scope.lock:
                record.status, record.error = "failed", f"{error.code}: {error.message}"
            self._changed(scope, "Publish")
            if undeliverable is not None:
                undeliverable()

    def _record(self, scope: Scope[Any], record: SentMessage, operation: str) -> None:
        """Add ``record`` to the topic's scope after the request (the lock is taken again)."""
        with scope.lock:
            scope.backend.record(record)
        self._changed(scope, operation)

    def _changed(self, scope: Scope[Any], operation: str) -> None:
        """Tell listeners a record changed after the request, unless the scope was reset or
        replaced meanwhile."""
        service = self.emulator.service("sns")
        if service.notifier.listeners and service.backends.existing(scope.account, scope.region) is scope:
            service.notify_state_changed(scope.account, scope.region, operation)

    def send_to_queue(self, queue_arn: str, body: str, attributes: dict[str, Any] | None,
                      publication: Publication) -> str | None:
        """Send into hoarfrost's SQS; the error text on failure, None on success."""
        arn = try_parse_arn(queue_arn)
        if arn is None:
            return f"not a queue ARN: {queue_arn}"
        fifo_queue = arn.resource.endswith(".fifo")
        # A FIFO queue gets the group and deduplication ids; a standard queue gets the group id
        # only from a standard topic (SQS fair queues), never from a FIFO topic.
        fifo_topic = publication.sequence_number is not None
        group_id = publication.group_id if fifo_queue or not fifo_topic else None
        dedup_id = publication.deduplication_id if fifo_queue else None
        if fifo_queue and dedup_id is None and group_id is not None:
            dedup_id = publication.message_id
        try:
            self.emulator.deliver(queue_arn, Message(body, attributes or {}, group_id, dedup_id))
        except ServiceError as exc:
            return f"{exc.code}: {exc.message}"
        except Exception as exc:
            log.exception("SNS delivery to %s failed", queue_arn)
            return f"{type(exc).__name__}: {exc}"
        return None

    # -- confirmations and direct messages ------------------------------------------------
    def confirm_request(self, backend: SnsBackend, scope: Scope[Any], topic: Topic, subscription: Subscription,
                        base_url: str, kind: str = "SubscriptionConfirmation") -> None:
        """Send (http/https) or record (email, email-json) a confirmation request with its token."""
        assert subscription.token is not None
        sent_at = self.emulator.clock.time()
        message_id = str(uuid.uuid4())
        body = envelope.confirmation(
            self.signer, kind=kind, message_id=message_id, topic_arn=topic.arn, token=subscription.token,
            sent_at=sent_at, base_url=base_url,
            signature_version=topic.attributes.get("SignatureVersion", "1"),
        )
        record = SentMessage(
            message_id=message_id, kind=kind, protocol=subscription.protocol, endpoint=subscription.endpoint,
            body=envelope.dumps(body), timestamp=sent_at, topic_arn=topic.arn, subscription_arn=subscription.arn,
        )
        if subscription.protocol in ("http", "https"):
            record.headers = self._http_headers(kind, message_id, topic.arn, None)
            self._post(backend, scope, record)
        else:
            if subscription.protocol == "email":
                record.body = f"{body['Message']}\n\n{body['SubscribeURL']}"
            backend.record(record)

    def direct(self, backend: SnsBackend, protocol: str, endpoint: str, body: str, publication: Publication,
               status: str = "recorded", error: str | None = None) -> SentMessage:
        """A message published straight to a phone number or a platform endpoint."""
        return backend.record(SentMessage(
            message_id=publication.message_id, kind="Notification", protocol=protocol, endpoint=endpoint,
            body=body, timestamp=publication.sent_at, subject=publication.subject,
            message_attributes=publication.attributes, status=status, error=error,
        ))

    @staticmethod
    def platform_text(backend: SnsBackend, endpoint_arn: str, publication: Publication) -> str:
        """What a push endpoint receives: the entry for its platform (APNS, GCM...) under
        ``MessageStructure=json``, else the default message."""
        endpoint = backend.platform_endpoints.get(endpoint_arn)
        application = backend.platform_applications.get(endpoint.application_arn) if endpoint else None
        if application is not None and publication.per_protocol is not None:
            return publication.per_protocol.get(application.platform, publication.per_protocol["default"])
        return publication.text_for("application")

    # -- HTTP -----------------------------------------------------------------------------
    @staticmethod
    def _http_headers(kind: str, message_id: str, topic_arn: str, subscription_arn: str | None) -> dict[str, str]:
        headers = {
            "x-amz-sns-message-type": kind,
            "x-amz-sns-message-id": message_id,
            "x-amz-sns-topic-arn": topic_arn,
            "Content-Type": "text/plain; charset=UTF-8",
            "User-Agent": USER_AGENT,
        }
        if subscription_arn is not None:
            headers["x-amz-sns-subscription-arn"] = subscription_arn
        return headers

    def _post(self, backend: SnsBackend, scope: Scope[Any], record: SentMessage,
              policy: delivery_policy.RetryPolicy | None = None,
              undeliverable: Callable[[], None] | None = None) -> None:
        """POST ``record`` off the request path. A notification retries by its delivery
        ``policy`` on the emulator's clock; when SNS gives up, ``undeliverable`` runs (the
        subscription's dead-letter queue). Confirmations are posted once."""
        record.status = "pending"
        backend.record(record)
        self._attempt(scope, record, policy, undeliverable, 0)

    def _attempt(self, scope: Scope[Any], record: SentMessage, policy: delivery_policy.RetryPolicy | None,
                 undeliverable: Callable[[], None] | None, retries: int) -> None:
        def done(status: int | None, error: str | None) -> None:
            delay = None
            if error is not None and policy is not None and delivery_policy.retryable(status):
                delay = policy.delay_before(retries + 1)
            with scope.lock:
                record.status_code = status
                record.error = error
                record.status = "delivered" if error is None else "pending" if delay is not None else "failed"
            self._changed(scope, "HttpDelivery")  # the record's outcome is part of the view
            if delay == 0:  # an immediate retry: queued before this attempt counts as done
                self._retry(scope, record, policy, undeliverable, retries + 1)
            elif delay is not None:
                self.emulator.timers.after(delay, lambda: self._retry(scope, record, policy, undeliverable,
                                                                      retries + 1))
            elif error is not None and undeliverable is not None:
                undeliverable()

        self.http.submit(HttpJob(record.endpoint, record.body.encode("utf-8"), dict(record.headers), done))

    def _retry(self, scope: Scope[Any], record: SentMessage, policy: delivery_policy.RetryPolicy | None,
               undeliverable: Callable[[], None] | None, retries: int) -> None:
        """A retry that came due (a timer callback, holding no lock): only while the
        subscription still exists in the scope the message was published in."""
        service = self.emulator.service("sns")
        with scope.lock:
            current = service.backends.existing(scope.account, scope.region) is scope
            if not current or record.subscription_arn not in scope.backend.subscriptions:
                if current:
                    record.status = "failed"
                return
        self._attempt(scope, record, policy, undeliverable, retries)


def _lambda_record(notification: dict[str, Any]) -> dict[str, Any]:
    """The ``Sns`` member of a Lambda event: the envelope with Lambda's spelling of the URL
    members, and ``Subject`` and ``MessageAttributes`` always present."""
    record = {"Subject": None, **notification}
    record["SigningCertUrl"] = record.pop("SigningCertURL")
    record["UnsubscribeUrl"] = record.pop("UnsubscribeURL")
    record.setdefault("MessageAttributes", {})
    return record


def _content_type(topic: Topic, subscription: Subscription) -> str:
    """The Content-Type of an HTTP notification: the subscription's DeliveryPolicy
    ``requestPolicy.headerContentType``, else the topic's ``http.defaultRequestPolicy``, else
    SNS's default."""
    for text, path in ((subscription.attributes.get("DeliveryPolicy"), ("requestPolicy",)),
                       (topic.attributes.get("DeliveryPolicy"), ("http", "defaultRequestPolicy"))):
        if not text:
            continue
        try:
            node: Any = json.loads(text)
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
        except ValueError:
            continue
        if isinstance(node, dict) and isinstance(node.get("headerContentType"), str):
            return str(node["headerContentType"])
    return "text/plain; charset=UTF-8"


def _dead_letter_target(subscription: Subscription) -> str | None:
    text = subscription.attributes.get("RedrivePolicy")
    if not text:
        return None
    try:
        target = json.loads(text).get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None
    return target if isinstance(target, str) else None

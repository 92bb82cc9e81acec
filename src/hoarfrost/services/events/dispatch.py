"""Handing routed events to targets, holding no lock: hoarfrost's SQS (FIFO group ids from
``SqsParameters``), SNS, Lambda (asynchronous invocation), CloudWatch Logs log groups, another
event bus in any account or region, and API destinations (a real HTTP call from a background
worker). A failed delivery is never raised: the PutEvents that caused it has already
succeeded. It is logged and counted, and when the target has a ``DeadLetterConfig`` the event
goes to that queue with AWS's attributes (``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``,
``ERROR_MESSAGE``, ``EXHAUSTED_RETRY_CONDITION``, ``RETRY_ATTEMPTS``). Retries are not
simulated: a failure counts as final at once."""

from __future__ import annotations

import base64
import json
import logging
import queue
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import Message, log_events_message
from hoarfrost.services.events.routing import Delivery
from hoarfrost.services.events.transform import select, target_input

if TYPE_CHECKING:
    from hoarfrost.services.events.service import EventsService

log = logging.getLogger("hoarfrost.events")

# How many buses an event may pass through by bus-to-bus targets (AWS stops loops too).
MAX_HOPS = 5


class Dispatcher:
    def __init__(self, service: EventsService) -> None:
        self.service = service
        self.emulator = service.emulator
        self.http = HttpWorker()
        # Counts since the emulator started (what AWS reports as Invocations / FailedInvocations).
        self.failures = 0
        self.delivered = 0

    def run(self, deliveries: list[Delivery], hops: int = 0) -> None:
        for delivery in deliveries:
            try:
                self.deliver(delivery, hops)
                self.delivered += 1
            except Exception as exc:  # the event was accepted; a target's failure is not the caller's
                self.failed(delivery, getattr(exc, "code", "") or type(exc).__name__, str(exc))

    def failed(self, delivery: Delivery, code: str, message: str) -> None:
        self.failures += 1
        log.warning("events: delivery of %s to %s failed: %s", delivery.event.get("id"),
                    delivery.target.get("Arn"), message)
        queue_arn = (delivery.target.get("DeadLetterConfig") or {}).get("Arn")
        if not queue_arn:
            return
        attributes = {name: {"DataType": "String", "StringValue": value} for name, value in (
            ("RULE_ARN", delivery.rule_arn), ("TARGET_ARN", str(delivery.target.get("Arn"))),
            ("ERROR_CODE", code or "Unknown"), ("ERROR_MESSAGE", message or "Unknown"),
            ("EXHAUSTED_RETRY_CONDITION", "MaximumRetryAttempts"), ("RETRY_ATTEMPTS", "0"))}
        try:
            self.emulator.deliver(queue_arn, Message(json.dumps(delivery.event), attributes,
                                                     source_arn=delivery.rule_arn, sender=delivery.account))
        except Exception as exc:
            log.warning("events: dead-letter queue %s refused the event: %s", queue_arn, exc)

    def deliver(self, delivery: Delivery, hops: int) -> None:
        target = delivery.target
        target_arn = str(target["Arn"])
        arn = try_parse_arn(target_arn)
        if arn is None:
            raise ValueError(f"not an ARN: {target_arn}")
        body = target_input(target, delivery.event, delivery.rule_arn, delivery.rule_name)
        if arn.service == "sqs":
            group = (target.get("SqsParameters") or {}).get("MessageGroupId")
            fifo = arn.resource.endswith(".fifo")
            self.emulator.deliver(target_arn, Message(body, group_id=group,
                                                      deduplication_id=delivery.event["id"] if fifo else None,
                                                      source_arn=delivery.rule_arn, sender=delivery.account))
        elif arn.service == "sns":
            self.emulator.call("sns", "Publish", {"TopicArn": target_arn, "Message": body},
                               account=arn.account, region=arn.region)
        elif arn.service == "logs":
            group_arn = target_arn[:-2] if target_arn.endswith(":*") else target_arn
            millis = int(self.service.clock.millis())
            self.emulator.deliver(group_arn, log_events_message(delivery.event["id"], [(millis, body)]))
        elif arn.service == "events" and arn.resource.startswith("event-bus/"):
            if hops >= MAX_HOPS:
                raise ValueError("too many event bus hops")
            event = json.loads(body) if ("Input" in target or "InputPath" in target
                                         or "InputTransformer" in target) else delivery.event
            self.service.forward(target_arn, event, delivery.account, hops + 1)
        elif arn.service == "kinesis":
            # The partition key: what KinesisParameters.PartitionKeyPath selects in the event,
            # else the event id, as EventBridge does.
            path = (target.get("KinesisParameters") or {}).get("PartitionKeyPath")
            key = select(delivery.event, path) if path else None
            group_id = str(key if key is not None else delivery.event["id"])
            self.emulator.deliver(target_arn, Message(body, group_id=group_id, source_arn=delivery.rule_arn,
                                                      sender=delivery.account))
        elif arn.service == "events" and arn.resource.startswith("api-destination/"):
            request = self.service.api_request(target_arn, target, body)

            def done(status: int | None, error: str | None) -> None:
                if status is None or status >= 400:
                    self.failed(delivery, "SDK_CLIENT_ERROR" if status is None else str(status),
                                error or f"HTTP status {status}")

            request.on_done = done
            self.http.submit(request)
        else:
            self.emulator.deliver(target_arn, Message(body, source_arn=delivery.rule_arn, sender=delivery.account))


# -- HTTP ------------------------------------------------------------------------------------------
class HttpRequest:
    """One API destination call; ``oauth`` is the connection's OAuthParameters (with the client
    secret) when a token must be fetched first."""

    __slots__ = ("method", "url", "headers", "body", "on_done", "oauth")

    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes,
                 on_done: Callable[[int | None, str | None], None] | None = None,
                 oauth: dict[str, Any] | None = None) -> None:
        self.method, self.url, self.headers, self.body, self.on_done = method, url, headers, body, on_done
        self.oauth = oauth


def oauth_token(oauth: dict[str, Any]) -> str:
    """The access token the authorization endpoint grants for the client credentials (what
    EventBridge fetches before it calls an API destination of an OAuth connection)."""
    client = oauth.get("ClientParameters") or {}
    extra = oauth.get("OAuthHttpParameters") or {}
    basic = base64.b64encode(f"{client.get('ClientID', '')}:{client.get('ClientSecret', '')}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
    headers.update({str(i["Key"]): str(i["Value"]) for i in extra.get("HeaderParameters") or []})
    form = {"grant_type": "client_credentials"}
    form.update({str(i["Key"]): str(i["Value"]) for i in extra.get("BodyParameters") or []})
    query = {str(i["Key"]): str(i["Value"]) for i in extra.get("QueryStringParameters") or []}
    method = str(oauth.get("HttpMethod") or "POST")
    call = urllib.request.Request(with_query(str(oauth["AuthorizationEndpoint"]), query),
                                  data=urllib.parse.urlencode(form).encode() if method != "GET" else None,
                                  method=method, headers=headers)
    with urllib.request.urlopen(call, timeout=5) as response:  # noqa: S310 (the user's endpoint)
        return str(json.loads(response.read())["access_token"])


class HttpWorker:
    """One background thread per emulator that makes API destinations' HTTP calls, never on a
    request path; started on first use, stopped by ``close``."""

    def __init__(self) -> None:
        self._queue: queue.Queue[HttpRequest | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._pending = 0

    def submit(self, request: HttpRequest) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="hoarfrost-events-http", daemon=True)
                self._thread.start()
        with self._idle:
            self._pending += 1
        self._queue.put(request)

    def _loop(self) -> None:
        while True:
            request = self._queue.get()
            if request is None:
                return
            status: int | None = None
            error: str | None = None
            try:
                if request.oauth is not None:
                    request.headers["Authorization"] = f"Bearer {oauth_token(request.oauth)}"
                call = urllib.request.Request(request.url, data=request.body or None, method=request.method,
                                              headers=request.headers)
                with urllib.request.urlopen(call, timeout=5) as response:  # noqa: S310 (the user's endpoint)
                    status = response.status
            except urllib.error.HTTPError as exc:
                status, error = exc.code, str(exc)
            except Exception as exc:
                error = str(exc)
            if error:
                log.warning("events: API destination call to %s failed: %s", request.url, error)
            if request.on_done is not None:
                try:
                    request.on_done(status, error)
                except Exception:
                    log.exception("events: API destination callback failed")
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=5)


def auth_headers(authorization_type: str, parameters: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, query parameters) a connection's authorization and invocation parameters add."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    if authorization_type == "BASIC":
        basic = parameters.get("BasicAuthParameters") or {}
        token = base64.b64encode(f"{basic.get('Username', '')}:{basic.get('Password', '')}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    elif authorization_type == "API_KEY":
        key = parameters.get("ApiKeyAuthParameters") or {}
        headers[str(key.get("ApiKeyName", ""))] = str(key.get("ApiKeyValue", ""))
    invocation = parameters.get("InvocationHttpParameters") or {}
    for item in invocation.get("HeaderParameters") or []:
        headers[str(item["Key"])] = str(item["Value"])
    for item in invocation.get("QueryStringParameters") or []:
        query[str(item["Key"])] = str(item["Value"])
    return headers, query


def with_query(url: str, query: dict[str, str]) -> str:
    if not query:
        return url
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + joiner + urllib.parse.urlencode(query)

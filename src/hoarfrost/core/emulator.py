"""The Emulator: all state of one hoarfrost instance, and the request pipeline both front doors share."""

from __future__ import annotations

import importlib
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core import catalog
from hoarfrost.core.accounts import DEFAULT_ACCOUNT, DEFAULT_REGION, AccountMap
from hoarfrost.core.authorization import ALWAYS_ALLOWED, access_denied, is_root, request_context, request_resource
from hoarfrost.core.blobs import BlobStore, make_blob_store
from hoarfrost.core.clock import Clock
from hoarfrost.core.errors import InternalFailure, NotImplementedOperation, ServiceError, unrecognized_key
from hoarfrost.core.http import HttpRequest, HttpResponse, decompress_rpc_body
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kms_port import KeyPort
from hoarfrost.core.operations import OperationHandler, Reply, RequestContext
from hoarfrost.core.ports import DeliveryError, Message, Ports
from hoarfrost.core.routing.route import Route, RoutingError
from hoarfrost.core.timers import Timers
from hoarfrost.core.validation import validate_input
from hoarfrost.core.views import ENGINE_PART, Listener, StatefulService
from hoarfrost.protocols.base import Protocol, get_protocol
from hoarfrost.services import IMPLEMENTED

log = logging.getLogger("hoarfrost")


def new_request_id() -> str:
    """A random (version 4 shaped) UUID; formatting 128 random bits is cheaper than uuid4()."""
    text = f"{random.getrandbits(128):032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{text[16:20]}-{text[20:]}"


class InternalCallError(Exception):
    """``Emulator.call`` was answered with an error."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Settings:
    default_account: str = DEFAULT_ACCOUNT
    default_region: str = DEFAULT_REGION
    # Access key id -> account, consulted before anything else.
    access_keys: dict[str, str] = field(default_factory=dict)
    # None keeps blobs in memory; a path keeps them in that directory.
    blob_dir: str | None = None
    # Base URL the server is reached at (queue URLs, presigned links); None: derive from requests.
    base_url: str | None = None
    # Evaluate IAM policies on every request not signed by an account's root (core.authorization).
    enforce_iam: bool = False


class Emulator:
    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        settings = settings or Settings()
        for key, value in overrides.items():
            setattr(settings, key, value)
        self.settings = settings
        self.accounts = AccountMap(settings.default_account, settings.access_keys)
        self.clock = Clock()
        self.clock.on_advance(self._clock_advanced)
        # Work due at a moment of the clock (schedules, alarms, flushes): see core.timers.
        self.timers = Timers(self.clock)
        self.ports = Ports(self._start_service)
        # Keys for services that encrypt with KMS (Secrets Manager, SSM): see core.kms_port.
        self.keys = KeyPort(self._start_service)
        from hoarfrost.core.routing.router import Router

        self.router = Router(default_region=settings.default_region)
        self._services: dict[str, StatefulService[Any, Any]] = {}
        self._services_lock = threading.Lock()
        # Listeners of every service's changes (``subscribe``), given to each service as it starts.
        self._listeners: tuple[Listener, ...] = ()
        self._blobs: BlobStore | None = None
        self._loopback: Any = None  # a BackgroundServer once loopback_url() was asked for
        self._loopback_lock = threading.Lock()
        # Called with each service as it starts (persistence subscribes to its changes).
        self._service_started: tuple[Callable[[StatefulService[Any, Any]], None], ...] = ()

    # -- services -------------------------------------------------------------------------
    def service(self, name: str) -> StatefulService[Any, Any]:
        """The stateful service ``name`` (botocore's name), created on first use.

        A service without hand-written handlers is the generic engine's when its catalog
        has a family the engine serves."""
        service = self._services.get(name)
        if service is None and name.endswith(ENGINE_PART):
            part = self.engine_part(name[: -len(ENGINE_PART)])
            if part is None:
                raise KeyError(f"hoarfrost's engine serves no part of {name[: -len(ENGINE_PART)]!r}")
            return part
        if service is None:
            module = IMPLEMENTED.get(name)
            if module is None and not self.engine_serves(name):
                raise KeyError(f"hoarfrost does not implement {name!r}; implemented: {sorted(IMPLEMENTED)}")
            started = False
            with self._services_lock:
                service = self._services.get(name)
                if service is None:
                    if module is not None:
                        service = importlib.import_module(module).SERVICE(self)
                    else:
                        from hoarfrost.generic.engine import GenericService

                        service = GenericService.for_service(name)(self)
                    self._started(name, service)
                    started = True
            if started:
                self._announce_started(service)
        return service

    def engine_part(self, name: str) -> StatefulService[Any, Any] | None:
        """The engine's part of the hand-written service ``name``: the resource families its
        handlers leave untouched (SSM's documents beside hand-written parameters); None when
        there are none."""
        key = name + ENGINE_PART
        part = self._services.get(key)
        if part is not None or name not in IMPLEMENTED:
            return part
        from hoarfrost.generic.engine import GenericService

        hand_written = frozenset(self.service(name).operations.resolve())
        cls = GenericService.part_of(name, hand_written)
        if not cls.served:
            return None
        started = False
        with self._services_lock:
            part = self._services.get(key)
            if part is None:
                part = cls(self)
                self._started(key, part)
                started = True
        if started:
            self._announce_started(part)
        return part

    def _started(self, key: str, service: StatefulService[Any, Any]) -> None:
        """Register a service just created (``_services_lock`` held) and hand it the listeners
        of every service's changes."""
        for listener in self._listeners:
            service.notifier.subscribe(listener)
        self._services[key] = service

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after every state change of every service, those started
        later included (the live event stream); answers the function that stops it. Each
        service's own notifier still costs one truth test while nobody listens."""
        with self._services_lock:
            self._listeners = (*self._listeners, listener)
            for service in self._services.values():
                service.notifier.subscribe(listener)

        def unsubscribe() -> None:
            with self._services_lock:
                self._listeners = tuple(other for other in self._listeners if other != listener)
                for service in self._services.values():
                    service.notifier.unsubscribe(listener)

        return unsubscribe

    def on_service_started(self, callback: Callable[[StatefulService[Any, Any]], None]) -> None:
        """Call ``callback(service)`` for every service (and engine part) started from now on;
        services start lazily, so whoever watches all state (persistence) needs to hear of them.
        It runs on the thread that started the service, outside any lock."""
        self._service_started = (*self._service_started, callback)

    def _announce_started(self, service: StatefulService[Any, Any]) -> None:
        for callback in self._service_started:
            try:
                callback(service)
            except Exception:  # a watcher's bug must not fail the request that started the service
                log.exception("service-started callback %r failed", callback)

    @staticmethod
    def engine_serves(name: str, operation: str | None = None) -> bool:
        """Whether the generic engine serves ``name`` (hand-written services excluded), or
        that one operation of it."""
        if name in IMPLEMENTED:
            return False
        from hoarfrost.generic.engine.plan import plan, serves  # loaded on the first such request

        return serves(name) if operation is None else serves(name) and operation in plan(name)

    def _start_service(self, name: str) -> None:
        if name in IMPLEMENTED:
            self.service(name)

    def deliver(self, target_arn: str, message: Message) -> str:
        """Hand ``message`` to the resource ``target_arn`` names, in whichever service owns it
        (see ``core.ports``). Call it holding no scope lock: from ``ctx.after_commit`` or a
        background worker. Raises the target's ServiceError when it cannot take the message."""
        arn = try_parse_arn(target_arn)
        sink = self.ports.sink(arn.service) if arn is not None else None
        if sink is None:
            raise DeliveryError(f"no hoarfrost service receives deliveries for {target_arn!r}")
        return sink(target_arn, message)

    def accepts(self, target_arn: str) -> bool:
        """Whether ``deliver`` would find the target now (a probe that takes no lock, so a
        handler may ask it under its own)."""
        arn = try_parse_arn(target_arn)
        probe = self.ports.probe(arn.service) if arn is not None else None
        return probe is not None and probe(target_arn)

    def call(self, service: str, operation: str, params: dict[str, Any], *, account: str | None = None,
             region: str | None = None) -> dict[str, Any]:
        """Call ``operation`` of ``service`` as ``account`` would with an SDK, through the whole
        pipeline, and answer botocore's parsed output. How one service uses another's API (Lambda
        polling an SQS queue for an event source mapping) without importing it. Raises
        ``InternalCallError`` with the service's error code when it answers an error. Call it
        holding no lock of ``service``."""
        from urllib.parse import urlencode

        from botocore import parsers, serialize
        from botocore.awsrequest import HeadersDict

        from hoarfrost.core.routing.route_index import hyphenize

        model = catalog.service_model(service)
        operation_model = model.operation_model(operation)
        protocol = model.metadata["protocol"]
        built = serialize.create_serializer(protocol, include_validation=False).serialize_to_request(
            params, operation_model)
        caller = account or self.settings.default_account
        where = region or self.settings.default_region
        signing = model.metadata.get("signingName") or model.endpoint_prefix
        headers = {name.lower(): str(value) for name, value in built["headers"].items()}
        headers["host"] = f"{model.endpoint_prefix}.{where}.amazonaws.com"
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={caller}/20000101/{where}/{signing}/aws4_request, "
                                    "SignedHeaders=host, Signature=0")
        body = built["body"]
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif isinstance(body, dict):  # query protocols: a form
            body = urlencode(body, doseq=True).encode("ascii")
            headers.setdefault("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        query = urlencode(built["query_string"], doseq=True) if isinstance(built["query_string"], dict) else str(
            built["query_string"] or "")
        request = HttpRequest(built["method"], built["url_path"], query, headers, body or b"")
        response = self.handle(request, (hyphenize(model.metadata["serviceId"]), operation))
        raw = response.body if isinstance(response.body, bytes) else b"".join(response.body)
        # Case-insensitive, as botocore's parsers expect: members bound to headers (Lambda
        # Invoke's X-Amz-Function-Error) are looked up by the model's spelling.
        parsed: dict[str, Any] = parsers.create_parser(protocol).parse(
            {"status_code": response.status, "headers": HeadersDict(response.headers), "body": raw},
            operation_model.output_shape)
        if response.status >= 300:
            error = parsed.get("Error", {})
            raise InternalCallError(str(error.get("Code", "")), str(error.get("Message", "")), response.status)
        return parsed

    def read_object(self, object_arn: str, version: str | None = None, account: str | None = None) -> bytes | None:
        """The bytes of the S3 object ``arn:aws:s3:::bucket/key`` (a version of it if given),
        read as ``account`` (the default one if None) would with GetObject, through the pipeline
        so that the reader imports nothing of S3; None when S3 answers with an error (no such
        bucket, key or version). Call it holding no lock of S3 (another service's lock is fine)."""
        from urllib.parse import quote

        arn = try_parse_arn(object_arn)
        if arn is None or arn.service != "s3" or "/" not in arn.resource:
            raise ValueError(f"not an S3 object ARN: {object_arn!r}")
        bucket, key = arn.resource.split("/", 1)
        caller = account or self.settings.default_account
        headers = {
            "host": "s3.amazonaws.com",
            "authorization": f"AWS4-HMAC-SHA256 Credential={caller}/20000101/{self.settings.default_region}/s3/"
                             "aws4_request, SignedHeaders=host, Signature=0",
        }
        query = f"versionId={quote(version, safe='')}" if version else ""
        request = HttpRequest("GET", f"/{quote(bucket)}/{quote(key)}", query, headers)
        response = self.handle(request, ("s3", "GetObject"))
        if response.status != 200:
            return None
        body = response.body
        return body if isinstance(body, bytes) else b"".join(body)

    def loopback_url(self) -> str:
        """An HTTP address of this Emulator for processes it starts (Lambda workers' SDK calls):
        the configured ``base_url``, else a server on a free loopback port, started on first use
        and stopped by ``close()``. A mock_aws() block thus opens a socket only when a function runs."""
        if self.settings.base_url:
            return self.settings.base_url.rstrip("/")
        with self._loopback_lock:
            if self._loopback is None:
                from hoarfrost.server.run import BackgroundServer  # only when a worker needs it

                self._loopback = BackgroundServer(self).start()
            return str(self._loopback.url)

    def close(self) -> None:
        """Stop what this Emulator runs besides answering requests (Lambda workers, the loopback
        server); its state stays readable. ``mock_aws()`` calls it when its Emulator goes away."""
        for service in self.started_services():
            try:
                service.close()
            except Exception:
                log.exception("closing %s failed", service.name)
        self.timers.close()
        with self._loopback_lock:
            loopback, self._loopback = self._loopback, None
        if loopback is not None:
            loopback.stop()

    def _clock_advanced(self) -> None:
        for service in self.started_services():
            service.wake_all()
        self.timers.run_due()

    def implemented_services(self) -> list[str]:
        return sorted(IMPLEMENTED)

    def started_services(self) -> list[StatefulService[Any, Any]]:
        return list(self._services.values())

    @property
    def blobs(self) -> BlobStore:
        """The blob store, opened on first use (a service without payloads never opens one)."""
        if self._blobs is None:
            self._blobs = make_blob_store(self.settings.blob_dir)
        return self._blobs

    @blobs.setter
    def blobs(self, store: BlobStore) -> None:
        """Use ``store`` (persistence's, which defers deletions until a save no longer needs
        them); only before any service has put a blob in the default one."""
        if self._blobs is not None and self._blobs is not store:
            raise RuntimeError("the blob store is already in use; set it before starting services")
        self._blobs = store

    def reset(self) -> None:
        """Forget every service's state and return to real time (the services stay registered,
        subscribers stay subscribed)."""
        self.timers.clear()
        for service in self.started_services():
            service.reset()
        self.clock.reset()

    # -- the pipeline -----------------------------------------------------------------------
    def handle(self, request: HttpRequest, hint: tuple[str, str] | None = None) -> HttpResponse:
        """Route, parse, run the handler, serialise. Never raises: every failure is an AWS error.

        ``hint`` is (hyphenised service id, operation) when the transport already knows them
        (the in-process hook); the router checks it instead of searching.
        """
        routed = self.route(request, hint)
        if isinstance(routed, HttpResponse):
            return routed
        return self.dispatch(request, routed)

    def route(self, request: HttpRequest, hint: tuple[str, str] | None = None) -> Route | HttpResponse:
        """The request's route, or the routing error already serialised."""
        decompress_rpc_body(request)
        try:
            return self.router.route(request, hint)
        except RoutingError as error:
            return self._routing_error(error, new_request_id())

    def may_block(self, route: Route) -> bool:
        """Whether the route's handler may wait (long polls): the server keeps those off its
        event loop and runs the rest inline, saving a thread hop per request."""
        if route.service not in IMPLEMENTED:
            return False
        handler = self.service(route.service).operations.resolve().get(route.operation)
        return handler is not None and handler.blocking

    def dispatch(self, request: HttpRequest, route: Route) -> HttpResponse:
        response = self._dispatch(request, route, new_request_id())
        if (request.method == "HEAD" or response.status == 304) and response.body:  # 304 has no body
            response.body = b""
        return response

    def _dispatch(self, request: HttpRequest, route: Route, request_id: str) -> HttpResponse:
        service_model = catalog.service_model(route.service)
        operation = service_model.operation_model(route.operation)
        protocol = get_protocol(route.protocol)
        try:
            service, handler = self.resolve_handler(route.service, route.operation)
            params = protocol.parse_request(request, operation, route.uri_params)
            account = self.accounts.authenticate(route.access_key, service_model.signing_name, route.region)
            if account is None:
                raise unrecognized_key(route.protocol, route.service)
            # Several services read the request alike (Lambda's and lambda-microvms' TagResource):
            # unless this one knows it holds what the request names, the one that does answers.
            if len(route.candidates) > 1 and not service.holds(route.operation, params, account, route.region):
                other = self._holder(request, route, account)
                if other is not None:
                    return self._dispatch(request, other, request_id)
            output, ctx = self.invoke(service, handler, route, params, account, request, request_id)
            if isinstance(output, Reply):
                response = protocol.serialize_response(output.output, operation, request_id)
                if output.status is not None:
                    response.status = output.status
                if output.headers:
                    response.headers.update(output.headers)
            else:
                response = protocol.serialize_response(output or {}, operation, request_id)
            self.finish(ctx, handler, route)
            return response
        except ServiceError as error:
            return self._error(protocol, error, service_model, operation, request_id)
        except Exception as exc:
            log.exception("internal error in %s.%s", route.service, route.operation)
            return self._error(
                protocol, InternalFailure(f"internal error: {type(exc).__name__}: {exc}"), service_model,
                operation, request_id,
            )

    def resolve_handler(self, service_name: str, operation: str) -> tuple[StatefulService[Any, Any], OperationHandler]:
        """The service and handler that answer ``operation``: hand-written handlers first, then
        the generic engine; NotImplemented (a ServiceError) when neither has one."""
        handler: OperationHandler | None = None
        service: StatefulService[Any, Any] | None = None
        if service_name in IMPLEMENTED or self.engine_serves(service_name, operation):
            service = self.service(service_name)
            handler = service.handler(operation)
            if handler is None and service_name in IMPLEMENTED:
                service = self.engine_part(service_name)
                handler = service.handler(operation) if service is not None else None
        if handler is None or service is None:
            raise NotImplementedOperation(f"{operation} of service {service_name} is not implemented in hoarfrost yet")
        return service, handler

    def invoke(self, service: StatefulService[Any, Any], handler: OperationHandler, route: Route,
               params: dict[str, Any], account: str, request: HttpRequest,
               request_id: str) -> tuple[Any, RequestContext[Any, Any]]:
        """Validate, authorize and run the handler on typed ``params`` for an authenticated
        ``account``: the part of the pipeline both the wire path and the in-process direct path
        (``hoarfrost.direct``) share. Answers the handler's output (a dict, a ``Reply`` or None)
        and its context, which ``finish`` takes once the output is serialised. Raises
        ``ServiceError``."""
        service_model = catalog.service_model(route.service)
        operation = service_model.operation_model(route.operation)
        if service.validates_input:
            code = service.validation_error_code or get_protocol(route.protocol).validation_code(service_model)
            validate_input(params, operation, code)
        if self.settings.enforce_iam:
            self._authorize(request, route, service_model.signing_name, params, account)
        scope_account, scope_region = service.scope_for(route.operation, params, account, route.region)
        scope = service.backends.scope(scope_account, scope_region)
        ctx: RequestContext[Any, Any] = RequestContext(
            self, service, route.operation, account, route.region, scope, request,
            route.access_key, request_id, route.protocol,
        )
        with scope.lock:
            output = handler.fn(ctx, params)
        return output, ctx

    def finish(self, ctx: RequestContext[Any, Any], handler: OperationHandler, route: Route) -> None:
        """After a handler succeeded and its answer is serialised: tell listeners what changed,
        then run its after-commit work (deliveries into other services)."""
        service = ctx.service
        # A read-only operation that changed state after all (KMS makes an AWS managed key on
        # first use) said so with ``ctx.mark_changed()``.
        if (handler.mutates or ctx.changed) and service.notifier.listeners:
            for changed_account, changed_region in ctx.changed_scopes():
                service.notify_state_changed(changed_account, changed_region, route.operation, ctx.request_id)
        if ctx.after is not None:
            self._after_commit(ctx.after, route)

    def _holder(self, request: HttpRequest, route: Route, account: str) -> Route | None:
        """Among services that read ``request`` alike, the one holding what it names."""
        for other in self.router.alternatives(request, route):
            if not (other.service in IMPLEMENTED or self.engine_serves(other.service, other.operation)):
                continue
            service = self.service(other.service)
            operation = catalog.service_model(other.service).operation_model(other.operation)
            params = get_protocol(other.protocol).parse_request(request, operation, other.uri_params)
            if service.holds(other.operation, params, account, other.region):
                return other
        return None

    def _authorize(self, request: HttpRequest, route: Route, signing_name: str, params: dict[str, Any],
                   account: str) -> None:
        """Enforcement: refuse what the caller's IAM policies do not allow (the root always may)."""
        identity = self.accounts.identity_for(route.access_key, route.region)
        if is_root(identity):
            return
        if self.accounts.authorizer is None:  # IAM never started: nobody but roots has policies
            self.service("iam")
        action = f"{signing_name}:{route.operation}"
        if action in ALWAYS_ALLOWED:
            return
        resources = self.ports.request_resources(route.service)
        resource = resources.resource(route.operation, params, account, route.region) if resources else None
        if resource is None:
            resource = request_resource(route.service, params, account, route.region)
        service_keys = resources.condition_keys(route.operation, params, account) if resources else None
        context = request_context(identity, route.region, self.clock.now(), request, service_keys)
        reason = self.accounts.authorizer.authorize(identity, action, resource, context)
        if reason is not None:
            raise access_denied(route.protocol, route.service, f"User: {identity.arn} is not authorized to perform: "
                                                               f"{action} on resource: {resource} {reason}")

    @staticmethod
    def _after_commit(work: list[Any], route: Route) -> None:
        for item in work:
            try:
                item()
            except Exception:  # the request already succeeded; a failed delivery is the target's loss
                log.exception("after-commit work of %s.%s failed", route.service, route.operation)

    def _error(self, protocol: Protocol, error: ServiceError, service_model: Any, operation: Any,
               request_id: str) -> HttpResponse:
        response = protocol.serialize_error(error, service_model, operation, request_id)
        if error.headers:
            response.headers.update(error.headers)
        return response

    def _routing_error(self, error: RoutingError, request_id: str) -> HttpResponse:
        if error.service and error.protocol:
            service_model = catalog.service_model(error.service)
            return get_protocol(error.protocol).serialize_error(error, service_model, None, request_id)
        import json

        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        return HttpResponse(
            error.status or 400,
            {"content-type": "application/x-amz-json-1.1", "x-amzn-requestid": request_id,
             "x-amzn-errortype": error.code},
            body,
        )

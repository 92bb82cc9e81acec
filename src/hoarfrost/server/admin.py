"""The admin API under ``/_hoarfrost/``: health, and the typed state views over HTTP.

Routes (account and region default to the emulator's defaults):

    GET    /_hoarfrost/  (or /_hoarfrost/dashboard)   the dashboard: one page, its script and
                                                       style under /_hoarfrost/dashboard/
    GET    /_hoarfrost/health                          version and per-service operation coverage
    GET    /_hoarfrost/summary[?service=&account=&region=] resource counts of every scope with state
                                                       (or those selected) and the clock, cheap to
                                                       poll (no blobs; see ``server.summary``)
    GET    /_hoarfrost/state[?blobs=0][&secrets=1]     every started service's scopes, one document
                                                       (with the blobs they name, base64; with
                                                       IAM's secret access keys, else their hash)
    PUT    /_hoarfrost/state                           replace everything with such a document
    PATCH  /_hoarfrost/state                           merge such a document into what is there
    DELETE /_hoarfrost/state                           reset every service
    GET    /_hoarfrost/state/{service}?account=&region=[&secrets=1] the scope's view (snapshot) with
                                                       the blobs it names inline ("blobs": base64),
                                                       or a tar with Accept: application/x-tar
    PUT    /_hoarfrost/state/{service}?account=&region= restore the scope from such a body
    PATCH  /_hoarfrost/state/{service}?account=&region= merge such a body into the scope
    DELETE /_hoarfrost/state/{service}[?account=&region=] reset the service (or just that scope)
    GET    /_hoarfrost/state/{service}/schema          the view's JSON Schema
    GET    /_hoarfrost/clock                           the emulator's time and its offset from real time
    POST   /_hoarfrost/clock                           {"advance": seconds}: move time forward
    GET    /_hoarfrost/events[?views=1&buffer=N]       server-sent events: every state change and clock
                                                       move (served by ``server.events``, streamed)
    GET    /_hoarfrost/{service}/{name}                a route the service serves (SNS's certificate)
    POST   /moto-api/reset                             reset everything (moto server compatibility)

Every answer is JSON (but a tar snapshot). A ``StateViewError`` answers its ``to_dict()`` with
400 (invalid), 409 (blob) or 422 (serialize), never a 500; a service hoarfrost does not
implement answers 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import hoarfrost
from hoarfrost.core import catalog
from hoarfrost.core.blobs import MemoryBlobArchive
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.core.views import ENGINE_PART, StatefulService, StateViewError
from hoarfrost.server import summary, view_documents
from hoarfrost.server.dashboard import DashboardFiles
from hoarfrost.services import IMPLEMENTED
from hoarfrost.state import export_document, import_document

PREFIX = "/_hoarfrost/"
MOTO_RESET = "/moto-api/reset"

# Never a 500: an invalid view is the client's (400); one naming blobs nobody sent, or that
# cannot be serialised as it stands, conflicts with what the server holds (409, 422).
_ERROR_STATUS = {"invalid": 400, "blob": 409, "serialize": 422}
_FALSE = ("0", "false", "no")
_TRUE = ("1", "true", "yes")


class AdminError(Exception):
    """An admin request that cannot be answered; becomes a JSON error with ``status``."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def json_response(status: int, document: Any) -> HttpResponse:
    """A JSON answer for routes outside the AWS protocols (admin API, last-resort errors)."""
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps(document).encode())


class AdminApi:
    """Answers admin requests for one Emulator. ``claims`` is checked on every request, so it
    is a prefix test and one string comparison."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.dashboard = DashboardFiles()

    @staticmethod
    def claims(request: HttpRequest) -> bool:
        path = request.path
        return path.startswith(PREFIX) or (path == MOTO_RESET and request.method == "POST")

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            return self._route(request)
        except StateViewError as error:
            return json_response(_ERROR_STATUS.get(error.kind, 500), error.to_dict())
        except AdminError as error:
            return json_response(error.status, {"error": error.error, "message": error.message})

    # -- routing ----------------------------------------------------------------------------
    def _route(self, request: HttpRequest) -> HttpResponse:
        path = request.decoded_path
        if path == MOTO_RESET:
            self.emulator.reset()
            return json_response(200, {"status": "ok", "reset": "all"})
        parts = path[len(PREFIX):].strip("/").split("/")
        method = request.method
        if parts in ([""], ["dashboard"]) or (len(parts) == 2 and parts[0] == "dashboard"):
            name = parts[1] if len(parts) == 2 else ""
            return self._dispatch(method, {"GET": lambda r: self.dashboard.response(name)}, request)
        if parts == ["health"]:
            return self._dispatch(method, {"GET": self.health}, request)
        if parts == ["summary"]:
            return self._dispatch(method, {"GET": self.summary}, request)
        if parts == ["state"]:
            return self._dispatch(method, {"GET": self.export_all, "PUT": self.import_all,
                                           "PATCH": self.merge_all, "DELETE": self.reset_all}, request)
        if len(parts) == 2 and parts[0] == "state":
            service = self._service(parts[1])
            return self._dispatch(method, {
                "GET": lambda r: self.snapshot(service, r),
                "PUT": lambda r: self.restore(service, r),
                "PATCH": lambda r: self.merge(service, r),
                "DELETE": lambda r: self.reset(service, r),
            }, request)
        if parts == ["clock"]:
            return self._dispatch(method, {"GET": self.clock, "POST": self.advance_clock}, request)
        if len(parts) == 2 and parts[0] in IMPLEMENTED:  # routes a service serves itself
            route = self.emulator.service(parts[0]).admin_routes().get(parts[1])
            if route is not None:
                return self._dispatch(method, {"GET": route}, request)
        if len(parts) >= 2 and parts[0] in IMPLEMENTED:  # trees a service serves (Lambda function URLs)
            tree = self.emulator.service(parts[0]).admin_trees().get(parts[1])
            if tree is not None:
                return tree(request)
        if len(parts) == 3 and parts[0] == "state" and parts[2] == "schema":
            service = self._service(parts[1])
            return self._dispatch(method, {"GET": lambda r: json_response(200, service.json_schema())}, request)
        raise AdminError(404, "NotFound", f"no admin route {method} {path}; see GET {PREFIX}health")

    @staticmethod
    def _dispatch(method: str, handlers: dict[str, Callable[[HttpRequest], HttpResponse]],
                  request: HttpRequest) -> HttpResponse:
        handler = handlers.get(method)
        if handler is None:
            raise AdminError(405, "MethodNotAllowed",
                             f"{method} is not allowed on {request.path}; allowed: {', '.join(handlers)}")
        return handler(request)

    def _service(self, name: str) -> StatefulService[Any, Any]:
        """A hand-written service, or one the generic engine serves."""
        if name.endswith(ENGINE_PART) and name[: -len(ENGINE_PART)] in IMPLEMENTED:
            part = self.emulator.engine_part(name[: -len(ENGINE_PART)])
            if part is not None:
                return part
        if name not in IMPLEMENTED and not self.emulator.engine_serves(name):
            known = "a botocore service hoarfrost does not implement yet" if name in catalog.available_services() \
                else "not a service name botocore knows"
            raise AdminError(404, "UnknownService",
                             f"{name!r} is {known}; implemented services: {', '.join(sorted(IMPLEMENTED))}")
        return self.emulator.service(name)

    def _scope(self, request: HttpRequest) -> tuple[str, str]:
        settings = self.emulator.settings
        return (request.query_param("account") or settings.default_account,
                request.query_param("region") or settings.default_region)

    # -- the clock ---------------------------------------------------------------------------
    def clock(self, request: HttpRequest) -> HttpResponse:
        """``{"now", "offset", "moved"}``: the emulator's time, seconds ahead of real time."""
        return json_response(200, summary.clock_document(self.emulator))

    def advance_clock(self, request: HttpRequest) -> HttpResponse:
        """``{"advance": seconds}``: move the emulator's time forward (timeouts, delays, TTLs)."""
        try:
            seconds = float(json.loads(request.body or b"{}")["advance"])
        except (ValueError, KeyError, TypeError):
            raise AdminError(400, "InvalidClockRequest",
                             'expected a JSON body {"advance": <seconds>}') from None
        try:
            self.emulator.clock.advance(seconds)
        except ValueError as exc:
            raise AdminError(400, "InvalidClockRequest", str(exc)) from None
        return self.clock(request)

    # -- health -----------------------------------------------------------------------------
    def health(self, request: HttpRequest) -> HttpResponse:
        """Operation coverage per implemented service. A service that fails to load is reported
        (and the status degraded) rather than failing the whole health check."""
        services: dict[str, dict[str, Any]] = {}
        status = "ok"
        for name in sorted(IMPLEMENTED):
            entry: dict[str, Any] = {"operations": len(catalog.service_model(name).operation_names)}
            try:
                entry["implemented_operations"] = len(self.emulator.service(name).operations.resolve())
                part = self.emulator.engine_part(name)
                if part is not None:  # resource families the generic engine serves beside the handlers
                    entry["engine_operations"] = len(part.served_operations())  # type: ignore[attr-defined]
            except Exception as exc:  # a broken service module must not hide the others
                entry["implemented_operations"] = 0
                entry["error"] = f"{type(exc).__name__}: {exc}"
                status = "degraded"
            services[name] = entry
        # Services the generic engine serves appear once used (their catalogs load on first use).
        for service in self.emulator.started_services():
            if service.name not in IMPLEMENTED:
                services[service.name] = {"operations": len(catalog.service_model(service.name).operation_names),
                                          "engine_operations": len(service.served_operations()),  # type: ignore[attr-defined]
                                          "implemented_operations": 0}
        return json_response(200, {"status": status, "version": hoarfrost.__version__, "services": services})

    def summary(self, request: HttpRequest) -> HttpResponse:
        """Resource counts per scope (``server.summary``); a service named that hoarfrost does
        not serve is a 404, one not started yet has no scopes."""
        service = request.query_param("service")
        if service:
            self._service(service)
        return json_response(200, summary.summary_document(
            self.emulator, service=service or None, account=request.query_param("account") or None,
            region=request.query_param("region") or None))

    # -- one service, one scope -------------------------------------------------------------
    def snapshot(self, service: StatefulService[Any, Any], request: HttpRequest) -> HttpResponse:
        """The view with the blobs it names, so the answer restores anywhere."""
        account, region = self._scope(request)
        archive = MemoryBlobArchive()
        view = service.snapshot_with_blobs(account, region, archive, secrets=_secrets(request))
        return view_documents.encode(view.model_dump_json(), archive, view_documents.wants_tar(request))

    def restore(self, service: StatefulService[Any, Any], request: HttpRequest) -> HttpResponse:
        account, region = self._scope(request)
        view, source = view_documents.decode(request)
        service.restore_with_blobs(account, region, view, source)
        return json_response(200, {"status": "ok", "service": service.state_key, "account": account, "region": region,
                           "action": "restore"})

    def merge(self, service: StatefulService[Any, Any], request: HttpRequest) -> HttpResponse:
        account, region = self._scope(request)
        view, source = view_documents.decode(request)
        service.merge_with_blobs(account, region, view, source)
        return json_response(200, {"status": "ok", "service": service.state_key, "account": account, "region": region,
                           "action": "merge"})

    def reset(self, service: StatefulService[Any, Any], request: HttpRequest) -> HttpResponse:
        account = request.query_param("account")
        region = request.query_param("region")
        service.reset(account, region)
        return json_response(200, {"status": "ok", "service": service.state_key, "account": account, "region": region,
                           "action": "reset"})

    # -- everything -------------------------------------------------------------------------
    def export_all(self, request: HttpRequest) -> HttpResponse:
        """Every scope of every started service (see ``export_document``); ``?blobs=0`` leaves
        the payloads out."""
        return json_response(200, export_document(self.emulator, blobs=request.query_param("blobs") not in _FALSE,
                                                  secrets=_secrets(request)))

    def import_all(self, request: HttpRequest) -> HttpResponse:
        """Replace all state with an ``export_all`` document, atomically (see ``import_document``)."""
        try:
            document = json.loads(request.body or b"null")
        except ValueError as exc:
            raise StateViewError("invalid", f"the body is not JSON: {exc}") from exc
        count = import_document(self.emulator, document, resolve=lambda name: self._service(name).state_key)
        return json_response(200, {"status": "ok", "action": "restore", "views": count})

    def merge_all(self, request: HttpRequest) -> HttpResponse:
        """Merge an ``export_all`` document into the state there is (nothing is removed); a bad
        document changes nothing."""
        try:
            document = json.loads(request.body or b"null")
        except ValueError as exc:
            raise StateViewError("invalid", f"the body is not JSON: {exc}") from exc
        count = import_document(self.emulator, document, merge=True,
                                resolve=lambda name: self._service(name).state_key)
        return json_response(200, {"status": "ok", "action": "merge", "views": count})

    def reset_all(self, request: HttpRequest) -> HttpResponse:
        self.emulator.reset()
        return json_response(200, {"status": "ok", "reset": "all"})


def _secrets(request: HttpRequest) -> bool:
    """``?secrets=1``: the export carries secrets a view otherwise holds only as a hash (IAM's
    secret access keys; see ``StatefulService.redact``)."""
    return request.query_param("secrets") in _TRUE

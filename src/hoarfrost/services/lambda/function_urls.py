"""Serving function URLs: an HTTP request under ``/_hoarfrost/lambda/url/<url-id>/<path>``
becomes the function-URL event (payload format 2.0), the function runs, and its answer becomes
the HTTP response as AWS maps it (a ``statusCode`` document, or any JSON value as a 200)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from hoarfrost.core.emulator import new_request_id
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse

from .handlers.common import settle
from .invoking import prepare
from .runtime.executor import Invocation

if TYPE_CHECKING:
    from .service import LambdaService

PREFIX = "/_hoarfrost/lambda/url/"
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-www-form-urlencoded")


def _json_error(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps({"Message": message}).encode())


def serve(service: LambdaService, request: HttpRequest) -> HttpResponse:
    rest = request.path[len(PREFIX):] if request.path.startswith(PREFIX) else ""
    url_id, _, path = rest.partition("/")
    invocation = _find(service, url_id, request, "/" + path)
    if isinstance(invocation, HttpResponse):
        return invocation
    outcome = service.executor.invoke(invocation)
    if outcome is None:
        return _json_error(429, "Rate Exceeded.")
    if outcome.function_error is not None:
        return _json_error(502, "Internal Server Error")
    return _response(outcome.payload)


def _find(service: LambdaService, url_id: str, request: HttpRequest, path: str) -> Invocation | HttpResponse:
    """The invocation for the function whose URL has ``url_id`` (looked up scope by scope: this
    is the server's side door, not an AWS API request)."""
    endpoint = service.emulator.settings.base_url or f"http://{request.host}"
    for scope in service.backends:
        with scope.lock:
            for function in scope.backend.functions.values():
                for config in function.url_configs.values():
                    if config.url_id != url_id:
                        continue
                    if config.auth_type == "AWS_IAM" and "authorization" not in request.headers:
                        return _json_error(403, "Forbidden")
                    settle(function)
                    request_id = new_request_id()
                    event = _event(request, path, url_id, scope.region, request_id, service.clock.millis())
                    qualifier = None if config.qualifier == "$LATEST" else config.qualifier
                    try:
                        return prepare(scope.backend, function, qualifier, json.dumps(event), request_id,
                                       str(endpoint).rstrip("/"))
                    except ServiceError as error:
                        return _json_error(error.status or 500, error.message)
    return _json_error(404, "Not Found")


def _event(request: HttpRequest, path: str, url_id: str, region: str, request_id: str, now_ms: int) -> dict[str, Any]:
    import datetime as dt

    headers = {name: value for name, value in request.headers.items() if name != "cookie"}
    cookies = [c.strip() for c in request.headers.get("cookie", "").split(";") if c.strip()]
    query = dict(parse_qsl(request.query, keep_blank_values=True))
    body = request.body or b""
    content_type = request.headers.get("content-type", "")
    textual = not body or content_type.startswith(_TEXT_TYPES)
    domain = f"{url_id}.lambda-url.{region}.on.aws"
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": request.query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous", "apiId": url_id, "domainName": domain, "domainPrefix": url_id,
            "http": {"method": request.method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": request.headers.get("user-agent", "")},
            "requestId": request_id, "routeKey": "$default", "stage": "$default",
            "time": dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": now_ms,
        },
        "isBase64Encoded": not textual,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body:
        event["body"] = body.decode("utf-8") if textual else base64.b64encode(body).decode("ascii")
    return event


def _response(payload: bytes) -> HttpResponse:
    """AWS's mapping: a JSON object with ``statusCode`` is a full response; anything else is the
    body of a 200 with ``content-type: application/json``."""
    try:
        result = json.loads(payload) if payload else None
    except ValueError:
        result = None
    if isinstance(result, dict) and "statusCode" in result:
        headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        body = result.get("body")
        data = b"" if body is None else (base64.b64decode(body) if result.get("isBase64Encoded")
                                         else str(body).encode("utf-8"))
        headers.setdefault("content-type", "application/json")
        if result.get("cookies"):
            headers["set-cookie"] = ", ".join(result["cookies"])
        return HttpResponse(int(result["statusCode"]), headers, data)
    return HttpResponse(200, {"content-type": "application/json"}, payload if payload else b"null")

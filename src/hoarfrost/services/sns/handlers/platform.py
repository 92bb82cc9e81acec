"""Mobile push: platform applications and their endpoints (stored; pushes are recorded)."""

from __future__ import annotations

import re
import uuid
from operator import attrgetter
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.sns.errors import errors, invalid
from hoarfrost.services.sns.handlers import ops
from hoarfrost.services.sns.handlers.common import (
    PAGE_SIZE,
    SnsContext,
    token_error,
)
from hoarfrost.services.sns.state import (
    PlatformApplication,
    PlatformEndpoint,
    SnsBackend,
)

PLATFORMS = ("ADM", "APNS", "APNS_SANDBOX", "GCM", "BAIDU", "MPNS", "WNS")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,256}$")
# Secrets SNS accepts but never returns.
_HIDDEN = ("PlatformCredential",)
_BY_ARN = attrgetter("arn")


def _application(backend: SnsBackend, arn: str) -> PlatformApplication:
    application = backend.platform_applications.get(arn)
    if application is None:
        raise errors.NotFoundException("PlatformApplication does not exist")
    return application


def _endpoint(backend: SnsBackend, arn: str) -> PlatformEndpoint:
    endpoint = backend.platform_endpoints.get(arn)
    if endpoint is None:
        raise errors.NotFoundException("Endpoint does not exist")
    return endpoint


def _shown(attributes: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in attributes.items() if name not in _HIDDEN}


def _check_enabled(attributes: dict[str, str]) -> None:
    value = attributes.get("Enabled")
    if value is not None and value.lower() not in ("true", "false"):
        raise invalid("Attributes Reason: Enabled must be true or false")


@ops.operation
def create_platform_application(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    name, platform = request["Name"], request["Platform"]
    if not _NAME.match(name):
        raise invalid("Name")
    if platform not in PLATFORMS:
        raise invalid(f"Platform Reason: {platform} is not supported")
    attributes = dict(request.get("Attributes") or {})
    _check_enabled(attributes)
    backend: SnsBackend = ctx.state
    arn = build_arn("sns", ctx.region, ctx.account, f"app/{platform}/{name}")
    application = backend.platform_applications.get(arn)
    if application is None:
        application = PlatformApplication(arn=arn, name=name, platform=platform, attributes={"Enabled": "true"})
        backend.platform_applications[arn] = application
    application.attributes.update(attributes)
    return {"PlatformApplicationArn": arn}


@ops.operation
def get_platform_application_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    application = _application(ctx.state, request["PlatformApplicationArn"])
    return {"Attributes": _shown(application.attributes)}


@ops.operation
def set_platform_application_attributes(ctx: SnsContext, request: dict[str, Any]) -> None:
    application = _application(ctx.state, request["PlatformApplicationArn"])
    attributes = dict(request["Attributes"])
    _check_enabled(attributes)
    application.attributes.update(attributes)


@ops.operation
def delete_platform_application(ctx: SnsContext, request: dict[str, Any]) -> None:
    ctx.state.remove_application(request["PlatformApplicationArn"])


@ops.operation
def list_platform_applications(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    applications = sorted(ctx.state.platform_applications.values(), key=_BY_ARN)
    page = paginate(applications, request.get("NextToken"), PAGE_SIZE, kind="sns:ListPlatformApplications",
                    key=_BY_ARN, error=token_error())
    return {"PlatformApplications": [
        {"PlatformApplicationArn": app.arn, "Attributes": _shown(app.attributes)} for app in page.items
    ], **page.token_member()}


@ops.operation
def create_platform_endpoint(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    backend: SnsBackend = ctx.state
    application = _application(backend, request["PlatformApplicationArn"])
    token = request["Token"]
    attributes = dict(request.get("Attributes") or {})
    _check_enabled(attributes)
    if request.get("CustomUserData") is not None:
        attributes["CustomUserData"] = request["CustomUserData"]
    for endpoint in application.endpoints.values():
        if endpoint.attributes.get("Token") == token:
            if any(endpoint.attributes.get(k) != v for k, v in attributes.items()):
                raise invalid(f"Token Reason: Endpoint {endpoint.arn} already exists with the same Token, "
                              "but different attributes.")
            return {"EndpointArn": endpoint.arn}
    arn = build_arn("sns", ctx.region, ctx.account,
                    f"endpoint/{application.platform}/{application.name}/{uuid.uuid4()}")
    backend.add_endpoint(application, PlatformEndpoint(
        arn=arn, attributes={"Enabled": "true", "Token": token, **attributes},
    ))
    return {"EndpointArn": arn}


@ops.operation
def get_endpoint_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": dict(_endpoint(ctx.state, request["EndpointArn"]).attributes)}


@ops.operation
def set_endpoint_attributes(ctx: SnsContext, request: dict[str, Any]) -> None:
    endpoint = _endpoint(ctx.state, request["EndpointArn"])
    attributes = dict(request["Attributes"])
    _check_enabled(attributes)
    endpoint.attributes.update(attributes)


@ops.operation
def delete_endpoint(ctx: SnsContext, request: dict[str, Any]) -> None:
    ctx.state.remove_endpoint(request["EndpointArn"])  # deleting twice succeeds, as in AWS


@ops.operation
def list_endpoints_by_platform_application(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    application = _application(ctx.state, request["PlatformApplicationArn"])
    endpoints = sorted(application.endpoints.values(), key=_BY_ARN)
    page = paginate(endpoints, request.get("NextToken"), PAGE_SIZE, kind="sns:ListEndpointsByPlatformApplication",
                    key=_BY_ARN, error=token_error())
    return {"Endpoints": [{"EndpointArn": e.arn, "Attributes": dict(e.attributes)} for e in page.items],
            **page.token_member()}

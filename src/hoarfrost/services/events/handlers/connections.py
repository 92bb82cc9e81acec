"""Connections (an API destination's authorization: BASIC, API_KEY or OAuth client
credentials, with extra invocation parameters) and API destinations (an HTTP endpoint a rule
target calls with its connection's auth)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.services.events.errors import errors, validation
from hoarfrost.services.events.handlers import ops
from hoarfrost.services.events.handlers.common import EventsContext, backend, check_name, page, stamp
from hoarfrost.services.events.state import ApiDestination, Connection, EventsBackend

_AUTH_MEMBER = {"BASIC": "BasicAuthParameters", "API_KEY": "ApiKeyAuthParameters",
                "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters"}
# Members of AuthParameters that EventBridge keeps in the connection's secret and never answers.
_SECRET_MEMBERS = {"BasicAuthParameters": ("Password",), "ApiKeyAuthParameters": ("ApiKeyValue",)}


def _check_auth(kind: str, parameters: dict[str, Any]) -> None:
    member = _AUTH_MEMBER.get(kind)
    if member is None:
        raise validation(f"Parameter AuthorizationType is not valid: {kind}.")
    if not parameters.get(member):
        raise validation(f"{member} must be specified for the {kind} authorization type.")
    for other in _AUTH_MEMBER.values():
        if other != member and parameters.get(other):
            raise validation(f"{other} cannot be specified for the {kind} authorization type.")


def public_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """AuthParameters as DescribeConnection answers them: without passwords, key values,
    client secrets, or invocation parameters marked secret."""
    out = copy.deepcopy(parameters)
    for member, secrets in _SECRET_MEMBERS.items():
        for secret in secrets:
            (out.get(member) or {}).pop(secret, None)
    oauth = out.get("OAuthParameters") or {}
    (oauth.get("ClientParameters") or {}).pop("ClientSecret", None)
    for holder in (out.get("InvocationHttpParameters") or {}, oauth.get("OAuthHttpParameters") or {}):
        for kind in ("HeaderParameters", "QueryStringParameters", "BodyParameters"):
            for item in holder.get(kind) or []:
                if item.get("IsValueSecret"):
                    item.pop("Value", None)
    return out


def _connection(state: EventsBackend, name: str) -> Connection:
    connection = state.connections.get(name)
    if connection is None:
        raise errors.ResourceNotFoundException(f"Connection '{name}' does not exist.")
    return connection


def _times(connection: Connection) -> dict[str, Any]:
    return {"CreationTime": stamp(connection.creation_time), "LastModifiedTime": stamp(connection.last_modified_time),
            "LastAuthorizedTime": stamp(connection.last_authorized_time)}


@ops.operation
def create_connection(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    name = request["Name"]
    check_name(name)
    if name in state.connections:
        raise errors.ResourceAlreadyExistsException(f"Connection {name} already exists.")
    kind, parameters = request["AuthorizationType"], dict(request["AuthParameters"])
    _check_auth(kind, parameters)
    now = ctx.clock.time()
    token = str(uuid.uuid4())
    connection = Connection(
        name=name, arn=build_arn("events", state.region, state.account, f"connection/{name}/{token}"),
        authorization_type=kind, auth_parameters=parameters, description=request.get("Description"),
        kms_key_identifier=request.get("KmsKeyIdentifier"),
        invocation_connectivity_parameters=request.get("InvocationConnectivityParameters"),
        secret_arn=build_arn("secretsmanager", state.region, state.account,
                             f"secret:events!connection/{name}/{token}-{token[:6]}"),
        creation_time=now, last_modified_time=now, last_authorized_time=now)
    state.connections[name] = connection
    return {"ConnectionArn": connection.arn, "ConnectionState": connection.state,
            "CreationTime": stamp(now), "LastModifiedTime": stamp(now)}


@ops.operation
def describe_connection(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    connection = _connection(backend(ctx), request["Name"])
    out: dict[str, Any] = {"ConnectionArn": connection.arn, "Name": connection.name}
    if connection.description is not None:
        out["Description"] = connection.description
    if connection.invocation_connectivity_parameters is not None:
        out["InvocationConnectivityParameters"] = connection.invocation_connectivity_parameters
    if connection.kms_key_identifier is not None:
        out["KmsKeyIdentifier"] = connection.kms_key_identifier
    out.update({"ConnectionState": connection.state, "AuthorizationType": connection.authorization_type,
                "SecretArn": connection.secret_arn,
                "AuthParameters": public_parameters(connection.auth_parameters), **_times(connection)})
    if connection.state_reason:
        out["StateReason"] = connection.state_reason
    return out


@ops.operation
def update_connection(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    connection = _connection(backend(ctx), request["Name"])
    kind = request.get("AuthorizationType") or connection.authorization_type
    parameters = copy.deepcopy(connection.auth_parameters)
    for member, value in (request.get("AuthParameters") or {}).items():
        if isinstance(value, dict) and isinstance(parameters.get(member), dict):
            parameters[member] = {**parameters[member], **value}
        else:
            parameters[member] = value
    if kind != connection.authorization_type:
        parameters = {member: value for member, value in parameters.items()
                      if member == _AUTH_MEMBER.get(kind) or member not in _AUTH_MEMBER.values()}
    _check_auth(kind, parameters)
    now = ctx.clock.time()
    connection.authorization_type, connection.auth_parameters = kind, parameters
    if "Description" in request:
        connection.description = request["Description"]
    if "KmsKeyIdentifier" in request:
        connection.kms_key_identifier = request["KmsKeyIdentifier"] or None
    if "InvocationConnectivityParameters" in request:
        connection.invocation_connectivity_parameters = request["InvocationConnectivityParameters"]
    connection.state, connection.state_reason = "AUTHORIZED", None
    connection.last_modified_time = connection.last_authorized_time = now
    return {"ConnectionArn": connection.arn, "ConnectionState": connection.state, **_times(connection)}


@ops.operation
def deauthorize_connection(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    connection = _connection(backend(ctx), request["Name"])
    connection.state = "DEAUTHORIZED"
    connection.last_modified_time = ctx.clock.time()
    return {"ConnectionArn": connection.arn, "ConnectionState": "DEAUTHORIZING", **_times(connection)}


@ops.operation
def delete_connection(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    connection = _connection(state, request["Name"])
    del state.connections[connection.name]
    return {"ConnectionArn": connection.arn, "ConnectionState": "DELETING", **_times(connection)}


@ops.operation
def list_connections(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix, status = request.get("NamePrefix") or "", request.get("ConnectionState")
    chosen = [c for c in sorted(backend(ctx).connections.values(), key=lambda c: c.name)
              if c.name.startswith(prefix) and status in (None, c.state)]
    result = page(ctx, chosen, request, "ListConnections", key=lambda c: c.name)
    items = [{"ConnectionArn": c.arn, "Name": c.name, "ConnectionState": c.state,
              "AuthorizationType": c.authorization_type, **_times(c)} for c in result.items]
    return {"Connections": items, **result.token_member()}


# -- API destinations ------------------------------------------------------------------------------
def _destination(state: EventsBackend, name: str) -> ApiDestination:
    destination = state.api_destinations.get(name)
    if destination is None:
        raise errors.ResourceNotFoundException(f"An api-destination '{name}' does not exist.")
    return destination


def _check_connection(state: EventsBackend, arn: str) -> None:
    if not any(connection.arn == arn for connection in state.connections.values()):
        raise errors.ResourceNotFoundException(f"Connection '{arn}' does not exist.")


def _describe_destination(destination: ApiDestination) -> dict[str, Any]:
    out: dict[str, Any] = {"ApiDestinationArn": destination.arn, "Name": destination.name}
    if destination.description is not None:
        out["Description"] = destination.description
    out.update({"ApiDestinationState": destination.state, "ConnectionArn": destination.connection_arn,
                "InvocationEndpoint": destination.invocation_endpoint, "HttpMethod": destination.http_method,
                "InvocationRateLimitPerSecond": destination.invocation_rate_limit_per_second,
                "CreationTime": stamp(destination.creation_time),
                "LastModifiedTime": stamp(destination.last_modified_time)})
    return out


def _check_endpoint(url: str) -> None:
    if not url.startswith("https://") and not url.startswith("http://"):
        raise validation("Parameter InvocationEndpoint is not valid. Reason: it must be an HTTPS URL.")


@ops.operation
def create_api_destination(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    name = request["Name"]
    check_name(name)
    if name in state.api_destinations:
        raise errors.ResourceAlreadyExistsException(f"An api-destination '{name}' already exists.")
    _check_connection(state, request["ConnectionArn"])
    _check_endpoint(request["InvocationEndpoint"])
    now = ctx.clock.time()
    destination = ApiDestination(
        name=name, arn=build_arn("events", state.region, state.account, f"api-destination/{name}/{uuid.uuid4()}"),
        connection_arn=request["ConnectionArn"], invocation_endpoint=request["InvocationEndpoint"],
        http_method=request["HttpMethod"], description=request.get("Description"),
        invocation_rate_limit_per_second=int(request.get("InvocationRateLimitPerSecond") or 300),
        creation_time=now, last_modified_time=now)
    state.api_destinations[name] = destination
    return {"ApiDestinationArn": destination.arn, "ApiDestinationState": destination.state,
            "CreationTime": stamp(now), "LastModifiedTime": stamp(now)}


@ops.operation
def describe_api_destination(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    return _describe_destination(_destination(backend(ctx), request["Name"]))


@ops.operation
def update_api_destination(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    destination = _destination(state, request["Name"])
    if request.get("ConnectionArn"):
        _check_connection(state, request["ConnectionArn"])
        destination.connection_arn = request["ConnectionArn"]
    if request.get("InvocationEndpoint"):
        _check_endpoint(request["InvocationEndpoint"])
        destination.invocation_endpoint = request["InvocationEndpoint"]
    if request.get("HttpMethod"):
        destination.http_method = request["HttpMethod"]
    if request.get("InvocationRateLimitPerSecond"):
        destination.invocation_rate_limit_per_second = int(request["InvocationRateLimitPerSecond"])
    if "Description" in request:
        destination.description = request["Description"]
    destination.last_modified_time = ctx.clock.time()
    return {"ApiDestinationArn": destination.arn, "ApiDestinationState": destination.state,
            "CreationTime": stamp(destination.creation_time),
            "LastModifiedTime": stamp(destination.last_modified_time)}


@ops.operation
def delete_api_destination(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    state = backend(ctx)
    _destination(state, request["Name"])
    del state.api_destinations[request["Name"]]
    return {}


@ops.operation
def list_api_destinations(ctx: EventsContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix, connection = request.get("NamePrefix") or "", request.get("ConnectionArn")
    chosen = [d for d in sorted(backend(ctx).api_destinations.values(), key=lambda d: d.name)
              if d.name.startswith(prefix) and connection in (None, d.connection_arn)]
    result = page(ctx, chosen, request, "ListApiDestinations", key=lambda d: d.name)
    items = [{k: v for k, v in _describe_destination(d).items() if k != "Description"} for d in result.items]
    return {"ApiDestinations": items, **result.token_member()}
